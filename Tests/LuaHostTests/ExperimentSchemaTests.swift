import Core
import Experiments
import Testing

@testable import LuaHost

/// A metrics file, so that a valid experiment passes the cross-check of its metrics.
let testMetrics = PluginSource(path: "experiments/metrics.lua", code: """
    return quanzi.metrics {
      { id = "posts_per_user", kind = "mean", event = "post.created" },
    }
    """)

/// An experiment file whose fields between `id` and `variants` are `fields` (one line each,
/// starting on line 3), so each case below knows its lines.
func experimentSource(_ fields: String) -> PluginSource {
    PluginSource(path: "experiments/test.lua", code: """
        return quanzi.experiment {
          id = "ramped",
        \(fields)
          variants = {
            { name = "control", weight = 0.5 },
            { name = "treatment", weight = 0.5 },
          },
          metrics = { primary = "posts_per_user" },
        }
        """)
}

/// Loads the experiment with the metrics file, expecting failure; returns the problems as text.
func experimentProblems(_ fields: String) -> [String] {
    do {
        _ = try ExperimentSet.load([testMetrics, experimentSource(fields)])
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite("experiment schema: ramps and min_exposed_per_variant")
struct ExperimentSchemaTests {
    @Test("a file cannot declare status 'shipped': a ship is recorded at run time with its variant")
    func shippedIsNotDeclarable() {
        #expect(experimentProblems(#"  traffic = 0.5, status = "shipped","#) == [
            "experiments/test.lua:3: status 'shipped' is set by `quanzi ab ship EXP VARIANT`, not in the file (known: draft, running, stopped)"
        ])
    }

    @Test("a param that is not a finite number (1/0, -1/0, 0/0 in Lua) is refused: no JSON number carries it to an app")
    func nonFiniteParams() throws {
        func source(_ value: String) -> PluginSource {
            PluginSource(path: "experiments/test.lua", code: """
                return quanzi.experiment {
                  id = "params", traffic = 0.5,
                  variants = {
                    { name = "control", weight = 0.5, params = { boost = 1.5 } },
                    { name = "treatment", weight = 0.5, params = { boost = \(value) } },
                  },
                  metrics = { primary = "posts_per_user" },
                }
                """)
        }
        for value in ["1/0", "-1/0", "0/0"] {
            do {
                _ = try ExperimentSet.load([testMetrics, source(value)])
                Issue.record("loaded boost = \(value)")
            } catch {
                #expect(error.problems.map(\.description).contains { $0.hasSuffix("parameter 'boost' must be a finite number") }, "\(error.problems)")
            }
        }
        let spec = try #require(try ExperimentSet.load([testMetrics, source("3.0")]).experiment("params"))
        #expect(spec.variant(named: "treatment")?.parameters["boost"] == .number(3))
    }

    @Test("a ramp sets the steps (hold hours in seconds, rounded; the last may omit its hold) and the first step's traffic")
    func validRamp() throws {
        let set = try ExperimentSet.load([testMetrics, experimentSource("""
              ramp = {
                { traffic = 0.01, hold_hours = 2 },
                { traffic = 0.05, hold_hours = 0.5 },
                { traffic = 0.25, hold_hours = 1 / 7 },
                { traffic = 0.5 },
              },
              min_exposed_per_variant = 250,
            """)])
        let spec = try #require(set.experiment("ramped"))
        #expect(spec.ramp == [
            RampStep(traffic: 0.01, holdSeconds: 7_200), RampStep(traffic: 0.05, holdSeconds: 1_800),
            RampStep(traffic: 0.25, holdSeconds: 514), RampStep(traffic: 0.5, holdSeconds: nil),
        ])
        #expect(spec.traffic == 0.01)
        #expect(spec.traffic(atStep: 3) == 0.5)
        #expect(spec.minExposedPerVariant == 250)
    }

    @Test("without a ramp, traffic holds as before and min_exposed_per_variant has its default")
    func noRamp() throws {
        let set = try ExperimentSet.load([testMetrics, experimentSource("  traffic = 0.2,")])
        let spec = try #require(set.experiment("ramped"))
        #expect(spec.ramp.isEmpty)
        #expect(spec.traffic == 0.2)
        #expect(spec.minExposedPerVariant == ExperimentSpec.minExposedPerVariantDefault)
    }

    @Test("the last step may keep a hold of its own")
    func lastStepHold() throws {
        let set = try ExperimentSet.load([testMetrics, experimentSource("  ramp = { { traffic = 0.1, hold_hours = 1 }, { traffic = 1, hold_hours = 48 } },")])
        #expect(try #require(set.experiment("ramped")).ramp.last == RampStep(traffic: 1, holdSeconds: 172_800))
    }

    /// Each bad ramp (the fields, from line 3) and the exact problem, with the offending line.
    static let malformed: [(String, String)] = [
        ("""
              ramp = {
                { traffic = 0.05, hold_hours = 2 },
                { traffic = 0.05, hold_hours = 6 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:5: field 'ramp[2].traffic' must be above ramp[1]'s 0.05 (a ramp only grows), got 0.05"),
        ("""
              ramp = {
                { traffic = 0.25, hold_hours = 2 },
                { traffic = 0.1, hold_hours = 6 },
              },
            """,
         "experiments/test.lua:5: field 'ramp[2].traffic' must be above ramp[1]'s 0.25 (a ramp only grows), got 0.1"),
        ("""
              ramp = {
                { traffic = 0.5, hold_hours = 2 },
                { traffic = 1.5 },
              },
            """,
         "experiments/test.lua:5: field 'ramp[2].traffic' must be above 0 and at most 1, got 1.5"),
        ("""
              ramp = {
                { traffic = 0, hold_hours = 2 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:4: field 'ramp[1].traffic' must be above 0 and at most 1, got 0"),
        ("""
              ramp = {
                { traffic = "1%", hold_hours = 2 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:4: field 'ramp[1].traffic' must be a number, got string"),
        ("""
              ramp = {
                { hold_hours = 2 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:4: missing required field 'ramp[1].traffic' (a share of users above 0 and at most 1)"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = 2 },
                { traffic = 0.05, hold_hours = 0 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:5: field 'ramp[2].hold_hours' must be a positive number of hours (at least one second, at most 8760), got 0"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = -2 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:4: field 'ramp[1].hold_hours' must be a positive number of hours (at least one second, at most 8760), got -2"),
        ("""
              ramp = {
                { traffic = 0.01,
                  hold_hours = "2h" },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:5: field 'ramp[1].hold_hours' must be a number of hours, got string"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = 2 },
                { traffic = 0.05 },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:5: missing required field 'ramp[2].hold_hours': every step but the last holds a while before the next"),
        ("""
              traffic = 0.10,
              ramp = { { traffic = 0.01, hold_hours = 2 }, { traffic = 0.5 } },
            """,
         "experiments/test.lua:3: give either 'traffic' or 'ramp', not both (with a ramp, the first step's traffic is served first)"),
        ("  ramp = {},", "experiments/test.lua:3: field 'ramp' must list at least one step"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = 2 },
                { traffic = 0.5, hold_hourz = 6 },
              },
            """,
         "experiments/test.lua:5: unknown field 'ramp[2].hold_hourz' (did you mean 'hold_hours'?)"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = 2, guardrail = "none" },
                { traffic = 0.5 },
              },
            """,
         "experiments/test.lua:4: unknown field 'ramp[1].guardrail' (known: traffic, hold_hours)"),
        ("  ramp = 0.5,", "experiments/test.lua:3: field 'ramp' must be a list of steps { traffic = ..., hold_hours = ... }, got number"),
        ("  ramp = { traffic = 0.01, hold_hours = 2 },",
         "experiments/test.lua:3: field 'ramp' must be a list of steps { traffic = ..., hold_hours = ... }, got a table with named fields"),
        ("""
              ramp = {
                { traffic = 0.01, hold_hours = 2 },
                0.5,
              },
            """,
         "experiments/test.lua:5: ramp[2] must be a step { traffic = ..., hold_hours = ... }, got number"),
        ("  min_exposed_per_variant = 0,\n  traffic = 0.1,",
         "experiments/test.lua:3: field 'min_exposed_per_variant' must be between 1 and 10000000, got 0"),
        ("  min_exposed_per_variant = 20000000,\n  traffic = 0.1,",
         "experiments/test.lua:3: field 'min_exposed_per_variant' must be between 1 and 10000000, got 20000000"),
        ("  traffic = 0.1,\n  min_exposed_per_variant = 12.5,",
         "experiments/test.lua:4: field 'min_exposed_per_variant' must be an integer, got 12.5"),
        ("  title = 'no traffic',", "experiments/test.lua:1: missing required field 'traffic' (a share of users in [0, 1]) or 'ramp'"),
    ]

    @Test("each bad ramp gets its own precise message on the offending line", arguments: malformed)
    func malformedRamp(fields: String, expected: String) {
        let found = experimentProblems(fields)
        #expect(found.contains(expected), "\(found)")
    }

    @Test("every problem of a ramp is reported, not just the first")
    func allProblems() {
        let found = experimentProblems("""
              ramp = {
                { traffic = 0.5 },
                { traffic = 0.25, hold_hours = 0 },
              },
            """)
        #expect(found.contains("experiments/test.lua:4: missing required field 'ramp[1].hold_hours': every step but the last holds a while before the next"))
        #expect(found.contains("experiments/test.lua:5: field 'ramp[2].traffic' must be above ramp[1]'s 0.5 (a ramp only grows), got 0.25"))
        #expect(found.contains("experiments/test.lua:5: field 'ramp[2].hold_hours' must be a positive number of hours (at least one second, at most 8760), got 0"))
    }
}
