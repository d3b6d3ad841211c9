import TestSupport

/// The agent configurations every interop test runs against.
enum ClusterKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case plain
    case encrypted
    case compressed

    var testDescription: String { rawValue }

    /// A fresh key per cluster (16 bytes: AES-128, as `-encrypt` allows).
    func options(key: String) -> SerfAgent.Options {
        var o = SerfAgent.Options()
        switch self {
        case .plain: break
        case .encrypted: o.encryptKey = key
        case .compressed: o.encryptKey = key; o.enableCompression = true
        }
        return o
    }

    var usesKey: Bool { self != .plain }
}

import Testing
