import Core
import Experiments
import Social
import Testing

@testable import LuaHost

@Suite("reload compatibility: what a reload may do to live experiments")
struct ReloadCompatibilityTests {
    static func problems(from old: String, to new: String) throws -> [String] {
        let before = try ReloadFixture.load(experiment: old).experiments
        let after = try ReloadFixture.load(experiment: new).experiments
        return ReloadCompatibility.problems(old: before, new: after, isLive: { $0.status == .running }).map(\.description)
    }

    static let newWeights = "weight = 0.3, params = { min_credit = 750 }"

    @Test("changing a running experiment's weights without a new phase is refused at its declaration")
    func weightsWithoutPhase() throws {
        let new = ReloadFixture.experiment().replacing("weight = 0.5, params = { min_credit = 750 }", with: Self.newWeights)
            .replacing("weight = 0.5, params = { min_credit = 700 }", with: "weight = 0.7, params = { min_credit = 700 }")
        #expect(try Self.problems(from: ReloadFixture.experiment(), to: new) == [
            "experiments/comment-bar.lua:1: experiment 'comment-bar' is live: this edit moves users between variants "
                + "(weights 0.5/0.5 → 0.3/0.7); declare phase = 2 to start a fresh analysis window, or revert it"
        ])
    }

    @Test("the same edit with phase = 2 is accepted")
    func weightsWithNextPhase() throws {
        let new = ReloadFixture.experiment(phase: 2).replacing("weight = 0.5, params = { min_credit = 750 }", with: Self.newWeights)
            .replacing("weight = 0.5, params = { min_credit = 700 }", with: "weight = 0.7, params = { min_credit = 700 }")
        #expect(try Self.problems(from: ReloadFixture.experiment(), to: new).isEmpty)
    }

    @Test("a live experiment's phase may not go back, even when nothing else changes")
    func phaseGoingBack() throws {
        #expect(try Self.problems(from: ReloadFixture.experiment(phase: 3), to: ReloadFixture.experiment(phase: 2)) == [
            "experiments/comment-bar.lua:1: experiment 'comment-bar' is live in phase 3: its phase may not go back to 2"
        ])
    }

    @Test("traffic, a ramp and params change nobody's variant: accepted in the same phase", arguments: [
        ("traffic = 0.1,", "traffic = 0.4,"),
        ("traffic = 0.1,", "ramp = { { traffic = 0.1, hold_hours = 2 }, { traffic = 0.5 } },"),
        ("min_credit = 700", "min_credit = 650"),
    ])
    func movesNobody(target: String, replacement: String) throws {
        let new = ReloadFixture.experiment().replacing(target, with: replacement)
        #expect(try Self.problems(from: ReloadFixture.experiment(), to: new).isEmpty)
    }

    @Test("a draft experiment may be edited freely: nobody is in it")
    func draftEdits() throws {
        let old = ReloadFixture.experiment(status: "draft")
        let new = old.replacing("id = \"comment-bar\",", with: "id = \"comment-bar\",\n  seed = \"reshuffled\",")
            .replacing("weight = 0.5, params = { min_credit = 750 }", with: Self.newWeights)
            .replacing("weight = 0.5, params = { min_credit = 700 }", with: "weight = 0.7, params = { min_credit = 700 }")
        #expect(try Self.problems(from: old, to: new).isEmpty)
        // The same edit, had the experiment been running, would be refused: the draft is why it passes.
        #expect(try Self.problems(from: old.replacing("\"draft\"", with: "\"running\""), to: new.replacing("\"draft\"", with: "\"running\"")).count == 1)
    }

    @Test("an experiment new in the reload is no refusal; a live one that is gone is, at its old declaration, and a stopped one is not")
    func addedAndRemoved() throws {
        let before = try ReloadFixture.load(plugins: [:], experiments: ["metrics.lua": ReloadFixture.metrics]).experiments
        let after = try ReloadFixture.load().experiments
        #expect(ReloadCompatibility.problems(old: before, new: after, isLive: { _ in true }).isEmpty)
        let removed = ReloadCompatibility.problems(old: after, new: before, isLive: { _ in true })
        #expect(removed.count == after.experiments.count)
        #expect(removed.map(\.location) == after.experiments.map { SourceLocation(file: $0.file, line: $0.line) })
        #expect(removed.allSatisfy { $0.message.contains("stop it") })
        #expect(ReloadCompatibility.problems(old: after, new: before, isLive: { _ in false }).isEmpty)
    }
}
