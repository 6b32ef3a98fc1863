import Core
import Experiments
import Social
import Testing

@testable import LuaHost

/// Loads a metrics file (expecting failure) and returns the problems as text.
private func metricProblems(_ metrics: String) -> [String] {
    do {
        _ = try ExperimentSet.load([PluginSource(path: "experiments/metrics.lua", code: "return quanzi.metrics {\n\(metrics)\n}\n")])
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite("experiment schema: segments, caps and quantile metrics")
struct StatisticsSchemaTests {
    @Test("segments are read in name order with their lines, and evaluated as the user was when first exposed")
    func segmentsLoad() throws {
        let set = try ExperimentSet.load([testMetrics, experimentSource("""
              traffic = 1,
              segments = {
                new_user = function(user) return user.account_age_days < 30 end,
                city = function(user) return user.city end,
              },
            """)])
        let spec = try #require(set.experiment("ramped"))
        #expect(spec.segments == [ExperimentSpec.Segment(name: "city", line: 6), ExperimentSpec.Segment(name: "new_user", line: 5)])
        let engine = ExperimentEngine(experiments: set, dataSource: EmptyDataSource())
        let joined: Int64 = 1_700_000_000
        let user = UserProfile(id: UserID(7), displayName: "u", city: "Chengdu", createdAtEpochSeconds: joined)
        let values = try engine.segmentValues(
            [SegmentSubject(user: user, atEpochSeconds: joined + 5 * 86_400), SegmentSubject(user: user, atEpochSeconds: joined + 90 * 86_400),
             SegmentSubject(user: UserProfile(id: UserID(8), createdAtEpochSeconds: joined), atEpochSeconds: joined)],
            experiment: "ramped")
        #expect(values == [["Chengdu", "true"], ["Chengdu", "false"], [nil, "true"]])
    }

    @Test("a segment that returns a table, is not a function, has a bad name or fails on a user without a city is refused with file:line")
    func badSegments() {
        let table = experimentProblems("""
              traffic = 1,
              segments = { city = function(user) return { user.city } end },
            """)
        #expect(table.count == 1)
        #expect(table.first?.hasPrefix("experiments/test.lua:4: segment 'city' failed for a probe user with every attribute:") == true, "\(table)")
        #expect(table.first?.contains("must return a string, number, boolean or nil; it returned a table") == true, "\(table)")

        #expect(experimentProblems("""
              traffic = 1,
              segments = { city = "city" },
            """) == ["experiments/test.lua:4: segment 'city' must be a function(user) returning a string, number, boolean or nil, got string"])

        #expect(experimentProblems("""
              traffic = 1,
              segments = { City = function(user) return user.city end },
            """) == ["experiments/test.lua:4: segment name 'City' must be lowercase letters, digits and underscores"])

        let missing = experimentProblems("""
              traffic = 1,
              segments = { city = function(user) return user.city:lower() end },
            """)
        #expect(missing.count == 1 && missing.first?.contains("failed for a probe user with no optional attribute") == true, "\(missing)")
        #expect(missing.first?.hasPrefix("experiments/test.lua:4:") == true, "\(missing)")
    }

    @Test("a declared prior is proper with the given mean and standard deviation; without stddev it is refused")
    func prior() throws {
        let set = try ExperimentSet.load([testMetrics, experimentSource("  traffic = 1, prior = { mean = 0.02, stddev = 0.3 },")])
        #expect(set.experiment("ramped")?.prior == GaussianPrior(mean: 0.02, variance: 0.09, proper: true))
        #expect(try ExperimentSet.load([testMetrics, experimentSource("  traffic = 1,")]).experiment("ramped")?.prior == .flat)
        #expect(experimentProblems("  traffic = 1, prior = { mean = 0 },")
            == ["experiments/test.lua:3: prior needs 'stddev' (of the relative lift, e.g. 0.3) and optionally 'mean' (0 by default)"])
    }

    @Test("caps: a percentile strictly inside (0, 1), one kind at a time, value_fen only for fen, nothing on proportions or quantiles")
    func badCaps() {
        #expect(metricProblems(#"  { id = "tips", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { percentile = 1.5 } },"#)
            == ["experiments/metrics.lua:2: cap percentile must be strictly between 0 and 1 (0.99 caps at the 99th percentile), got 1.5"])
        #expect(metricProblems(#"  { id = "tips", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { percentile = 1 } },"#).count == 1)
        #expect(metricProblems(#"  { id = "tips", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { percentile = 0.9, value_fen = 100 } },"#)
            == ["experiments/metrics.lua:2: cap takes one of 'percentile', 'value_fen', not several"])
        #expect(metricProblems(#"  { id = "posts", kind = "mean", event = "post.created", cap = { value_fen = 100 } },"#)
            == ["experiments/metrics.lua:2: cap 'value_fen' is for metrics that sum amount_fen; this one counts events: use 'value'"])
        #expect(metricProblems(#"  { id = "posted", kind = "proportion", event = "post.created", cap = { value = 1 } },"#)
            == ["experiments/metrics.lua:2: a proportion cannot be capped: each user counts 0 or 1 already"])
        #expect(metricProblems(#"  { id = "tips", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { percentil = 0.9 } },"#)
            .contains("experiments/metrics.lua:2: unknown field '[1].cap.percentil' (did you mean 'percentile'?)"))
    }

    @Test("quantiles: a level strictly inside (0, 1), per user or event, and of an amount, never of counts")
    func badQuantiles() {
        #expect(metricProblems(#"  { id = "p", kind = "quantile", event = "tip.sent", value = "amount_fen", quantile = 1.2, per = "event" },"#)
            == ["experiments/metrics.lua:2: field 'quantile' must be strictly between 0 and 1 (0.9 is the 90th percentile), got 1.2"])
        #expect(metricProblems(#"  { id = "p", kind = "quantile", event = "tip.sent", value = "amount_fen", quantile = 0, per = "event" },"#).count == 1)
        #expect(metricProblems(#"  { id = "p", kind = "quantile", event = "tip.sent", value = "amount_fen", quantile = 0.9, per = "session" },"#)
            == ["experiments/metrics.lua:2: field 'per' must be 'event' (each event's value) or 'user' (each user's total), got 'session'"])
        let counts = metricProblems(#"  { id = "p", kind = "quantile", event = "post.viewed", quantile = 0.9, per = "user" },"#)
        #expect(counts.count == 1 && counts.first?.contains("a quantile of counts ties at every whole number") == true, "\(counts)")
        #expect(metricProblems(#"  { id = "p", kind = "mean", event = "post.viewed", quantile = 0.9 },"#)
            == ["experiments/metrics.lua:2: field 'quantile' belongs to kind = \"quantile\" metrics"])
    }

    @Test("valid caps and quantiles load as declared")
    func validDeclarations() throws {
        let set = try ExperimentSet.load([PluginSource(path: "experiments/metrics.lua", code: """
            return quanzi.metrics {
              { id = "tips", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { percentile = 0.99, ignore_zeros = true } },
              { id = "tips_fixed", kind = "mean", event = "tip.sent", value = "amount_fen", cap = { value_fen = 20000 } },
              { id = "posts", kind = "mean", event = "post.created", cap = { value = 50 } },
              { id = "tip_p90", kind = "quantile", event = "tip.sent", value = "amount_fen", quantile = 0.9, per = "event" },
              { id = "tipper_p50", kind = "quantile", event = "tip.sent", value = "amount_fen", quantile = 0.5, per = "user", ignore_zeros = true },
            }
            """)])
        #expect(set.metric("tips")?.cap == .percentile(level: 0.99, ignoreZeros: true))
        #expect(set.metric("tips_fixed")?.cap == .value(20_000))
        #expect(set.metric("posts")?.cap == .value(50))
        #expect(set.metric("tip_p90")?.kind == .quantile(.init(event: "tip.sent", valueField: "amount_fen"), .init(level: 0.9, perEvent: true)))
        #expect(set.metric("tipper_p50")?.kind
            == .quantile(.init(event: "tip.sent", valueField: "amount_fen"), .init(level: 0.5, perEvent: false, ignoreZeros: true)))
    }
}
