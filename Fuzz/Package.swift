// swift-tools-version:6.1
// Coverage-guided fuzz targets (libFuzzer, as the Swift toolchain ships it) for what a client
// sends: the feed cursor decoder and the request body decoders. A package of its own so the
// main package never builds with the fuzzer's instrumentation; it builds only the targets these
// need (Core, Feed, Social, Ledger, APIInput), instrumented. `make fuzz` runs each target for
// longer, `make test` briefly (scripts/fuzz.sh); the corpus in Fuzz/Corpus is kept in the repo.
import PackageDescription

let package = Package(
    name: "QuanziFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Quanzi", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzFeedCursor",
            dependencies: [.product(name: "Feed", package: "Quanzi"), .product(name: "Core", package: "Quanzi")]
        ),
        .executableTarget(
            name: "FuzzRequestBody",
            dependencies: [.product(name: "APIInput", package: "Quanzi"), .product(name: "Core", package: "Quanzi")]
        ),
    ]
)
