/// memberlist's command bytes: the first byte of every packet and stream.
public enum MessageType: UInt8, Sendable, CaseIterable {
    case ping = 0
    case indirectPing = 1
    case ackResp = 2
    case suspect = 3
    case alive = 4
    case dead = 5
    case pushPull = 6
    case compound = 7
    case user = 8
    case compress = 9
    case encrypt = 10
    case nackResp = 11
    case hasCRC = 12
    case err = 13
}
