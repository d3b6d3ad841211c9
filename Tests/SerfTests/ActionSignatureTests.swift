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
        let first = guardian.accept(a), again = guardian.accept(a), other = guardian.accept(b)
        #expect(first && !again && other)
    }

    @Test func shortKeysAreRefused() {
        #expect(throws: ActionKeyError.self) { try ActionKey(secret: Array("short".utf8)) }
    }
}
