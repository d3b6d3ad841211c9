import Serf

/// What the configuration file says about one cluster: its `defaults:` with
/// the cluster's own settings laid over them. Every value is optional: a
/// flag given on the command line always wins over it.
struct ClusterProfile: Equatable, Sendable {
    var join: [String]?
    var rpc: String?
    var bind: String?
    var advertise: String?
    var encryptKeyFile: String?
    var keyringFile: String?
    var profile: SerfMemberConfig.Profile?
    var haproxy: [String]?
    var statsUser: String?
    var statsPasswordFile: String?
    var statsCredentialsFor: [String]?
    var runtimeAPI: String?
    var haproxyMaster: String?
    var actionKeyFile: String?
    var backendRole: String?
    var readOnly: Bool?
    var theme: String?
    var refresh: Double?

    /// `self` laid over `base`. How to reach the cluster (`join` or `rpc`)
    /// and who logs in to the stats pages (user and password file) are each
    /// one choice: a cluster that names one part replaces the whole of the
    /// defaults' choice, so a cluster's join never meets another's agent, nor
    /// its user another user's password.
    func over(_ base: ClusterProfile) -> ClusterProfile {
        var out = base
        if join != nil || rpc != nil { out.join = join; out.rpc = rpc }
        if statsUser != nil || statsPasswordFile != nil { out.statsUser = statsUser; out.statsPasswordFile = statsPasswordFile }
        out.bind = bind ?? base.bind
        out.advertise = advertise ?? base.advertise
        out.encryptKeyFile = encryptKeyFile ?? base.encryptKeyFile
        out.keyringFile = keyringFile ?? base.keyringFile
        out.profile = profile ?? base.profile
        out.haproxy = haproxy ?? base.haproxy
        out.statsCredentialsFor = statsCredentialsFor ?? base.statsCredentialsFor
        out.runtimeAPI = runtimeAPI ?? base.runtimeAPI
        out.haproxyMaster = haproxyMaster ?? base.haproxyMaster
        out.actionKeyFile = actionKeyFile ?? base.actionKeyFile
        out.backendRole = backendRole ?? base.backendRole
        out.readOnly = readOnly ?? base.readOnly
        out.theme = theme ?? base.theme
        out.refresh = refresh ?? base.refresh
        return out
    }
}
