import Serf

/// A cluster that exists only in the test: a fixed member list, an event
/// stream that stays open, and balancers that answer every query with "ok".
actor FakeMembership: MembershipSource {
    private(set) var list: [Member]
    private(set) var queries: [QueryRequest] = []
    private var subscribers: [AsyncThrowingStream<SerfEvent, any Error>.Continuation] = []

    init(_ members: [Member]) { list = members }

    /// Reads that never answer (a stopped agent), and how many of them
    /// ended by cancellation.
    private var hang = false
    private(set) var hanging = 0, cancelledReads = 0
    func hangReads() { hang = true }

    func members() async throws -> [Member] {
        guard hang else { return list }
        hanging += 1
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            cancelledReads += 1
            throw error
        }
        return list
    }

    func events() async throws -> AsyncThrowingStream<SerfEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SerfEvent.self)
        subscribers.append(continuation)
        return stream
    }

    func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws {}

    func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error> {
        queries.append(request)
        let answering = list.filter { $0.role == "balancer" }.map(\.name)
        return AsyncThrowingStream { continuation in
            for name in answering {
                continuation.yield(.ack(from: name))
                continuation.yield(.response(from: name, payload: Array("ok".utf8)))
            }
            continuation.finish()
        }
    }

    func querySender() async throws -> (name: String, queryTime: UInt64) { ("dashboard", 1) }

    func respond(to query: QueryEvent, payload: [UInt8]) async throws {}

    func join(_ addresses: [String]) async throws -> Int { 0 }

    /// The cluster changing behind the dashboard's back (nothing emitted).
    func replace(_ members: [Member]) { list = members }

    func emit(_ event: SerfEvent) { for s in subscribers { s.yield(event) } }

    func close() async throws {
        for s in subscribers { s.finish() }
    }
}
