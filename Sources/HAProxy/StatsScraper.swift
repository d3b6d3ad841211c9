import AsyncHTTPClient
import ConnectionErrors
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches stats pages over HTTP with keep-alive. Each balancer has its own
/// deadline, so a slow one never holds up the others.
public final class StatsScraper: Sendable {
    let client: HTTPClient
    public let timeout: Duration
    /// Bodies larger than this are refused (a balancer of 100k servers is ~40 MB).
    public let maxBody = 64 << 20

    public init(connectTimeout: Duration = .seconds(2), timeout: Duration = .seconds(5)) {
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                              timeout: .init(connect: .init(connectTimeout), read: .init(timeout)))
        config.connectionPool = .init(idleTimeout: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        self.timeout = timeout
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// A scraper dropped without `shutdown()` (a caller that threw, a view
    /// torn down early) must not leave its client running: AsyncHTTPClient
    /// traps on that in debug builds, and leaks in release ones. A second
    /// shutdown only reports that it was done already.
    deinit {
        client.shutdown { _ in }
    }

    /// The raw CSV body. Gathered whole on the event loop and handed over
    /// once: reading it as an async stream cost a task switch per chunk.
    public func fetch(_ endpoint: StatsEndpoint) async throws -> [UInt8] {
        let response: HTTPClient.Response
        do {
            var headers = HTTPHeaders()
            if let auth = endpoint.authorization { headers.add(name: "Authorization", value: auth) }
            let request = try HTTPClient.Request(url: endpoint.csvURL, headers: headers)
            let accumulator = ResponseAccumulator(request: request, maxBodySize: maxBody)
            let task = client.execute(request: request, delegate: accumulator, deadline: .now() + .init(timeout))
            // A future does not hear of its task's cancellation: a scrape of
            // a blackholed balancer would hold a quitting dashboard for the
            // whole timeout.
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw HAProxyError.unreachable(what: "the stats page", address: endpoint.authority,
                                           reason: "the page is larger than \(maxBody >> 20) MB")
        } catch {
            throw Self.describe(error, endpoint)
        }
        guard response.status == .ok else {
            throw HAProxyError.http(status: Int(response.status.code), url: endpoint.csvURL, hint: Self.hint(response.status, endpoint))
        }
        return response.body.map { Array($0.readableBytesView) } ?? []
    }

    /// One scrape, parsed.
    public func scrape(_ endpoint: StatsEndpoint) async throws -> StatsSnapshot {
        let body = try await fetch(endpoint)
        do {
            return try StatsCSVParser.parse(body)
        } catch {
            throw HAProxyError.parse(error, url: endpoint.csvURL)
        }
    }

    /// Scrapes every endpoint at once; each result stands alone.
    public func scrapeAll(_ endpoints: [StatsEndpoint]) async -> [StatsEndpoint: Result<StatsSnapshot, HAProxyError>] {
        await withTaskGroup(of: Scraped.self) { group in
            for e in endpoints {
                group.addTask {
                    do { return Scraped(endpoint: e, result: .success(try await self.scrape(e))) } catch let error as HAProxyError {
                        return Scraped(endpoint: e, result: .failure(error))
                    } catch {
                        return Scraped(endpoint: e, result: .failure(.unreachable(what: "the stats page", address: e.authority, reason: "\(error)")))
                    }
                }
            }
            var out: [StatsEndpoint: Result<StatsSnapshot, HAProxyError>] = [:]
            for await s in group { out[s.endpoint] = s.result }
            return out
        }
    }

    /// A task group's child result: a struct, as tuples holding a `Result`
    /// crashed in optimised builds.
    struct Scraped: Sendable {
        var endpoint: StatsEndpoint
        var result: Result<StatsSnapshot, HAProxyError>
    }

    static func hint(_ status: HTTPResponseStatus, _ endpoint: StatsEndpoint) -> String {
        switch status.code {
        case 401: return endpoint.username == nil
            ? "the stats page needs a user and password (USER:PASS@ in the URL, or the user and password flags; a balancer found through gossip gets them only when named with --stats-credentials-for \(endpoint.authority))"
            : "the stats page refused the user and password"
        case 403: return "the stats page refused access"
        case 404, 503: return "no stats page at this URL (check `stats uri` in haproxy.cfg; the default is /haproxy?stats)"
        default: return ""
        }
    }

    static func describe(_ error: any Error, _ endpoint: StatsEndpoint) -> HAProxyError {
        if let e = error as? HAProxyError { return e }
        let reason: String
        let http = error as? HTTPClientError
        if let http, [.connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout].contains(http) {
            reason = "no answer in time"
        } else if let http, [.bodyLengthMismatch, .remoteConnectionClosed].contains(http) {
            reason = "the connection closed before the page was complete"
        } else {
            let failure = ConnectionFailure(error)
            reason = failure == .timedOut ? "no answer in time" : "\(failure)"
        }
        return .unreachable(what: "the stats page", address: endpoint.authority, reason: reason)
    }
}

extension StatsScraper {
    /// HAProxy's version from the stats page's HTML ("HAProxy version 2.6.12-…");
    /// nil when the page hides it (`stats hide-version`) or cannot be read.
    public func version(_ endpoint: StatsEndpoint) async -> String? {
        var request = HTTPClientRequest(url: endpoint.pageURL)
        if let auth = endpoint.authorization { request.headers.add(name: "Authorization", value: auth) }
        guard let response = try? await client.execute(request, timeout: .init(timeout)), response.status == .ok,
              let body = try? await response.body.collect(upTo: 8 << 20) else { return nil }
        let html = String(buffer: body)
        guard let r = html.range(of: "HAProxy version ") else { return nil }
        let version = html[r.upperBound...].prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }
}
