// swift-tools-version:6.1
// Benchmarks for Quanzi, kept in a package of their own so the main package never depends on
// ordo-one/benchmark (and its malloc interposer). `make bench` runs both parts:
//   swift package benchmark         the RuleEvaluation suite (Benchmarks/RuleEvaluation)
//   swift run -c release rule-eval-compare
//                                   Swift evaluation side by side with the same rule in lua5.4
//   swift package benchmark --target FeedRanking
//                                   feed ranking, 1k–1M candidates (Benchmarks/FeedRanking)
//   swift run -c release experiments-compare
//                                   assignment cost per call; analysis of 10 million events on
//                                   SQLite and (PG_URL or QUANZI_PG_URL set) PostgreSQL, side by side
//   swift run -c release feed-compare
//                                   feed ranking in Swift side by side with pure Lua in the host
//                                   and one SQLite query, with ratios and memory per candidate
import PackageDescription

let package = Package(
    name: "QuanziBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Quanzi", path: ".."),
        // The MallocInterposer trait alone: it gives the malloc metrics without the default
        // RuntimeInterposer trait, whose package is not available on this machine.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // feed-compare's SQLite baseline (the main package already resolves it for SQLiteStorage).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // experiments-compare loads its PostgreSQL world with COPY (the main package resolves it for PostgresStorage).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // What both executables measure: the plugin set, a data source, the users.
        .target(
            name: "RuleBenchFixtures",
            dependencies: [.product(name: "LuaHost", package: "Quanzi")]
        ),
        .executableTarget(
            name: "RuleEvaluation",
            dependencies: [
                "RuleBenchFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LuaHost", package: "Quanzi"),
            ],
            path: "Benchmarks/RuleEvaluation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "rule-eval-compare",
            dependencies: [
                "RuleBenchFixtures",
                .product(name: "LuaHost", package: "Quanzi"),
            ]
        ),
        // What the feed benchmarks rank: posts, a viewer, the weights (regenerated in Lua too).
        .target(
            name: "FeedBenchFixtures",
            dependencies: [.product(name: "Feed", package: "Quanzi"), .product(name: "Core", package: "Quanzi")]
        ),
        .executableTarget(
            name: "FeedRanking",
            dependencies: [
                "FeedBenchFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Feed", package: "Quanzi"),
                .product(name: "Core", package: "Quanzi"),
            ],
            path: "Benchmarks/FeedRanking",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "feed-compare",
            dependencies: [
                "FeedBenchFixtures",
                .product(name: "Feed", package: "Quanzi"),
                .product(name: "LuaHost", package: "Quanzi"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "experiments-compare",
            dependencies: [
                .product(name: "Experiments", package: "Quanzi"),
                .product(name: "SQLiteStorage", package: "Quanzi"),
                .product(name: "PostgresStorage", package: "Quanzi"),
                .product(name: "Core", package: "Quanzi"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ]
)
