import Core

/// Runs every experiment's `tests`: targeting expectations and fixed assignments.
public enum ExperimentTestRunner {
    public static func run(_ engine: ExperimentEngine) -> [LuaTestOutcome] {
        engine.experiments.tests.map { test in
            let title = test.expectVariant.map { "user \(test.user.id) lands in '\($0)'" }
                ?? "user \(test.user.id) is \(test.expectTargeted == true ? "" : "not ")targeted"
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
                return LuaTestOutcome(location: test.location, title: title, failure: nil)
            } catch {
                return LuaTestOutcome(location: test.location, title: title, failure: "failed: \(error.message)")
            }
        }
    }
}
