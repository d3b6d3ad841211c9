import Foundation

// The one place where the configuration file's values meet the flags: each
// value fills only what the command line left unset, so a flag always wins,
// and the environment's secrets win over the file's paths to secrets.

extension GossipOptions {
    mutating func adopt(_ p: ClusterProfile) {
        // Joining and reading an agent are one choice: a flag for either
        // leaves the file's choice out entirely.
        if join.isEmpty && rpc == nil {
            join = p.join ?? []
            rpc = p.rpc
        }
        bind = bind ?? p.bind
        advertise = advertise ?? p.advertise
        encryptKeyFile = encryptKeyFile ?? p.encryptKeyFile
        keyringFile = keyringFile ?? p.keyringFile
        profile = profile ?? p.profile
    }
}

extension StatsLoginOptions {
    mutating func adopt(_ p: ClusterProfile, environment: [String: String]) {
        let flagged = [user, oldUser, password, oldPassword, passwordFile, oldPasswordFile].contains { $0 != nil }
        guard !flagged else { return }
        user = p.statsUser
        if (environment[Self.passwordVariable] ?? "").isEmpty { passwordFile = p.statsPasswordFile }
    }
}

extension StatsCredentialOptions {
    mutating func adopt(_ p: ClusterProfile, environment: [String: String]) {
        login.adopt(p, environment: environment)
        if trusted.isEmpty { trusted = p.statsCredentialsFor ?? [] }
    }
}

extension ActionKeyOptions {
    mutating func adopt(_ p: ClusterProfile, environment: [String: String]) {
        let inEnvironment = [Self.fileVariable, Self.keyVariable].contains { !(environment[$0] ?? "").isEmpty }
        if file == nil && !inEnvironment { file = p.actionKeyFile }
    }
}

extension RuntimeAPIOptions {
    mutating func adopt(_ p: ClusterProfile) {
        if runtimeAPI == nil && haproxyAdmin == nil { runtimeAPI = p.runtimeAPI }
    }
}

extension BackendRoleOptions {
    mutating func adopt(_ p: ClusterProfile) {
        if backendRole == nil && oldRole == nil { backendRole = p.backendRole }
    }
}

// Commands' own flags.

extension DashboardCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        gossip.adopt(p)
        credentials.adopt(p, environment: env)
        actionKey.adopt(p, environment: env)
        runtimeAPI.adopt(p)
        backendRole.adopt(p)
        statsPages.adopt(p)
        master = master ?? p.haproxyMaster
        readOnly = readOnly ?? p.readOnly
        theme = theme ?? p.theme
        refresh = refresh ?? p.refresh
    }
}

extension StatsPageOptions {
    mutating func adopt(_ p: ClusterProfile) {
        if statsURLs.isEmpty { statsURLs = p.haproxy ?? [] }
    }
}

extension SnapshotCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        gossip.adopt(p)
        credentials.adopt(p, environment: env)
        backendRole.adopt(p)
        statsPages.adopt(p)
        theme = theme ?? p.theme
    }
}

extension MembersCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        gossip.adopt(try config.profile(environment: env))
    }
}

extension MonitorCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        gossip.adopt(try config.profile(environment: env))
    }
}

extension EventCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        gossip.adopt(try config.profile(environment: env))
    }
}

extension QueryCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        gossip.adopt(p)
        actionKey.adopt(p, environment: env)
    }
}

extension StatsCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        if urls.isEmpty { urls = p.haproxy ?? Self.defaultPages }
        login.adopt(p, environment: env)
    }
}

extension ServerCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        // A stats page named on the command line is where to act: the
        // file's runtime API would be tried first and win over the flag.
        if url == nil { runtimeAPI.adopt(p) }
        login.adopt(p, environment: env)
    }
}

extension ReloadCommand {
    mutating func adoptConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let p = try config.profile(environment: env)
        // A --pid alone signals that master; a master CLI from the file
        // might be another host's.
        if pid == nil { master = master ?? p.haproxyMaster }
    }
}
