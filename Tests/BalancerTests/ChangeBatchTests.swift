import Balancer
import Testing

@Suite struct ChangeBatchTests {
    let t0 = ContinuousClock.now

    @Test func nothingPendingIsNeverDue() {
        let batch = ChangeBatch(quiet: .milliseconds(200), maxWait: .seconds(2))
        #expect(batch.due == nil)
        #expect(!batch.isDue(at: t0 + .seconds(100)))
    }

    @Test func aLoneChangeIsDueAfterTheQuietPeriod() {
        var batch = ChangeBatch(quiet: .milliseconds(200), maxWait: .seconds(2))
        batch.note(at: t0)
        #expect(!batch.isDue(at: t0 + .milliseconds(199)))
        #expect(batch.isDue(at: t0 + .milliseconds(200)))
    }

    @Test func eachChangeRestartsTheQuietPeriod() {
        var batch = ChangeBatch(quiet: .milliseconds(200), maxWait: .seconds(2))
        batch.note(at: t0)
        batch.note(at: t0 + .milliseconds(150))
        #expect(!batch.isDue(at: t0 + .milliseconds(300)))
        #expect(batch.isDue(at: t0 + .milliseconds(350)))
    }

    @Test func aBurstThatNeverGoesQuietIsCappedByMaxWait() {
        var batch = ChangeBatch(quiet: .milliseconds(200), maxWait: .seconds(1))
        for i in 0 ..< 20 { batch.note(at: t0 + .milliseconds(100 * i)) }
        #expect(batch.due == t0 + .seconds(1))
        batch.clear()
        #expect(batch.due == nil)
    }
}

@Suite struct RemovalBatchTests {
    let t0 = ContinuousClock.now
    let batch = ChangeBatch(urgent: .init(quiet: .milliseconds(200), maxWait: .seconds(2)),
                            removal: .init(quiet: .seconds(2), maxWait: .seconds(10)))

    @Test func removalsAloneWaitForTheLongerWindow() {
        var b = batch
        b.note(at: t0, urgent: false)
        b.note(at: t0 + .seconds(1), urgent: false)
        #expect(b.due == t0 + .seconds(3))
        for i in 2 ... 20 { b.note(at: t0 + .seconds(i), urgent: false) }
        #expect(b.due == t0 + .seconds(10))
    }

    @Test func anAdditionMakesTheWholeBatchUrgent() {
        var b = batch
        b.note(at: t0, urgent: false)
        b.note(at: t0 + .seconds(1), urgent: true)
        #expect(b.due == t0 + .milliseconds(1200))
        b.clear()
        b.note(at: t0 + .seconds(5), urgent: false)
        #expect(b.due == t0 + .seconds(7))
    }
}

@Suite struct CalmBatchTests {
    let t0 = ContinuousClock.now
    let batch = ChangeBatch(urgent: .init(quiet: .milliseconds(200), maxWait: .seconds(2)),
                            removal: .init(quiet: .seconds(2), maxWait: .seconds(10)), calm: .seconds(2))

    @Test func aLoneAdditionAfterACalmSpellIsDueAtOnce() {
        var b = batch
        b.note(at: t0)
        #expect(b.due == t0)
        b.clear()
        b.reloaded(at: t0)
        b.note(at: t0 + .seconds(3))
        #expect(b.due == t0 + .seconds(3))
    }

    @Test func theRestOfABurstWaitsForTheQuietPeriod() {
        var b = batch
        b.note(at: t0)
        b.clear()
        b.reloaded(at: t0)
        b.note(at: t0 + .milliseconds(100))
        b.note(at: t0 + .milliseconds(300))
        #expect(b.due == t0 + .milliseconds(500))
    }

    @Test func additionsMadeAtRunTimeStartNoCalmSpell() {
        var b = batch
        b.note(at: t0)
        b.clear()
        // Applied without a reload: the next addition is due at once too.
        b.note(at: t0 + .milliseconds(100))
        #expect(b.due == t0 + .milliseconds(100))
    }

    @Test func removalsAreNeverAppliedAtOnce() {
        var b = batch
        b.note(at: t0, urgent: false)
        #expect(b.due == t0 + .seconds(2))
        // An addition after the calm spell makes the whole batch due.
        b.note(at: t0 + .seconds(1), urgent: true)
        #expect(b.due == t0 + .seconds(1))
    }

    @Test func withoutACalmPeriodEveryBatchWaits() {
        var b = batch
        b.calm = nil
        b.note(at: t0)
        #expect(b.due == t0 + .milliseconds(200))
    }
}
