import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Requests through the demo's site, so that a recording shows traffic
/// moving: a few browsers, each with a keep-alive connection and its own
/// session cookie (HAProxy's SERVERID), share `rate` requests a second.
/// Now and then a browser forgets its cookie, as a new visitor would, so
/// sessions keep spreading over the nodes, new ones included.
final class DemoTraffic: Sendable {
    let site: String
    private let client: HTTPClient
    private let state: Mutex<(rate: Double, cookies: [String?], sent: Int, failed: Int)>
    /// Requests in flight beyond this are skipped, not queued: a slow site
    /// must not turn the demo into a load test.
    let maxInFlight = 32
    private let inFlight = Atomic<Int>(0)

    init(site: String, rate: Double, browsers: Int = 8) {
        self.site = site
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(2), read: .seconds(5))
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: browsers)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        state = Mutex((rate, Array(repeating: nil, count: max(1, browsers)), 0, 0))
    }

    var rate: Double {
        get { state.withLock { $0.rate } }
        set { state.withLock { $0.rate = max(0, newValue) } }
    }

    /// Requests sent and requests that failed (no answer, or not 2xx/3xx).
    var counts: (sent: Int, failed: Int) { state.withLock { ($0.sent, $0.failed) } }

    /// Sends at the current rate until cancelled; a rate of 0 idles.
    func run() async {
        let clock = ContinuousClock()
        var next = clock.now
        var turn = 0
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let rate = self.rate
                guard rate > 0 else {
                    try? await Task.sleep(for: .milliseconds(200))
                    next = clock.now
                    continue
                }
                next = max(next + .seconds(1 / rate), clock.now - .seconds(1))
                try? await clock.sleep(until: next)
                guard !Task.isCancelled else { break }
                let browser = turn
                turn += 1
                guard inFlight.add(1, ordering: .relaxed).newValue <= maxInFlight else {
                    inFlight.subtract(1, ordering: .relaxed)
                    continue
                }
                group.addTask {
                    await self.visit(browser: browser)
                    self.inFlight.subtract(1, ordering: .relaxed)
                }
            }
            group.cancelAll()
        }
        try? await client.shutdown()
    }

    private func visit(browser turn: Int) async {
        let (slot, cookie) = state.withLock { s -> (Int, String?) in
            let slot = turn % s.cookies.count
            // About one visit in 150 is a new visitor on that browser.
            if turn % 150 == 149 { s.cookies[slot] = nil }
            return (slot, s.cookies[slot])
        }
        var request = HTTPClientRequest(url: site)
        if let cookie { request.headers.add(name: "Cookie", value: "SERVERID=\(cookie)") }
        var ok = false
        var fresh: String?
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            ok = (200 ..< 400).contains(response.status.code)
            fresh = response.headers["Set-Cookie"].lazy.compactMap(Self.serverID).first
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            ok = false
        }
        state.withLock { s in
            s.sent += 1
            if !ok { s.failed += 1 }
            if let fresh { s.cookies[slot] = fresh }
        }
    }

    /// The value of a `SERVERID=…` Set-Cookie header.
    static func serverID(_ header: String) -> String? {
        guard header.hasPrefix("SERVERID=") else { return nil }
        let value = header.dropFirst("SERVERID=".count).prefix { $0 != ";" }
        return value.isEmpty ? nil : String(value)
    }
}
