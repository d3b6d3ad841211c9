import Serf
import Testing

@Suite struct ActionSignatureTests {
    let key = try! ActionKey(secret: Array("a shared secret of some length".utf8))

    @Test func aSignedQueryVerifiesAndYieldsItsPayload() throws {
        let signed = key.sign(query: "serftop-server", payload: Array("drain web1".utf8), sender: "ops laptop", ltime: 41)
        let action = try key.verify(query: "serftop-server", signed: signed, queryLTime: 41).get()
        #expect(action.payload == Array("drain web1".utf8))
        #expect(action.sender == "ops laptop" && action.ltime == 41)
    }

    @Test func anythingChangedIsRefused() throws {
        let signed = key.sign(query: "serftop-server", payload: Array("drain web1".utf8), sender: "ops", ltime: 7)
        var tampered = signed
        tampered[6] = UInt8(ascii: "2")
        #expect(key.verify(query: "serftop-server", signed: tampered, queryLTime: 7) == .failure(.badSignature))
        #expect(key.verify(query: "serftop-reload", signed: signed, queryLTime: 7) == .failure(.badSignature))
        let other = try ActionKey(secret: Array("another secret, just as long".utf8))
        #expect(other.verify(query: "serftop-server", signed: signed, queryLTime: 7) == .failure(.badSignature))
        #expect(key.verify(query: "serftop-server", signed: Array("drain web1".utf8), queryLTime: 7) == .failure(.unsigned))
    }

    @Test func aSignatureOutsideItsWindowIsRefused() {
        let signed = key.sign(query: "serftop-reload", payload: [], sender: "ops", ltime: 100)
        #expect((try? key.verify(query: "serftop-reload", signed: signed, queryLTime: 100 + ActionKey.window).get()) != nil)
        #expect(key.verify(query: "serftop-reload", signed: signed, queryLTime: 101 + ActionKey.window) == .failure(.stale(signed: 100, query: 101 + ActionKey.window)))
        #expect(key.verify(query: "serftop-reload", signed: signed, queryLTime: 99) == .failure(.stale(signed: 100, query: 99)))
    }

    @Test func eachSignatureActsOnce() throws {
        var guardian = ReplayGuard(capacity: 2)
        let a = try key.verify(query: "q", signed: key.sign(query: "q", payload: [1], sender: "s", ltime: 1), queryLTime: 1).get()
        let b = try key.verify(query: "q", signed: key.sign(query: "q", payload: [2], sender: "s", ltime: 2), queryLTime: 2).get()
        let c = try key.verify(query: "q", signed: key.sign(query: "q", payload: [3], sender: "s", ltime: 3), queryLTime: 3).get()
        let first = guardian.accept(a), again = guardian.accept(a), other = guardian.accept(b)
        #expect(first && !again && other)
        // The oldest is forgotten past the capacity (the window refuses it by then).
        let third = guardian.accept(c), firstAgain = guardian.accept(a)
        #expect(third && firstAgain)
    }

    @Test func brokenTrailersAreUnsignedAndTheMarkerInsideAPayloadIsData() throws {
        let marker = "\n#serftop-signature v1 "
        for trailer in ["", "12", "x mac sender", "99999999999999999999999 mac sender", "12 mac"] {
            let signed = Array("drain web1\(marker)\(trailer)".utf8)
            #expect(key.verify(query: "q", signed: signed, queryLTime: 12) == .failure(.unsigned), "\(trailer)")
        }
        // A payload that itself holds the marker: the last one is the signature's.
        let payload = Array("drain web1\(marker)1 forged someone".utf8)
        let signed = key.sign(query: "q", payload: payload, sender: "ops", ltime: 5)
        #expect(try key.verify(query: "q", signed: signed, queryLTime: 5).get().payload == payload)
    }

    @Test func shortKeysAreRefused() {
        #expect(throws: ActionKeyError.self) { try ActionKey(secret: Array("short".utf8)) }
    }
}
