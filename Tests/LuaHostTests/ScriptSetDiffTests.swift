import Core
import Experiments
import Social
import Testing

@testable import LuaHost

@Suite("script set diff: what a reload would change")
struct ScriptSetDiffTests {
    /// The experiment's text with weights 0.3/0.7 instead of 0.5/0.5.
    static func movedWeights(_ text: String) -> String {
        text.replacing("weight = 0.5, params = { min_credit = 750 }", with: "weight = 0.3, params = { min_credit = 750 }")
            .replacing("weight = 0.5, params = { min_credit = 700 }", with: "weight = 0.7, params = { min_credit = 700 }")
    }

    @Test("the same files are no change, and a reload of them is accepted")
    func sameFiles() throws {
        let set = try ReloadFixture.load()
        let diff = ScriptSetDiff(old: set, new: try ReloadFixture.load())
        #expect(diff.isEmpty && diff.isAccepted)
        #expect(diff.circlesChanged.isEmpty && diff.experimentsChanged.isEmpty)
        #expect(diff.description == "no changes: both sets are version \(ScriptVersions(plugins: set.plugins, experiments: set.experiments).setVersion)")
    }

    @Test("rule functions are kept as their source text, from `function` to `end`")
    func ruleAndTargetingTexts() throws {
        let set = try ReloadFixture.load(experiment: ReloadFixture.experiment().replacing(
            "  metrics = {", with: "  targeting = function(user)\n    return user.verified\n  end,\n  metrics = {"))
        #expect(set.plugins.ruleTexts[CircleID("diary")]?[.comment] == """
                comment = function(user, circle, post)
                  return quanzi.credit.score(user.id) >= 750, "credit 750+ required"
                end,
            """)
        #expect(set.plugins.ruleTexts[CircleID("diary")]?.keys.sorted { $0.rawValue < $1.rawValue } == [.comment, .view])
        #expect(set.experiments.targetingTexts["comment-bar"] == "  targeting = function(user)\n    return user.verified\n  end,")
    }

    @Test("an edited rule is changed; a rule that only moved down its file is not")
    func rulesByText() throws {
        let old = try ReloadFixture.load()
        let edited = try ReloadFixture.load(circle: ReloadFixture.circle.replacing(">= 750", with: ">= 700"))
        let editedDiff = ScriptSetDiff(old: old, new: edited)
        #expect(editedDiff.circlesChanged.map(\.rulesChanged) == [[.comment]])
        #expect(editedDiff.circlesChanged.first?.changes == [])

        let moved = try ReloadFixture.load(circle: "-- two more lines\n-- above every rule\n" + ReloadFixture.circle)
        #expect(moved.plugins.circles[0].ruleLocations[.comment]?.line == old.plugins.circles[0].ruleLocations[.comment].map { $0.line + 2 })
        let movedDiff = ScriptSetDiff(old: old, new: moved)
        let edit = try #require(movedDiff.circlesChanged.first)
        #expect(edit.rulesChanged.isEmpty && edit.rulesAdded.isEmpty && edit.rulesRemoved.isEmpty)
        #expect(edit.changes == [ScriptSetDiff.circleChangedElsewhere])
        #expect(movedDiff.files.map(\.name) == ["diary.lua"])
    }

    @Test("an experiment file edited outside its fields says so, and nothing about moving users")
    func experimentEditedElsewhere() throws {
        let diff = ScriptSetDiff(old: try ReloadFixture.load(), new: try ReloadFixture.load(experiment: "-- why\n" + ReloadFixture.experiment()))
        #expect(diff.experimentsChanged.map(\.changes) == [[ScriptSetDiff.experimentChangedElsewhere]])
        #expect(diff.description.hasSuffix("""
            experiments
              changed  comment-bar  experiments/comment-bar.lua:2  (running, phase 1)
                \(ScriptSetDiff.experimentChangedElsewhere)
            """))
    }

    @Test("rules added and removed, title, moderation, ranking weights and tests are each named")
    func circleFields() throws {
        let new = ReloadFixture.circle
            .replacing("title = \"Diary\"", with: "title = \"Diary (beta)\"")
            .replacing("    view = function(user, circle, post)\n      return true\n    end,\n", with: "")
            .replacing("  rules = {", with: "  rules = {\n    like = function(user) return true end,")
            .replacing("ranking = { w_affinity = 1.5 },", with: "ranking = { w_affinity = 2, max_per_author = 3 },\n  moderation = { keywords = { \"spam\" } },")
            .replacing("{ action = \"view\", expect = true, user = {} },", with: "{ action = \"like\", expect = true, user = {} },")
        let diff = ScriptSetDiff(old: try ReloadFixture.load(), new: try ReloadFixture.load(circle: new))
        let edit = try #require(diff.circlesChanged.first)
        #expect(edit.rulesAdded == [.like] && edit.rulesRemoved == [.view] && edit.rulesChanged.isEmpty)
        #expect(edit.changes == [
            "title \"Diary\" → \"Diary (beta)\"", "moderation.keywords +\"spam\"", "ranking.w_affinity 1.5 → 2", "ranking.max_per_author 2 → 3",
            "tests changed (1 → 1 cases)",
        ])
        #expect(diff.isAccepted)
    }

    @Test("a running experiment's weights edit moves users and is refused, with the same problems as ReloadCompatibility")
    func refusedMove() throws {
        let old = try ReloadFixture.load()
        let new = try ReloadFixture.load(experiment: Self.movedWeights(ReloadFixture.experiment()))
        let diff = ScriptSetDiff(old: old, new: new)
        let edit = try #require(diff.experimentsChanged.first)
        #expect(edit.wasLive && edit.movesUsers == ["weights 0.5/0.5 → 0.3/0.7"])
        #expect(edit.refusal?.contains("declare phase = 2") == true)
        #expect(!diff.isAccepted)
        #expect(diff.problems == ReloadCompatibility.problems(old: old.experiments, new: new.experiments, isLive: ScriptSetDiff.isLiveByFile))
        #expect(diff.problems.map(\.location) == [SourceLocation(file: "experiments/comment-bar.lua", line: 1)])
    }

    @Test("with the next phase the same edit is allowed, and the new phase is said")
    func allowedWithPhase() throws {
        let diff = ScriptSetDiff(old: try ReloadFixture.load(), new: try ReloadFixture.load(experiment: Self.movedWeights(ReloadFixture.experiment(phase: 2))))
        let edit = try #require(diff.experimentsChanged.first)
        #expect(edit.refusal == nil && diff.isAccepted)
        #expect(edit.oldPhase == 1 && edit.newPhase == 2)
        #expect(diff.description.contains("  changed  comment-bar  experiments/comment-bar.lua:1  (running, phase 1 → 2)\n"
            + "    new phase 2: a fresh analysis window (exposures and metrics of earlier phases are left out)\n"
            + "    moves users between variants: weights 0.5/0.5 → 0.3/0.7\n"
            + "    allowed: the new phase starts a fresh analysis window"))
    }

    @Test("a draft's move is allowed: nobody is in it")
    func draftMove() throws {
        let draft = ReloadFixture.experiment(status: "draft")
        let diff = ScriptSetDiff(old: try ReloadFixture.load(experiment: draft), new: try ReloadFixture.load(experiment: Self.movedWeights(draft)))
        #expect(diff.isAccepted)
        #expect(diff.experimentsChanged.first.map { !$0.wasLive && $0.refusal == nil && !$0.movesUsers.isEmpty } == true)
    }

    @Test("traffic, ramp, params, targeting, metrics and status changes move nobody and are listed")
    func changesThatMoveNobody() throws {
        let new = ReloadFixture.experiment()
            .replacing("traffic = 0.1,", with: "ramp = { { traffic = 0.1, hold_hours = 2 }, { traffic = 0.5 } },\n  min_exposed_per_variant = 50,")
            .replacing("min_credit = 700", with: "min_credit = 650, label = \"lower\"")
            .replacing("min_credit = 750", with: "min_credit = 750, label = \"same\"")
            .replacing("  metrics = {", with: "  targeting = function(user) return user.verified end,\n  alpha = 0.01,\n  metrics = {")
            .replacing("status = \"running\"", with: "status = \"stopped\"")
        let diff = ScriptSetDiff(old: try ReloadFixture.load(), new: try ReloadFixture.load(experiment: new))
        let edit = try #require(diff.experimentsChanged.first)
        #expect(edit.movesUsers.isEmpty && edit.refusal == nil && diff.isAccepted)
        #expect(edit.oldStatus == .running && edit.newStatus == .stopped)
        #expect(edit.changes == [
            "ramp none (traffic 10%) → 10% for 2h, 50%", "min_exposed_per_variant 100 → 50", "variants.control.params.label unset → \"same\"",
            "variants.treatment.params.label unset → \"lower\"",
            "variants.treatment.params.min_credit 700 → 650", "targeting added (fewer users may enter; none moves between variants)", "alpha 0.05 → 0.01",
        ])
        #expect(diff.description.contains("  changed  comment-bar  experiments/comment-bar.lua:1  (running → stopped, phase 1)\n    moves nobody between variants\n"))
    }

    @Test("metrics added, removed and changed")
    func metrics() throws {
        let old = try ReloadFixture.load(plugins: [:], experiments: ["metrics.lua": ReloadFixture.metrics])
        let new = try ReloadFixture.load(plugins: [:], experiments: ["metrics.lua": """
            return quanzi.metrics {
              { id = "posts_per_user", kind = "mean", event = "comment.created" },
              { id = "likers", kind = "proportion", event = "post.liked" },
            }
            """])
        let diff = ScriptSetDiff(old: old, new: new)
        #expect(diff.metricsAdded == ["likers"] && diff.metricsChanged == ["posts_per_user"] && diff.metricsRemoved.isEmpty)
        let back = ScriptSetDiff(old: new, new: old)
        #expect(back.metricsRemoved == ["likers"] && back.metricsAdded.isEmpty)
    }

    @Test("the whole text: files with versions, then circles, experiments, each sorted")
    func description() throws {
        let alpha = "return quanzi.circle { id = \"alpha\", title = \"Alpha\", rules = { view = function() return true end } }"
        let draft = ReloadFixture.experiment(status: "draft").replacing("\"comment-bar\"", with: "\"other\"")
        let editedCircle = ReloadFixture.circle.replacing(">= 750", with: ">= 700").replacing("w_affinity = 1.5", with: "w_affinity = 2")
        let editedExperiment = Self.movedWeights(ReloadFixture.experiment())
        let old = try ReloadFixture.load()
        let new = try ReloadFixture.load(plugins: ["diary.lua": editedCircle, "alpha.lua": alpha], experiments: [
            "comment-bar.lua": editedExperiment, "other.lua": draft, "metrics.lua": ReloadFixture.metrics,
        ])
        let version = PluginSource.version(of:)
        let diff = ScriptSetDiff(old: old, new: new)
        #expect(diff.description == """
            scripts \(ScriptVersions(plugins: old.plugins, experiments: old.experiments).setVersion) → \(ScriptVersions(plugins: new.plugins, experiments: new.experiments).setVersion)
            files
              added    plugins/alpha.lua  → \(version(alpha))
              changed  plugins/diary.lua  \(version(ReloadFixture.circle)) → \(version(editedCircle))
              changed  experiments/comment-bar.lua  \(version(ReloadFixture.experiment())) → \(version(editedExperiment))
              added    experiments/other.lua  → \(version(draft))
            circles
              added    alpha  plugins/alpha.lua:1
              changed  diary  plugins/diary.lua:2
                rules changed: comment
                ranking.w_affinity 1.5 → 2
            experiments
              added    other  experiments/other.lua:1  (draft, phase 1)
              changed  comment-bar  experiments/comment-bar.lua:1  (running, phase 1)
                moves users between variants: weights 0.5/0.5 → 0.3/0.7
                refused: experiment 'comment-bar' is live: this edit moves users between variants (weights 0.5/0.5 → 0.3/0.7); declare phase = 2 to start a fresh analysis window, or revert it
            """)
        let back = ScriptSetDiff(old: new, new: old)
        #expect(back.files.map { "\($0.folder.rawValue)/\($0.name) \($0.newVersion == nil ? "removed" : "changed")" } == [
            "plugins/alpha.lua removed", "plugins/diary.lua changed", "experiments/comment-bar.lua changed", "experiments/other.lua removed",
        ])
        #expect(back.circlesRemoved.map(\.id) == [CircleID("alpha")] && back.experimentsRemoved.map(\.id) == ["other"])
    }
}
