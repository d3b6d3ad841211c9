/// The settings a cluster (or `defaults:`) may have in the configuration
/// file, spelled as the flags they stand for.
enum ConfigKey: String, CaseIterable {
    case join, rpc, bind, advertise
    case encryptKeyFile = "encrypt-key-file"
    case keyringFile = "keyring-file"
    case profile, haproxy
    case statsUser = "stats-user"
    case statsPasswordFile = "stats-password-file"
    case statsCredentialsFor = "stats-credentials-for"
    case runtimeAPI = "runtime-api"
    case haproxyMaster = "haproxy-master"
    case actionKeyFile = "action-key-file"
    case backendRole = "backend-role"
    case readOnly = "read-only"
    case theme, refresh

    /// Secrets the file may not hold, with what to write instead. The file
    /// is read by every command, kept in dotfile repositories and copied
    /// between hosts; a secret in it is a secret spread. Refused rather than
    /// warned about: a warning scrolls past over ssh, the file stays.
    static let refusedSecrets: [String: String] = [
        "encrypt": "put the key in a file of its own (mode 600) and name that file with `encrypt-key-file:`",
        "stats-password": "put the password in a file of its own (mode 600) and name that file with `stats-password-file:`",
        "password": "put the password in a file of its own (mode 600) and name that file with `stats-password-file:`",
        "action-key": "put the key in a file of its own (mode 600) and name that file with `action-key-file:`",
        "rpc-auth": "give the agent's RPC auth key with --rpc-auth",
    ]

    static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
