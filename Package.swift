// swift-tools-version:6.1
// Quanzi: a Swift core (identity, graph, wallet, credit, feed, experiments) extended by
// sandboxed Lua plugins. Targets follow a strict dependency order (docs/architecture.md):
// Core ← Ledger, Credit, Social, Feed, Experiments ← StorageModel, LuaHost ← SQLiteStorage,
// PostgresStorage ← Service ← Server, Repl, Simulation ← QuanziCLI; APIInput (Core and the domain)
// is what Server decodes clients' bodies with. Only LuaHost sees the C Lua API, only SQLiteStorage GRDB,
// only PostgresStorage postgres-nio.
import PackageDescription

let package = Package(
    name: "Quanzi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quanzi", targets: ["QuanziCLI"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Social", targets: ["Social"]),
        .library(name: "LuaHost", targets: ["LuaHost"]),
        .library(name: "Feed", targets: ["Feed"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "SQLiteStorage", targets: ["SQLiteStorage"]),
        .library(name: "PostgresStorage", targets: ["PostgresStorage"]),
        .library(name: "APIInput", targets: ["APIInput"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `serve --notify-url` posts experiment changes with it (HTTP and TLS). Already in the graph
        // through hummingbird's HummingbirdTesting, so it adds no new package to resolve.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        // Settings from flags, QUANZI_* environment variables and a JSON file (QuanziCLI/Settings.swift).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        // The console's pages (Server/Console): logic-less templates that escape every value.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "Core"),
        // Running synchronous work off Swift's cooperative pool (`Blocking`), on swift-nio's
        // thread pools: apart from Core so the fuzz package builds Core with no dependency.
        .target(
            name: "BlockingWork",
            dependencies: ["Core", .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .target(name: "Social", dependencies: ["Core"]),
        .target(name: "Experiments", dependencies: ["Core"]),
        .target(name: "Ledger", dependencies: ["Core"]),
        .target(name: "Credit", dependencies: ["Core"]),
        .target(name: "Feed", dependencies: ["Core"]),
        // What the stores take and return, the storage protocols (StorageBackend and its
        // repositories), and the logic both storage backends share.
        .target(name: "StorageModel", dependencies: ["Core", "Social", "Ledger", "Credit", "Feed", "Experiments"]),
        .target(
            name: "SQLiteStorage",
            dependencies: [
                "Core", "Social", "Ledger", "Credit", "Feed", "Experiments", "StorageModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The stores on PostgreSQL, for several service nodes sharing one database. Kept apart
        // from SQLiteStorage so GRDB and postgres-nio never meet in one module; StorageModel holds
        // what both share.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Core", "Ledger", "Social", "Credit", "Feed", "Experiments", "StorageModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "LuaHost",
            dependencies: [
                "Core", "Social", "Experiments", "CLuaShim", "CLua",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Service",
            dependencies: ["BlockingWork", "Core", "Social", "Ledger", "Credit", "Feed", "Experiments", "StorageModel", "LuaHost"]
        ),
        .target(
            name: "Simulation",
            dependencies: ["Core", "Social", "Ledger", "Credit", "Feed", "Experiments", "StorageModel", "SQLiteStorage", "LuaHost", "Service"]
        ),
        // What clients may send the HTTP API, decoded strictly (no HTTP framework: the fuzz
        // package in Fuzz/ builds it alone).
        .target(name: "APIInput", dependencies: ["Core", "Social", "Ledger"]),
        .target(
            name: "Server",
            dependencies: [
                "BlockingWork", "Core", "Social", "Ledger", "Credit", "Feed", "Experiments", "StorageModel", "LuaHost", "Service", "APIInput",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "Repl",
            dependencies: ["Core", "Social", "Ledger", "Credit", "Experiments", "StorageModel", "LuaHost", "Service", "CEditLine"]
        ),
        .executableTarget(
            name: "QuanziCLI",
            dependencies: [
                "BlockingWork", "Core", "Social", "LuaHost", "SQLiteStorage", "PostgresStorage", "Ledger", "Service", "Server", "Repl", "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(
            name: "FeedTests",
            dependencies: ["Feed", "Core", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "SocialTests", dependencies: ["Social", "Core"]),
        .testTarget(
            name: "APIInputTests",
            dependencies: ["APIInput", "Core", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "SQLiteStorage", "StorageModel", "LuaHost", "Social", "Ledger", "Core",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Service", "SQLiteStorage", "LuaHost", "Experiments", "Social", "Core"]),
        .testTarget(name: "ReplTests", dependencies: ["Repl", "Service", "SQLiteStorage", "LuaHost", "Social", "Core"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Service", "SQLiteStorage", "LuaHost", "Social", "Ledger", "Core",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "CreditTests",
            dependencies: ["Credit", "Core", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "SQLiteStorageTests",
            dependencies: [
                "SQLiteStorage", "StorageModel", "Credit", "Ledger", "Social", "Core",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: [
                "PostgresStorage", "SQLiteStorage", "StorageModel", "Ledger", "Social", "Credit", "Feed", "Experiments", "Core",
                "Service", "Server", "LuaHost",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: [
                "Experiments", "Core",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LuaHostTests",
            dependencies: ["LuaHost", "Social", "Experiments", "Core", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
    ]
)
