import Core
import Experiments
import Testing

@testable import LuaHost

@Suite("script versions and the phase field")
struct ScriptVersionsTests {
    @Test("a file's version is the first 16 hex digits of the SHA-256 of its bytes, whatever its path")
    func fileVersion() {
        // sha256sum of "return 1\n" and of nothing.
        #expect(PluginSource(path: "plugins/a.lua", code: "return 1\n").version == "0805bfdc02e872ed")
        #expect(PluginSource(path: "elsewhere/b.lua", code: "return 1\n").version == "0805bfdc02e872ed")
        #expect(PluginSource.version(of: "") == "e3b0c44298fc1c14")
    }

    @Test("one changed byte is another version")
    func differentText() {
        let versions = ["return 1\n", "return 2\n", "return 1", "return  1\n", "return 1\r\n"].map(PluginSource.version(of:))
        #expect(Set(versions).count == versions.count)
        #expect(versions.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
    }

    static let files = [
        ScriptVersions.File(folder: .experiments, path: "experiments/metrics.lua", version: "1111111111111111"),
        ScriptVersions.File(folder: .plugins, path: "plugins/nearby.lua", version: "2222222222222222"),
        ScriptVersions.File(folder: .experiments, path: "experiments/campus-comment-credit.lua", version: "3333333333333333"),
        ScriptVersions.File(folder: .plugins, path: "plugins/campus-diary.lua", version: "4444444444444444"),
    ]

    @Test("the set's version does not depend on the order files are given in; files list plugins first, each by path")
    func setVersionIsOrderFree() {
        let reference = ScriptVersions(files: Self.files)
        #expect(reference.files.map(\.path) == [
            "plugins/campus-diary.lua", "plugins/nearby.lua", "experiments/campus-comment-credit.lua", "experiments/metrics.lua",
        ])
        var generator = SeededGenerator(seed: 23)
        for _ in 0..<20 {
            let shuffled = ScriptVersions(files: Self.files.shuffled(using: &generator))
            #expect(shuffled.setVersion == reference.setVersion)
            #expect(shuffled.files == reference.files)
        }
    }

    @Test("the set's version changes with any file's version, name or folder, but not with the folder's path")
    func setVersionNamesTheSet() {
        let reference = ScriptVersions(files: Self.files).setVersion
        var edited = Self.files
        edited[1].version = "2222222222222223"
        #expect(ScriptVersions(files: edited).setVersion != reference)
        var renamed = Self.files
        renamed[1].path = "plugins/nearby-v2.lua"
        #expect(ScriptVersions(files: renamed).setVersion != reference)
        var moved = Self.files
        moved[1].folder = .experiments
        #expect(ScriptVersions(files: moved).setVersion != reference)
        // An old checkout's files under another root are the same set.
        let elsewhere = Self.files.map { file in
            ScriptVersions.File(folder: file.folder, path: "/tmp/old-checkout/" + file.path, version: file.version)
        }
        #expect(ScriptVersions(files: elsewhere).setVersion == reference)
        #expect(ScriptVersions(files: Array(Self.files.dropLast())).setVersion != reference)
    }

    @Test("a loaded set's versions are its files' and name each circle's and experiment's file")
    func loadedVersions() throws {
        let set = try ReloadFixture.load()
        let versions = ScriptVersions(plugins: set.plugins, experiments: set.experiments)
        #expect(versions.files.map(\.path) == ["plugins/diary.lua", "experiments/comment-bar.lua", "experiments/metrics.lua"])
        #expect(versions.version(ofPath: "plugins/diary.lua") == PluginSource.version(of: ReloadFixture.circle))
        #expect(set.plugins.version(ofCircle: CircleID("diary")) == PluginSource.version(of: ReloadFixture.circle))
        #expect(set.experiments.version(ofExperiment: "comment-bar") == PluginSource.version(of: ReloadFixture.experiment()))
        #expect(set.experiments.version(ofExperiment: "nothing") == nil)
    }

    @Test("lines of a file's text, from 1, as Lua counts them")
    func textOfLines() {
        let source = PluginSource(path: "plugins/a.lua", code: "one\ntwo\nthree\n")
        #expect(source.text(ofLines: 2...3) == "two\nthree")
        #expect(source.text(ofLines: 1...1) == "one")
        #expect(source.text(ofLines: 3...9) == "three\n")
    }

    @Test("phase: an integer from 1, default 1")
    func phaseField() throws {
        let declared = try ExperimentSet.load([testMetrics, experimentSource("  traffic = 0.5, phase = 3,")])
        #expect(declared.experiment("ramped")?.phase == 3)
        let defaulted = try ExperimentSet.load([testMetrics, experimentSource("  traffic = 0.5,")])
        #expect(defaulted.experiment("ramped")?.phase == 1)
        let float = try ExperimentSet.load([testMetrics, experimentSource("  traffic = 0.5, phase = 2.0,")])
        #expect(float.experiment("ramped")?.phase == 2, "2.0 is an integral number, as for every integer field")
    }

    @Test("a phase below 1, a fraction or a string is refused at its line", arguments: [
        ("phase = 0,", "field 'phase' must be between 1 and 1000000, got 0"),
        ("phase = -2,", "field 'phase' must be between 1 and 1000000, got -2"),
        ("phase = 1.5,", "field 'phase' must be an integer, got 1.5"),
        ("phase = \"2\",", "field 'phase' must be an integer, got string"),
        ("phaze = 2,", "unknown field 'phaze' (did you mean 'phase'?)"),
    ])
    func badPhase(field: String, message: String) {
        #expect(experimentProblems("  traffic = 0.5,\n  \(field)") == ["experiments/test.lua:4: \(message)"])
    }
}
