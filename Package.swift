// swift-tools-version:6.1
import PackageDescription

// Module layering (lower never imports higher):
//   RewardCore ← RewardVerifiers ← RewardModels ← RewardSearch / RewardEval / RewardServer ← rewardkit
//   RewardEngine (GGUF inference; needs only OpenBLAS and its C kernels) ← RewardModels
let releaseFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "RewardKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RewardCore", targets: ["RewardCore"]),
        .library(name: "RewardVerifiers", targets: ["RewardVerifiers"]),
        .library(name: "RewardEngine", targets: ["RewardEngine"]),
        .library(name: "RewardModels", targets: ["RewardModels"]),
        .library(name: "RewardEval", targets: ["RewardEval"]),
        .library(name: "RewardSearch", targets: ["RewardSearch"]),
        .executable(name: "rewardkit", targets: ["rewardkit"]),
        .executable(name: "rk-sandbox", targets: ["rk-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // HTTP server for `rewardkit serve`; only RewardServer depends on it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own NIO; RewardServer names it to run Swift tasks on the event loops.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Resumable label-synthesis jobs (`rewardkit label`); only RewardLabel depends on it.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // HTTP client for OpenAI-compatible backends (RewardSearch): NIO-based, so the binary does not link
        // FoundationNetworking (libcurl and ~30 shared objects loaded at every process start; issue 15).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // OpenBLAS loaded with dlopen on first engine use, not linked: a linked one ran its constructor and
        // spun worker threads in every process start (issue 15). Needs libopenblas0 at run time only.
        .target(name: "COpenBLAS"),
        // SSE2 byte scanning for the JSONL reader (quotes, backslashes, control and non-ASCII bytes).
        .target(name: "CJSONScan"),
        .target(name: "RewardCore",
                dependencies: ["CZlib", "CJSONScan", .product(name: "Yams", package: "Yams")],
                swiftSettings: releaseFlags),
        // System SQLite for untrusted queries (GRDB installs its own authorizer; see issue 13).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // The code-execution jail launcher: C, because only async-signal-safe calls may follow a
        // fork in a multithreaded Swift process; the code reward posix_spawns it.
        .executableTarget(name: "rk-sandbox", path: "Sources/rk-sandbox"),
        .target(name: "RewardVerifiers",
                dependencies: ["RewardCore", "CSQLite", .product(name: "BigInt", package: "BigInt")],
                swiftSettings: releaseFlags),
        // SIMD kernels with per-function AVX2 and run-time dispatch (Swift cannot target one function).
        .target(name: "CEngineKernels",
                cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        .target(name: "RewardEngine",
                dependencies: ["COpenBLAS", "CEngineKernels"],
                swiftSettings: releaseFlags),
        .target(name: "RewardModels",
                dependencies: ["RewardCore", "RewardVerifiers", "RewardEngine"],
                swiftSettings: releaseFlags),
        // Test-time search and PRM label synthesis; both sample through the `Generator` seam.
        .target(name: "RewardSearch",
                dependencies: ["RewardCore", "RewardVerifiers", "RewardEngine", "RewardModels",
                               .product(name: "AsyncHTTPClient", package: "async-http-client"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio")],
                swiftSettings: releaseFlags),
        // PRM step-label synthesis (MC, OmegaPRM, consensus) with jobs resumable from SQLite.
        .target(name: "RewardLabel",
                dependencies: ["RewardCore", "RewardVerifiers", "RewardSearch",
                               .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: releaseFlags),
        .target(name: "RewardEval",
                dependencies: ["RewardCore", "RewardVerifiers"],
                swiftSettings: releaseFlags),
        .target(name: "RewardServer",
                dependencies: ["RewardCore", .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: releaseFlags),
        .executableTarget(name: "rewardkit",
                          dependencies: ["RewardCore", "RewardVerifiers", "RewardEngine", "RewardModels", "RewardEval",
                                         "RewardServer",
                                         "RewardLabel", "RewardSearch",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: releaseFlags),
        .testTarget(name: "RewardCoreTests",
                    dependencies: ["RewardCore", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "RewardVerifiersTests",
                    dependencies: ["RewardVerifiers", .product(name: "PropertyBased", package: "swift-property-based")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "RewardEngineTests", dependencies: ["RewardEngine", "CZlib"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RewardModelsTests", dependencies: ["RewardModels"]),
        .testTarget(name: "RewardEvalTests", dependencies: ["RewardEval"]),
        .testTarget(name: "CLITests", dependencies: ["RewardCore", "rewardkit", "TestSupport"]),
        .testTarget(name: "RewardServerTests", dependencies: ["RewardServer", "RewardCore"]),
        .testTarget(name: "RewardSearchTests", dependencies: ["RewardSearch", "RewardEngine", "RewardVerifiers", "RewardCore", "RewardModels", "TestSupport"]),
        // Shared test helpers (the llama_cpp.server launcher) for the test targets above.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RewardLabelTests", dependencies: ["RewardLabel", "RewardSearch", "RewardCore",
                                                             .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
    ]
)
