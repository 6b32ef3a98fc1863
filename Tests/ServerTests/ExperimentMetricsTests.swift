import Core
import Experiments
import HummingbirdTesting
import Service
import Social
import Testing

@testable import Server

/// The value of one exposition line `series value` (`series` with its labels), if present.
func sample(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// `/metrics` per experiment, with the watcher driven by hand and its looks wired as
/// `buildApplication` wires them.
@Suite("experiment metrics")
struct ExperimentMetricsTests {
    static let id = "campus-comment-credit"

    @Test("after a watcher look and a stop, /metrics shows status, traffic, step, exposed users, looks, guardrail checks and changes")
    func lookAndStop() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let experiments = fixture.service.experiments
        // Users open the circle: those the 10 % lets in are exposed.
        for index in 100..<400 { _ = try experiments.expose(try fixture.user(Int64(index)), to: Self.id) }
        let watcher = ExperimentWatcher(experiments: experiments, intervalSeconds: 600)
        let app = fixture.app()
        observeLooks(of: watcher, service: fixture.service, metrics: fixture.metrics, logger: APIFixture.quietLogger)
        try await app.test(.router) { client in
            let look = try #require(watcher.look(now: fixture.clock.nowEpochSeconds).first { $0.experimentID == Self.id })
            #expect(look.outcome == .changed && look.change?.kind == .started)
            let exposed = look.exposedPerVariant
            #expect(exposed.values.reduce(0, +) > 10, "some users were exposed: \(exposed)")
            let guardrail = try #require(look.guardrails.first)

            var text = try await client.call(.get, "/metrics").text
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="running"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="stopped"}"#) == 0)
            #expect(sample(text, #"quanzi_experiment_traffic_share{experiment="campus-comment-credit"}"#) == 0.1)
            #expect(sample(text, #"quanzi_experiment_ramp_step{experiment="campus-comment-credit"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_ramp_steps{experiment="campus-comment-credit"}"#) == 1)
            for (variant, users) in exposed {
                #expect(sample(text, "quanzi_experiment_exposed_users{experiment=\"campus-comment-credit\",variant=\"\(variant)\"}") == Double(users))
            }
            #expect(sample(text, #"quanzi_experiment_looks_total{experiment="campus-comment-credit",outcome="changed"}"#) == 1)
            #expect(sample(text, "quanzi_experiment_guardrail_checks_total{experiment=\"campus-comment-credit\",metric=\"\(guardrail.metric)\",outcome=\"\(guardrail.verdict.rawValue)\"}") == 1)
            #expect(sample(text, #"quanzi_experiment_changes_total{experiment="campus-comment-credit",kind="started"}"#) == 1)
            // A draft experiment nobody looked at: its status, no traffic, and 0 exposed per variant (from the store).
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-open-posting",status="draft"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_traffic_share{experiment="campus-open-posting"}"#) == 0)
            #expect(sample(text, #"quanzi_experiment_exposed_users{experiment="campus-open-posting",variant="control"}"#) == 0)
            #expect(text.contains("# TYPE quanzi_experiment_guardrail_checks_total counter"))

            // A person stops it through the API; the next look passes it by.
            let stop = try await client.call(.post, "/v1/experiments/\(Self.id)/stop", token: admin, json: #"{"reason": "too many reports"}"#)
            #expect(stop.status == .ok)
            fixture.clock.set(epochSeconds: fixture.clock.nowEpochSeconds + 600)
            #expect(!watcher.look(now: fixture.clock.nowEpochSeconds).contains { $0.experimentID == Self.id })
            text = try await client.call(.get, "/metrics").text
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="running"}"#) == 0)
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="stopped"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_traffic_share{experiment="campus-comment-credit"}"#) == 0)
            #expect(sample(text, #"quanzi_experiment_changes_total{experiment="campus-comment-credit",kind="stopped"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_looks_total{experiment="campus-comment-credit",outcome="changed"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_looks_total{experiment="feed-affinity-weight",outcome="held"}"#) == 1)
        }
    }

    @Test("a change another node made shows once this node has re-read the state, without counting it as this node's")
    func changeFromAnotherNode() async throws {
        let fixture = try APIFixture()
        let experiments = fixture.service.experiments
        let spec = try #require(experiments.experiments.experiment(Self.id))
        try await fixture.app().test(.router) { client in
            // Written straight to the store, as another node sharing the database would.
            let stop = experiments.currentLifecycle(of: spec).stop(spec, at: fixture.clock.nowEpochSeconds, actor: "admin:9", reason: "node B")
            #expect(try experiments.store.record(stop))
            var text = try await client.call(.get, "/metrics").text
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="running"}"#) == 1)
            try experiments.refreshControl()  // what the follower does on seeing the event
            text = try await client.call(.get, "/metrics").text
            #expect(sample(text, #"quanzi_experiment_status{experiment="campus-comment-credit",status="stopped"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_traffic_share{experiment="campus-comment-credit"}"#) == 0)
            #expect(sample(text, #"quanzi_experiment_changes_total{experiment="campus-comment-credit",kind="stopped"}"#) == nil)
        }
    }

    @Test("each change is one structured log line with the experiment, kind, actor and reason")
    func changeLogLine() async throws {
        let fixture = try APIFixture()
        let captured = CapturedLogs()
        observeChanges(of: fixture.service, metrics: fixture.metrics, logger: captured.logger(level: .info))
        try fixture.service.experiments.stop(Self.id, personReason: "report rate up 30%", actor: "admin:1")
        let lines = captured.all.filter { $0.message == "experiment stopped" }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.level == .notice)
        #expect(line.metadata["experiment"] == Self.id && line.metadata["kind"] == "stopped" && line.metadata["status"] == "stopped")
        #expect(line.metadata["actor"] == "admin:1" && line.metadata["reason"] == "report rate up 30%")
        #expect(line.metadata["revision"] == "1" && line.metadata["traffic"] == "0.0")
        #expect(sample(fixture.metrics.registry.emitToString(), #"quanzi_experiment_changes_total{experiment="campus-comment-credit",kind="stopped"}"#) == 1)
    }
}
