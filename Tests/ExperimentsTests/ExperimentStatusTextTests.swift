import Testing

@testable import Experiments

@Suite("how ab list and the REPL describe an experiment")
struct ExperimentStatusTextTests {
    static let spec = ExperimentSpec(
        id: "campus-open-posting", traffic: 0.01, variants: [.init(name: "control", weight: 0.5), .init(name: "treatment", weight: 0.5)],
        primaryMetric: "posts_per_user",
        ramp: [RampStep(traffic: 0.01, holdSeconds: 7_200), RampStep(traffic: 0.05, holdSeconds: 21_600), RampStep(traffic: 0.25, holdSeconds: 86_400),
               RampStep(traffic: 0.5)],
        file: "experiments/campus-open-posting.lua", line: 14)

    @Test("shares read as people write them")
    func percents() {
        #expect([0.01, 0.05, 0.07, 0.5, 1, 0, 0.005, 0.125, 0.0001].map(ExperimentStatusText.percent)
            == ["1%", "5%", "7%", "50%", "100%", "0%", "0.5%", "12.5%", "0.01%"])
    }

    @Test("a running ramp: its step, exposed users per variant, the last change and the next check")
    func runningRamp() {
        let change = ExperimentChange(
            experimentID: Self.spec.id, revision: 2, kind: .advanced, status: .running, step: 1, traffic: 0.05, atEpochSeconds: 1_767_232_800,
            actor: "watcher", reason: "step 1 held and every guardrail is clear: 1% → 5%")
        let lifecycle = ExperimentLifecycle(status: .running, step: 1, stepStartedAtEpochSeconds: 1_767_232_800, revision: 2)
        let lines = ExperimentStatusText.lines(
            Self.spec, lifecycle: lifecycle, traffic: 0.05, exposedPerVariant: ["control": 30, "treatment": 28], lastChange: change,
            nextCheckAtEpochSeconds: 1_767_233_400)
        #expect(lines == [
            "campus-open-posting  running  traffic 5% (step 2/4: 1% → 5% → 25% → 50%)  exposed 58 (control 30, treatment 28)  (experiments/campus-open-posting.lua:14)",
            "  last change: advanced to step 2 (5%) by watcher at 2026-01-01T02:00:00Z (revision 2): step 1 held and every guardrail is clear: 1% → 5%",
            "  next check: 2026-01-01T02:10:00Z",
        ])
    }

    @Test("a shipped experiment names its variant and has no next check")
    func shipped() {
        let change = ExperimentChange(
            experimentID: Self.spec.id, revision: 3, kind: .shipped, status: .shipped, step: 2, traffic: 1, variant: "treatment",
            atEpochSeconds: 1_767_225_600, actor: "admin:1", reason: "it works")
        let lifecycle = ExperimentLifecycle(status: .shipped, step: 2, shippedVariant: "treatment", revision: 3)
        let lines = ExperimentStatusText.lines(Self.spec, lifecycle: lifecycle, traffic: 1, exposedPerVariant: [:], lastChange: change,
                                               nextCheckAtEpochSeconds: 1_767_233_400, showSource: false)
        #expect(lines == [
            "campus-open-posting  shipped 'treatment'  traffic 100% (step 3/4: 1% → 5% → 25% → 50%)  exposed 0 (control 0, treatment 0)",
            "  last change: shipped 'treatment' by admin:1 at 2026-01-01T00:00:00Z (revision 3): it works",
        ])
    }
}
