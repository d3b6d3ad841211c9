import Memberlist
import NIOCore
import NIOPosix

extension SerfMember {
    /// The cluster as the first seed to answer sees it, read with one
    /// push/pull that carries no member of ours: nothing joins, so nothing
    /// has to leave, and nobody logs a passing reader. `serftop members`
    /// uses this; anything that stays (monitor, dashboard) joins.
    public static func readMembers(through seeds: [String], config: SerfMemberConfig,
                                   loops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> [Member] {
        let keyring = config.keys.isEmpty ? nil : try Keyring(keys: config.keys)
        let codec = StreamCodec(keyring: keyring)
        let limits = StreamLimits()
        // Clocks at zero: the seed witnesses nothing from us.
        let empty = SerfMessage.pushPull(SerfPushPull(ltime: 0, statusLTimes: [:], leftMembers: [], eventLTime: 0,
                                                      events: [], queryLTime: 0)).encoded()
        let request = StreamMessage.pushPull(PushPull(join: false, nodes: [], userState: empty))
        let timeout = config.tcpTimeout
        return try await withThrowingTaskGroup(of: SeedAnswer.self) { asks in
            for seed in seeds {
                asks.addTask {
                    do {
                        let endpoint = try await resolve(seed)
                        let reply = try await exchange(request, with: endpoint, codec: codec, limits: limits,
                                                       group: loops, timeout: timeout)
                        switch reply {
                        case .pushPull(let state): return .members(SeedView.members(in: state))
                        case .error(let e): return .failure(seed, "refused: \(e.error)")
                        default: return .failure(seed, "answered with something other than its state")
                        }
                    } catch {
                        return .failure(seed, explain(error))
                    }
                }
            }
            var failures: [String: String] = [:]
            for try await answer in asks {
                switch answer {
                case .members(let members):
                    asks.cancelAll()
                    return members
                case .failure(let seed, let why):
                    failures[seed] = why
                }
            }
            throw SerfMemberError.noSeedReachable(failures)
        }
    }
}

private enum SeedAnswer: Sendable {
    case members([Member])
    case failure(String, String)
}
