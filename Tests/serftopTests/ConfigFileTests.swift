import Foundation
import Testing
@testable import serftop

/// The configuration file as an operator with three clusters writes it.
@Suite struct ConfigFileTests {
    static let sample = """
    defaults:
      theme: dark
      read-only: true
      stats-user: ops
      stats-password-file: stats.pw
    clusters:
      prod:
        join: [ha1.prod.example:7946, ha2.prod.example]
        keyring-file: ~/keys/prod.keyring
        runtime-api: tcp://10.0.0.1:9999
        action-key-file: /etc/serftop/prod.key
        haproxy: http://ha1.prod.example:1936/
        stats-credentials-for: [ha1.prod.example]
      staging:
        join: ha.staging.example
        encrypt-key-file: staging.key
        read-only: false
        theme: light
        bind: 0.0.0.0:7950
      lab:
        rpc: 127.0.0.1:7373
        stats-user: admin

    """

    /// A file in a directory of its own; its path.
    static func write(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serftop-config-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("config.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let env = ["HOME": "/home/op"]

    static func parse(_ text: String) throws -> ConfigFile {
        try ConfigFile.parse(text, path: "/home/op/.config/serftop/config.yaml", environment: env)
    }

    /// The problem a broken file gives.
    static func problem(_ text: String, cluster: String? = nil) -> ConfigProblem? {
        do {
            _ = try parse(text).profile(cluster: cluster)
            return nil
        } catch {
            return error as? ConfigProblem
        }
    }

    @Test func theDefaultsApplyWithoutACluster() throws {
        let p = try Self.parse(Self.sample).profile(cluster: nil)
        #expect(p.theme == "dark")
        #expect(p.readOnly == true)
        #expect(p.statsUser == "ops")
        // Relative to the file, wherever the command runs.
        #expect(p.statsPasswordFile == "/home/op/.config/serftop/stats.pw")
        #expect(p.join == nil)
    }

    @Test func aNamedClusterLiesOverTheDefaults() throws {
        let file = try Self.parse(Self.sample)
        #expect(file.clusters.keys.sorted() == ["lab", "prod", "staging"])
        let prod = try file.profile(cluster: "prod")
        #expect(prod.join == ["ha1.prod.example:7946", "ha2.prod.example"])
        #expect(prod.keyringFile == "/home/op/keys/prod.keyring")
        #expect(prod.runtimeAPI == "tcp://10.0.0.1:9999")
        #expect(prod.haproxy == ["http://ha1.prod.example:1936/"])
        #expect(prod.theme == "dark" && prod.readOnly == true, "from the defaults")
        let staging = try file.profile(cluster: "staging")
        #expect(staging.join == ["ha.staging.example"], "a single value is a list of one")
        #expect(staging.encryptKeyFile == "/home/op/.config/serftop/staging.key")
        #expect(staging.readOnly == false && staging.theme == "light", "the cluster wins over the defaults")
        #expect(staging.bind == "0.0.0.0:7950")
    }

    @Test func theStatsLoginIsOneChoice() throws {
        // lab names its own user: the defaults' password file is not his.
        let lab = try Self.parse(Self.sample).profile(cluster: "lab")
        #expect(lab.statsUser == "admin")
        #expect(lab.statsPasswordFile == nil)
        #expect(lab.rpc == "127.0.0.1:7373" && lab.join == nil)
    }

    @Test func aClusterIsChosenByNameOnTheCommandLine() throws {
        let path = try Self.write(Self.sample)
        var command = try DashboardCommand.parseAsRoot(["--config", path, "--cluster", "prod"]) as! DashboardCommand
        try command.adoptConfiguration(environment: Self.env)
        #expect(command.gossip.join == ["ha1.prod.example:7946", "ha2.prod.example"])
        #expect(command.gossip.keyringFile == "/home/op/keys/prod.keyring")
        #expect(command.runtimeAPI.runtimeAPI == "tcp://10.0.0.1:9999")
        #expect(command.actionKey.file == "/etc/serftop/prod.key")
        #expect(command.statsPages.statsURLs == ["http://ha1.prod.example:1936/"])
        #expect(command.credentials.trusted == ["ha1.prod.example"])
        #expect(command.theme == "dark" && command.readOnly == true)

        let keyFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("staging.key").path
        try "cg8StVXbQJ0gPvMd9o7yrg==\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        var members = try MembersCommand.parseAsRoot(["--config", path, "--cluster", "staging"]) as! MembersCommand
        try members.adoptConfiguration(environment: Self.env)
        #expect(members.gossip.join == ["ha.staging.example"])
        let member = try members.gossip.memberConfig()
        #expect(member.bindPort == 7950)
        #expect(member.keys.count == 1, "the key from encrypt-key-file")
    }

    @Test func flagsWinOverTheClusterWhichWinsOverTheDefaults() throws {
        let path = try Self.write(Self.sample)
        var command = try DashboardCommand.parseAsRoot([
            "--config", path, "--cluster", "prod", "--join", "other:7946", "--theme", "monochrome",
            "--no-read-only", "--runtime-api", "unix:/run/haproxy/admin.sock", "--stats-user", "me",
        ]) as! DashboardCommand
        try command.adoptConfiguration(environment: Self.env)
        #expect(command.gossip.join == ["other:7946"], "a --join replaces the file's list, not adds to it")
        #expect(command.theme == "monochrome")
        #expect(command.readOnly == false)
        #expect(command.runtimeAPI.runtimeAPI == "unix:/run/haproxy/admin.sock")
        #expect(command.credentials.login.user == "me")
        #expect(command.credentials.login.passwordFile == nil, "the file's password is another user's")
        #expect(command.gossip.keyringFile == "/home/op/keys/prod.keyring", "what no flag gives still comes from the file")

        // --rpc is the other way to reach the cluster: the file's join is left out.
        var agent = try MembersCommand.parseAsRoot(["--config", path, "--cluster", "prod", "--rpc", "127.0.0.1:7373"]) as! MembersCommand
        try agent.adoptConfiguration(environment: Self.env)
        #expect(agent.gossip.join.isEmpty && agent.gossip.rpc == "127.0.0.1:7373")
    }

    @Test func aStatsPageOnTheCommandLineIsWhereServerActs() throws {
        let path = try Self.write(Self.sample)
        var viaPage = try ServerCommand.parseAsRoot(["drain", "nodes/s1", "--config", path, "--cluster", "prod",
                                                     "--haproxy", "http://127.0.0.1:1936/"]) as! ServerCommand
        try viaPage.adoptConfiguration(environment: Self.env)
        #expect(viaPage.runtimeAPI.runtimeAPI == nil)
        var viaFile = try ServerCommand.parseAsRoot(["drain", "nodes/s1", "--config", path, "--cluster", "prod"]) as! ServerCommand
        try viaFile.adoptConfiguration(environment: Self.env)
        #expect(viaFile.runtimeAPI.runtimeAPI == "tcp://10.0.0.1:9999")
    }

    @Test func theEnvironmentsSecretsWinOverTheFilesPaths() throws {
        let path = try Self.write(Self.sample)
        var command = try QueryCommand.parseAsRoot(["x", "--config", path, "--cluster", "prod"]) as! QueryCommand
        try command.adoptConfiguration(environment: Self.env.merging(["SERFTOP_ACTION_KEY_FILE": "/elsewhere.key"]) { $1 })
        #expect(command.actionKey.file == nil)
    }

    @Test func theFileIsFoundInTheUsualPlacesAndCanBeMissing() throws {
        let path = try Self.write(Self.sample)
        let xdg = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: xdg + "/serftop", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: xdg + "/serftop/config.yaml")
        let found = try ConfigOptions.parse(["--cluster", "prod"]).profile(environment: ["XDG_CONFIG_HOME": xdg, "HOME": "/home/op"])
        #expect(found.runtimeAPI == "tcp://10.0.0.1:9999")
        let viaVariable = try ConfigOptions.parse(["--cluster", "lab"]).profile(environment: ["SERFTOP_CONFIG": path, "HOME": "/home/op"])
        #expect(viaVariable.rpc == "127.0.0.1:7373")

        let nowhere = ["XDG_CONFIG_HOME": "/nonexistent-\(UUID())"]
        #expect(try ConfigOptions.parse([]).profile(environment: nowhere) == ClusterProfile())
        #expect(throws: ConfigProblem.self) { try ConfigOptions.parse(["--cluster", "prod"]).profile(environment: nowhere) }
        #expect(throws: ConfigProblem.self) { try ConfigOptions.parse(["--config", "/nonexistent.yaml"]).profile(environment: nowhere) }
    }

    // MARK: Broken files: the file, the line, and what is wrong

    @Test func yamlSyntax() throws {
        let p = try #require(Self.problem("defaults:\n  theme: dark\n clusters: [\n"))
        #expect(p.file == "/home/op/.config/serftop/config.yaml")
        #expect(p.line == 3, "\(p)")
        #expect(p.reason.hasPrefix("YAML:"), "\(p)")
    }

    @Test func anUnknownKey() throws {
        let p = try #require(Self.problem("clusters:\n  prod:\n    join: ha\n    joins: ha2\n"))
        #expect(p.line == 4)
        #expect(p.reason.contains("cluster 'prod': unknown key 'joins'"), "\(p)")
        #expect(p.description.hasPrefix("/home/op/.config/serftop/config.yaml:4: "))
        let top = try #require(Self.problem("default:\n  theme: dark\n"))
        #expect(top.line == 1 && top.reason.contains("unknown key 'default'"), "\(top)")
    }

    @Test func aWrongType() throws {
        let flag = try #require(Self.problem("defaults:\n  theme: dark\n  read-only: maybe\n"))
        #expect(flag.line == 3 && flag.reason.contains("'read-only' takes true or false, not 'maybe'"), "\(flag)")
        let list = try #require(Self.problem("defaults:\n  theme: [dark, light]\n"))
        #expect(list.line == 2 && list.reason.contains("'theme' takes"), "\(list)")
        let number = try #require(Self.problem("defaults:\n  refresh: soon\n"))
        #expect(number.line == 2, "\(number)")
        let settings = try #require(Self.problem("clusters:\n  prod: ha1\n"))
        #expect(settings.line == 2, "\(settings)")
    }

    @Test func valuesAreCheckedAsTheFlagsCheckThem() throws {
        let address = try #require(Self.problem("clusters:\n  prod:\n    runtime-api: tcp://ha1:99999\n"))
        #expect(address.line == 3 && address.reason.contains("unix:/path or tcp://HOST:PORT"), "\(address)")
        let join = try #require(Self.problem("clusters:\n  prod:\n    join:\n      - ha1\n      - 'ha2:99999'\n"))
        #expect(join.line == 5, "the item's own line: \(join)")
        let theme = try #require(Self.problem("defaults:\n  theme: ../../etc/passwd\n"))
        #expect(theme.line == 2, "a theme name is never a path: \(theme)")
        let name = try #require(Self.problem("clusters:\n  --prod:\n    join: ha\n"))
        #expect(name.line == 2, "\(name)")
    }

    @Test func anUnknownClusterNamesTheFileAndTheKnownOnes() throws {
        let p = try #require(Self.problem(Self.sample, cluster: "prd"))
        #expect(p.file == "/home/op/.config/serftop/config.yaml")
        #expect(p.reason.contains("no cluster named 'prd'") && p.reason.contains("lab, prod, staging"), "\(p)")
    }

    @Test func secretsAreRefusedWithWhatToWriteInstead() throws {
        let key = try #require(Self.problem("clusters:\n  prod:\n    join: ha\n    encrypt: cg8StVXbQJ0gPvMd9o7yrg==\n"))
        #expect(key.line == 4 && key.reason.contains("encrypt-key-file:"), "\(key)")
        #expect(!key.description.contains("cg8StVXbQJ0gPvMd9o7yrg=="), "the message does not repeat the secret")
        let password = try #require(Self.problem("defaults:\n  stats-password: hunter2\n"))
        #expect(password.line == 2 && password.reason.contains("stats-password-file:"), "\(password)")
    }

    @Test func aBrokenFileStopsTheCommandNamingTheLine() throws {
        let path = try Self.write("clusters:\n  prod:\n    join: ha\n    bogus: 1\n")
        var command = try MonitorCommand.parseAsRoot(["--config", path, "--cluster", "prod"]) as! MonitorCommand
        #expect(throws: ConfigProblem(file: path, line: 4, reason: "cluster 'prod': unknown key 'bogus' (known: \(ConfigKey.known))")) {
            try command.adoptConfiguration(environment: Self.env)
        }
    }
}
