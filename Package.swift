// swift-tools-version:6.2
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
]

let package = Package(
    name: "serftop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "serftop", targets: ["serftop"]),
        // For the benchmark package in Benchmarks/.
        .library(name: "SerftopLibraries", targets: ["Serf", "HAProxy", "BalancerContract", "Dashboard", "TerminalUI", "Balancer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // msgpack with the two profiles the wire needs (gossip, agent RPC)
        .target(name: "MessagePack"),
        // SWIM: wire messages, packet pipeline, pure state machine
        .target(name: "Memberlist", dependencies: [
            "MessagePack",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // why a connection failed, from the error's type and errno
        .target(name: "ConnectionErrors", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Serf on top of memberlist, and the agent RPC client
        .target(name: "Serf", dependencies: [
            "MessagePack", "Memberlist", "ConnectionErrors",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ] + nio),
        // stats CSV, scraper, runtime API, master CLI, stats-page admin form
        .target(name: "HAProxy", dependencies: [
            "ConnectionErrors",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // what `serftop balancer` and its clients agree on: query names, payloads, replies, roles
        .target(name: "BalancerContract", dependencies: ["Serf", "HAProxy"]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),
        // a SIGWINCH that also wakes the terminal thread's poll()
        .target(name: "CResizeSignal"),
        // cell grid, widgets, themes, input decoding; ncurses and memory screens
        .target(name: "TerminalUI", dependencies: [
            "CNCurses", "CResizeSignal",
            .product(name: "Yams", package: "Yams"),
        ]),
        // the dashboard: its model (members joined with servers, history,
        // events), the key table and reducer, views, actions and runtime
        .target(name: "Dashboard", dependencies: [
            "Serf", "HAProxy", "BalancerContract", "Presentation", "TerminalUI",
            .product(name: "Subprocess", package: "swift-subprocess"),
        ]),
        // what the commands print: members, events, stats as text or JSON
        .target(name: "Presentation", dependencies: ["Serf", "HAProxy", "TerminalUI"]),
        // membership -> server list -> haproxy.cfg -> validate -> runtime API or reload; metrics
        .target(name: "Balancer", dependencies: [
            "Serf", "HAProxy", "BalancerContract",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ] + nio),
        .executableTarget(name: "serftop", dependencies: [
            "Memberlist", "Serf", "HAProxy", "BalancerContract", "Presentation", "Dashboard", "TerminalUI", "Balancer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
        ], plugins: ["EmbedAssets"]),
        // The demo's template, web app and themes, compiled into serftop from
        // the package's own files, so that a copied binary runs the demo.
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["embed-assets"], path: "Sources/EmbedAssets"),
        .executableTarget(name: "embed-assets"),

        // The wire decoders under libFuzzer (scripts/fuzz); a corpus replayer otherwise.
        .executableTarget(name: "wire-fuzz", dependencies: ["Memberlist", "Serf", "MessagePack"], path: "Tests/Fuzz"),

        // Helpers for tests that start real processes (serf, haproxy, node, tmux).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MessagePackTests", dependencies: ["MessagePack"]),
        .testTarget(name: "MemberlistTests", dependencies: ["MessagePack", "Memberlist"]),
        .testTarget(name: "SerfTests", dependencies: [
            "MessagePack", "Memberlist", "Serf", "ConnectionErrors", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "HAProxyTests", dependencies: ["HAProxy", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "BalancerContractTests", dependencies: ["BalancerContract", "Serf", "HAProxy"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "PresentationTests", dependencies: ["Presentation", "Serf", "HAProxy", "TerminalUI"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "BalancerContract", "TerminalUI", "Serf", "HAProxy", "TestSupport"]),
        .testTarget(name: "BalancerTests", dependencies: ["Balancer", "BalancerContract", "Serf", "HAProxy", "TestSupport"]),
        .testTarget(name: "serftopTests", dependencies: [
            "serftop", "TerminalUI", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Serf", "HAProxy", "TerminalUI"]),
    ]
)
