import Testing

@testable import Experiments

/// The rule `quanzi ab analyze` applies on PostgreSQL: did the nodes that served an experiment
/// serve the same versions of the files that decided it, at the same time?
@Suite("node version agreement")
struct NodeVersionAgreementTests {
    static let experimentFile = "/srv/a/experiments/campus-comment-credit.lua"
    static let v1 = "1111111111111111", v2 = "2222222222222222"
    static let p1 = "aaaaaaaaaaaaaaaa", p2 = "bbbbbbbbbbbbbbbb"
    static let grace: Int64 = 180

    static func row(
        _ node: String, _ folder: ScriptFileVersion.Folder, _ path: String, _ version: String, from: Int64, until: Int64?,
        seen: Int64? = nil
    ) -> ServedScriptFile {
        ServedScriptFile(
            node: node, file: ScriptFileVersion(folder: folder, path: path, version: version), servedFromEpochSeconds: from,
            servedUntilEpochSeconds: until, seenAtEpochSeconds: seen ?? until ?? from)
    }

    static func experimentRow(_ node: String, _ version: String, from: Int64, until: Int64?, seen: Int64? = nil, folder: String = "/srv/a")
        -> ServedScriptFile
    {
        row(node, .experiments, "\(folder)/experiments/campus-comment-credit.lua", version, from: from, until: until, seen: seen)
    }

    static func check(_ served: [ServedScriptFile], plugins: Set<String> = [], window: Range<Int64> = 0..<1_000) -> [NodeDisagreement] {
        NodeVersionAgreement.disagreements(
            served: served, experimentFile: experimentFile, exposingPluginVersions: plugins, window: window, openRowGraceSeconds: grace)
    }

    @Test("two nodes serving different versions of the experiment's file at once disagree, over exactly the overlap")
    func experimentFileOverlap() throws {
        // Paths differ (each node loads its own checkout): files are compared by folder and name.
        let found = Self.check([
            Self.experimentRow("node-b", Self.v2, from: 300, until: 700, folder: "/srv/b"),
            Self.experimentRow("node-a", Self.v1, from: 100, until: 500),
        ])
        #expect(
            found == [
                NodeDisagreement(
                    evidence: .served, folder: .experiments, file: "campus-comment-credit.lua",
                    first: .init(node: "node-a", version: Self.v1),
                    second: .init(node: "node-b", version: Self.v2), fromEpochSeconds: 300, untilEpochSeconds: 500)
            ])
        #expect(found[0].description.contains("for 200 s at once"))
    }

    @Test("the same version everywhere, a rollout with no overlap, or one node's own reload is agreement")
    func agreements() {
        #expect(
            Self.check([
                Self.experimentRow("node-a", Self.v1, from: 0, until: 900), Self.experimentRow("node-b", Self.v1, from: 100, until: 800),
            ])
            .isEmpty)
        // Intervals are half-open: node-a stops serving v1 at the second node-b starts serving v2.
        #expect(
            Self.check([
                Self.experimentRow("node-a", Self.v1, from: 0, until: 400), Self.experimentRow("node-b", Self.v2, from: 400, until: 900),
            ])
            .isEmpty)
        #expect(
            Self.check([
                Self.experimentRow("node-a", Self.v1, from: 0, until: 400), Self.experimentRow("node-a", Self.v2, from: 400, until: nil),
            ])
            .isEmpty)
    }

    @Test("only the overlap inside the analysed window counts, clipped to it")
    func window() throws {
        let rows = [
            Self.experimentRow("node-a", Self.v1, from: 0, until: 600), Self.experimentRow("node-b", Self.v2, from: 100, until: 900),
        ]
        #expect(Self.check(rows, window: 600..<1_000).isEmpty, "the overlap ended before the first exposure")
        let clipped = try #require(Self.check(rows, window: 400..<1_000).first)
        #expect(clipped.fromEpochSeconds == 400 && clipped.untilEpochSeconds == 600)
    }

    @Test("a circle plugin matters when it exposed users; other plugins' versions may differ")
    func plugins() {
        let rows = [
            Self.row("node-a", .plugins, "/srv/a/plugins/campus-diary.lua", Self.p1, from: 0, until: nil, seen: 990),
            Self.row("node-b", .plugins, "/srv/b/plugins/campus-diary.lua", Self.p2, from: 0, until: nil, seen: 990),
            Self.row("node-a", .plugins, "/srv/a/plugins/nearby.lua", "cccccccccccccccc", from: 0, until: nil, seen: 990),
            Self.row("node-b", .plugins, "/srv/b/plugins/nearby.lua", "dddddddddddddddd", from: 0, until: nil, seen: 990),
        ]
        // Only node-b's version exposed users; campus-diary still matters on every node.
        let found = Self.check(rows, plugins: [Self.p2])
        #expect(
            found == [
                NodeDisagreement(
                    evidence: .served, folder: .plugins, file: "campus-diary.lua", first: .init(node: "node-a", version: Self.p1),
                    second: .init(node: "node-b", version: Self.p2), fromEpochSeconds: 0, untilEpochSeconds: 1_000)
            ])
        #expect(Self.check(rows, plugins: []).isEmpty, "no plugin exposed anyone (the API did)")
    }

    @Test("an open row ends a grace after the node was last seen: a crashed node stops counting")
    func openRows() throws {
        let live = Self.experimentRow("node-b", Self.v2, from: 100, until: nil, seen: 950)
        let crashed = Self.experimentRow("node-a", Self.v1, from: 0, until: nil, seen: 200)
        let found = try #require(Self.check([crashed, live]).first)
        #expect(found.fromEpochSeconds == 100 && found.untilEpochSeconds == 200 + Self.grace)
        let longGone = Self.experimentRow("node-a", Self.v1, from: 0, until: nil, seen: 20)
        #expect(Self.check([longGone, Self.experimentRow("node-b", Self.v2, from: 500, until: nil, seen: 950)]).isEmpty)
    }

    @Test("several overlaps of the same two versions are one disagreement over their span")
    func merged() throws {
        let rows = [
            Self.experimentRow("node-a", Self.v1, from: 0, until: 200), Self.experimentRow("node-a", Self.v1, from: 600, until: 800),
            Self.experimentRow("node-b", Self.v2, from: 100, until: 700),
        ]
        let found = Self.check(rows)
        #expect(found.count == 1)
        #expect(found.first?.fromEpochSeconds == 100 && found.first?.untilEpochSeconds == 700)
    }

    @Test("the exposures alone: different nodes under different experiment versions in overlapping time")
    func exposures() {
        func exposure(_ node: String?, _ version: String?, _ at: Int64) -> NodeExposure {
            NodeExposure(node: node, experimentVersion: version, atEpochSeconds: at)
        }
        let overlapping = [
            exposure("node-a", Self.v1, 100), exposure("node-a", Self.v1, 400), exposure("node-b", Self.v2, 300),
            exposure("node-b", Self.v2, 900),
        ]
        #expect(
            NodeVersionAgreement.disagreements(exposures: overlapping, experimentFile: Self.experimentFile) == [
                NodeDisagreement(
                    evidence: .exposures, folder: .experiments, file: "campus-comment-credit.lua",
                    first: .init(node: "node-a", version: Self.v1),
                    second: .init(node: "node-b", version: Self.v2), fromEpochSeconds: 300, untilEpochSeconds: 400)
            ])
        // A rollout: node-a's v1 exposures all came before node-b's first v2 exposure.
        let sequential = [exposure("node-a", Self.v1, 100), exposure("node-a", Self.v2, 500), exposure("node-b", Self.v2, 300)]
        #expect(NodeVersionAgreement.disagreements(exposures: sequential, experimentFile: Self.experimentFile).isEmpty)
        // Rows with no node (SQLite) or no version (older than versions) say nothing.
        let unknown = [exposure(nil, Self.v1, 100), exposure("node-b", nil, 100), exposure("node-a", Self.v1, 100)]
        #expect(NodeVersionAgreement.disagreements(exposures: unknown, experimentFile: Self.experimentFile).isEmpty)
    }
}
