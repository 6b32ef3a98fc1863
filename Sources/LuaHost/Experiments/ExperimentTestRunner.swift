import Core
import Experiments

/// Runs every experiment's `tests`: targeting expectations and fixed assignments.
public enum ExperimentTestRunner {
    public static func run(_ engine: ExperimentEngine) -> [LuaTestOutcome] {
        engine.experiments.tests.map { test in
            var parts: [String] = []
            if let variant = test.expectVariant { parts.append("lands in '\(variant)'") }
            if let targeted = test.expectTargeted { parts.append("is \(targeted ? "" : "not ")targeted") }
            if !test.expectSegments.isEmpty {
                parts.append("is in " + test.expectSegments.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", "))
            }
            let title = "user \(test.user.id) " + parts.joined(separator: " and ")
            do throws(QuanziError) {
                if let expected = test.expectTargeted {
                    let targeted = try engine.isTargeted(test.user, experiment: test.experimentID, dataSource: FixtureDataSource(user: test.user))
                    if targeted != expected {
                        return LuaTestOutcome(location: test.location, title: title, failure: "expected \(expected ? "targeted" : "not targeted"), got the opposite")
                    }
                }
                if let expected = test.expectVariant {
                    let assignment = try engine.assign(test.user, to: test.experimentID)
                    let got = assignment.variant?.name ?? "none"
                    if got != expected {
                        return LuaTestOutcome(location: test.location, title: title, failure: "expected '\(expected)', got \(assignment)")
                    }
                }
                if !test.expectSegments.isEmpty {
                    let spec = try engine.spec(test.experimentID)
                    let values = try engine.segmentValues([SegmentSubject(user: test.user, atEpochSeconds: RuleTestSchema.fixtureNowEpochSeconds)], experiment: test.experimentID)
                    for (name, expected) in test.expectSegments.sorted(by: { $0.key < $1.key }) {
                        guard let index = spec.segments.firstIndex(where: { $0.name == name }) else {
                            return LuaTestOutcome(location: test.location, title: title, failure: "the experiment declares no segment '\(name)'")
                        }
                        let got = values.first?[index] ?? nil
                        if got != expected {
                            return LuaTestOutcome(location: test.location, title: title,
                                                  failure: "expected \(name) = \(expected), got \(got ?? ExperimentSpec.noSegmentValue)")
                        }
                    }
                }
                return LuaTestOutcome(location: test.location, title: title, failure: nil)
            } catch {
                return LuaTestOutcome(location: test.location, title: title, failure: "failed: \(error.message)")
            }
        }
    }
}
