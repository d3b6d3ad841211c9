// swift-tools-version:6.2
// Run with: swift package --package-path scripts/bench benchmark
import PackageDescription

let benchmark: [Target.Dependency] = [
    .product(name: "Benchmark", package: "benchmark"),
    .product(name: "SerftopLibraries", package: "serftop"),
]

let package = Package(
    name: "serftop-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "serftop", path: "../.."),
        // No jemalloc: the malloc counters are not worth a system library here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.29.0", traits: []),
    ],
    targets: [
        .executableTarget(name: "StatsParsing", dependencies: benchmark, path: "Benchmarks/StatsParsing",
                          plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "DashboardRender", dependencies: benchmark, path: "Benchmarks/DashboardRender",
                          plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
