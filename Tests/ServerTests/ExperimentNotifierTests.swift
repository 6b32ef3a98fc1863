import Experiments
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import Server

/// A local webhook receiver: a Hummingbird app on a free port. It answers each POST to `/hook`
/// with the next scripted status (200 once the script is used up), keeps what it got, reports
/// each arrival and, when `holding`, answers only once the test releases it.
final class Receiver: Sendable {
    struct Arrival: Sendable {
        var body: String
        var idempotencyKey: String?
        var contentType: String?
    }

    let holding: Bool
    private let script: Mutex<[Int]>
    private let got = Mutex<[Arrival]>([])
    let arrivals = AsyncStream<Arrival>.makeStream()
    private let releases = AsyncStream<Void>.makeStream()

    init(answers: [Int] = [], holding: Bool = false) {
        script = Mutex(answers)
        self.holding = holding
    }

    var received: [Arrival] { got.withLock { $0 } }

    /// Lets one held request be answered.
    func release() { releases.continuation.yield() }

    /// Runs the receiver while `body` runs, with the receiver's URL.
    @discardableResult
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let arrival = Arrival(
                body: String(buffer: bytes), idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!],
                contentType: request.headers[.contentType])
            self.got.withLock { $0.append(arrival) }
            self.arrivals.continuation.yield(arrival)
            if self.holding {
                var releases = self.releases.stream.makeAsyncIterator()
                await releases.next()
            }
            let status = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            return Response(status: HTTPResponse.Status(code: status))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: APIFixture.quietLogger)
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}

/// What the notifier reported, in order.
final class NotificationOutcomes: Sendable {
    struct Outcome: Sendable, Equatable {
        var outcome: NotificationOutcome
        var revision: Int64
    }

    let stream = AsyncStream<Outcome>.makeStream()

    func record(_ outcome: NotificationOutcome, _ change: ExperimentChange) {
        stream.continuation.yield(Outcome(outcome: outcome, revision: change.revision))
    }

    /// The next `count` outcomes, waiting for them.
    func next(_ count: Int) async -> [Outcome] {
        var iterator = stream.stream.makeAsyncIterator()
        var outcomes: [Outcome] = []
        while outcomes.count < count, let outcome = await iterator.next() { outcomes.append(outcome) }
        return outcomes
    }
}

extension NotificationPolicy {
    /// Retries within milliseconds, so a test never waits for the production backoff.
    static func fast(queueCapacity: Int = 1_000, requestTimeout: Duration = .seconds(5)) -> NotificationPolicy {
        NotificationPolicy(
            queueCapacity: queueCapacity, attempts: 5, firstRetryDelay: .milliseconds(2), maxRetryDelay: .milliseconds(10),
            requestTimeout: requestTimeout)
    }
}

func change(_ revision: Int64, kind: ExperimentChange.Kind = .advanced, reason: String = "step 1 held and every guardrail is clear") -> ExperimentChange {
    ExperimentChange(
        experimentID: "campus-comment-credit", revision: revision, kind: kind, status: kind == .stopped ? .stopped : .running, step: 1,
        traffic: kind == .stopped ? 0 : 0.05, atEpochSeconds: APIFixture.start + revision, actor: "watcher", reason: reason,
        evidence: ["report_rate ok: within bounds", "exposed: control 120, treatment 118"])
}

/// Runs a notifier to `url` as the application does (a service of a group) while `body` runs,
/// then shuts it down.
func withNotifier(
    url: String, policy: NotificationPolicy = .fast(), node: String? = "node-a",
    _ body: (ExperimentNotifier, NotificationOutcomes, ServerMetrics) async throws -> Void
) async throws {
    let metrics = ServerMetrics()
    let outcomes = NotificationOutcomes()
    let notifier = ExperimentNotifier(
        url: try ServerConfiguration.notifyURL(url), node: node, policy: policy, metrics: metrics.experiments, logger: APIFixture.quietLogger,
        observe: { outcomes.record($0, $1) })
    let group = ServiceGroup(services: [notifier], logger: APIFixture.quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body(notifier, outcomes, metrics)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

@Suite("experiment change notifications (serve --notify-url)", .timeLimit(.minutes(1)))
struct ExperimentNotifierTests {
    @Test("a change is POSTed as its JSON with the node, an idempotency key, and counted delivered")
    func delivered() async throws {
        let receiver = Receiver()
        try await receiver.serve { url in
            try await withNotifier(url: url) { notifier, outcomes, metrics in
                let sent = change(3)
                notifier.enqueue(sent)
                #expect(await outcomes.next(1) == [.init(outcome: .delivered, revision: 3)])
                let arrival = try #require(receiver.received.first)
                #expect(receiver.received.count == 1)
                #expect(arrival.contentType == "application/json" && arrival.idempotencyKey == "campus-comment-credit/3")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(arrival.body.utf8)) as? [String: Any])
                #expect(object["experiment_id"] as? String == "campus-comment-credit" && object["revision"] as? Int == 3)
                #expect(object["kind"] as? String == "advanced" && object["status"] as? String == "running" && object["step"] as? Int == 1)
                #expect(object["traffic"] as? Double == 0.05 && object["at"] as? Int == Int(APIFixture.start + 3))
                #expect(object["actor"] as? String == "watcher" && object["reason"] as? String == sent.reason)
                #expect(object["evidence"] as? [String] == sent.evidence && object["node"] as? String == "node-a")
                #expect(object["variant"] == nil)
                // The body is the change's own Codable form: it decodes back to the same change.
                #expect(try JSONDecoder().decode(ExperimentChange.self, from: Data(arrival.body.utf8)) == sent)
                let text = metrics.registry.emitToString()
                #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="delivered"}"#) == 1)
                #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="failed"}"#) == 0)
            }
        }
    }

    @Test("a receiver that fails twice gets the change on the third try; changes keep their order")
    func retriedThenDelivered() async throws {
        let receiver = Receiver(answers: [503, 500])
        try await receiver.serve { url in
            try await withNotifier(url: url) { notifier, outcomes, metrics in
                notifier.enqueue(change(1))
                notifier.enqueue(change(2))
                #expect(await outcomes.next(4) == [
                    .init(outcome: .retried, revision: 1), .init(outcome: .retried, revision: 1), .init(outcome: .delivered, revision: 1),
                    .init(outcome: .delivered, revision: 2),
                ])
                #expect(receiver.received.map(\.idempotencyKey) == ["campus-comment-credit/1", "campus-comment-credit/1", "campus-comment-credit/1",
                                                                   "campus-comment-credit/2"])
                #expect(Set(receiver.received.prefix(3).map(\.body)).count == 1, "each try posts the same body")
                let text = metrics.registry.emitToString()
                #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="retried"}"#) == 2)
                #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="delivered"}"#) == 2)
            }
        }
    }

    @Test("a 4xx other than 408 and 429 is given up at once; 408, 429 and 5xx are retried")
    func refused() async throws {
        #expect(ExperimentNotifier.classify(status: 204) == .delivered)
        for status in [408, 429, 500, 502, 503] { #expect(ExperimentNotifier.classify(status: status) == .retry("HTTP \(status)")) }
        for status in [301, 400, 401, 404, 410, 422] { #expect(ExperimentNotifier.classify(status: status) == .refused("HTTP \(status)")) }
        let receiver = Receiver(answers: [404])
        try await receiver.serve { url in
            try await withNotifier(url: url) { notifier, outcomes, _ in
                notifier.enqueue(change(1))
                notifier.enqueue(change(2))
                #expect(await outcomes.next(2) == [.init(outcome: .failed, revision: 1), .init(outcome: .delivered, revision: 2)])
                #expect(receiver.received.count == 2, "no retry after a 404")
            }
        }
    }

    @Test("a dead receiver is given up after the retry budget, each retry counted")
    func deadReceiver() async throws {
        // A port that was just listening and is closed now: every connection is refused. (The
        // HTTP client keeps trying to connect until the request's deadline: keep that short.)
        let deadURL = try await Receiver().serve { $0 }
        try await withNotifier(url: deadURL, policy: .fast(requestTimeout: .milliseconds(200))) { notifier, outcomes, metrics in
            notifier.enqueue(change(7))
            #expect(await outcomes.next(5) == Array(repeating: .init(outcome: .retried, revision: 7), count: 4) + [.init(outcome: .failed, revision: 7)])
            let text = metrics.registry.emitToString()
            #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="retried"}"#) == 4)
            #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="failed"}"#) == 1)
            #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="delivered"}"#) == 0)
        }
    }

    @Test("a full queue drops its oldest waiting change and counts it")
    func fullQueue() async throws {
        let receiver = Receiver(holding: true)
        try await receiver.serve { url in
            try await withNotifier(url: url, policy: .fast(queueCapacity: 2)) { notifier, outcomes, metrics in
                notifier.enqueue(change(1))
                var arrivals = receiver.arrivals.stream.makeAsyncIterator()
                #expect(await arrivals.next()?.idempotencyKey == "campus-comment-credit/1")  // 1 is in flight, held
                for revision in 2...5 { notifier.enqueue(change(Int64(revision))) }
                // Two wait (4 and 5); 2 and 3, the oldest, were pushed out.
                #expect(await outcomes.next(2) == [.init(outcome: .dropped, revision: 2), .init(outcome: .dropped, revision: 3)])
                #expect(notifier.waitingCount == 2)
                for _ in 0..<3 { receiver.release() }
                #expect(await outcomes.next(3).map(\.revision) == [1, 4, 5])
                #expect(receiver.received.compactMap(\.idempotencyKey) == ["campus-comment-credit/1", "campus-comment-credit/4", "campus-comment-credit/5"])
                let text = metrics.registry.emitToString()
                #expect(sample(text, #"quanzi_experiment_notifications_total{outcome="dropped"}"#) == 2)
            }
        }
    }

    @Test("a stop returns while the receiver still holds its notification: posting never blocks the change")
    func neverBlocksStop() async throws {
        let receiver = Receiver(holding: true)
        try await receiver.serve { url in
            let fixture = try APIFixture()
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, limits: fixture.limits)
            configuration.notifyURL = try ServerConfiguration.notifyURL(url)
            configuration.notificationPolicy = .fast()
            let app = buildApplication(service: fixture.service, configuration: configuration, metrics: fixture.metrics, logger: APIFixture.quietLogger)
            try await app.test(.router) { client in
                var arrivals = receiver.arrivals.stream.makeAsyncIterator()
                // The stop returns (the change is recorded and queued) before the receiver has answered.
                try fixture.service.experiments.stop("campus-comment-credit", personReason: "<b>too many reports</b>", actor: "admin:1")
                let arrival = try #require(await arrivals.next())
                let object = try #require(try JSONSerialization.jsonObject(with: Data(arrival.body.utf8)) as? [String: Any])
                #expect(object["kind"] as? String == "stopped" && object["actor"] as? String == "admin:1")
                #expect(object["reason"] as? String == "<b>too many reports</b>" && object["traffic"] as? Double == 0)
                #expect(object["node"] == nil, "one SQLite node: no node id")
                // Still held: nothing delivered yet, though the stop returned and the service answers.
                #expect(sample(try await client.call(.get, "/metrics").text, #"quanzi_experiment_notifications_total{outcome="delivered"}"#) == 0)
                #expect(fixture.service.experiments.status(of: fixture.service.experiments.experiments.experiment("campus-comment-credit")!) == .stopped)
                receiver.release()
                var delivered = 0.0
                while delivered == 0 {
                    delivered = sample(try await client.call(.get, "/metrics").text, #"quanzi_experiment_notifications_total{outcome="delivered"}"#) ?? 0
                    if delivered == 0 { try await Task.sleep(for: .milliseconds(5)) }
                }
                #expect(delivered == 1)
            }
        }
    }

    @Test("--notify-url must be http or https with a host")
    func validation() throws {
        #expect(try ServerConfiguration.notifyURL("https://hooks.example.com/quanzi?token=x").host == "hooks.example.com")
        #expect(try ServerConfiguration.notifyURL("http://127.0.0.1:9000/hook").port == 9000)
        for bad in ["ftp://example.com/x", "example.com/hook", "http://", "file:///etc/passwd", "", "javascript:alert(1)"] {
            #expect(throws: NotifyURLError.self, "\(bad)") { try ServerConfiguration.notifyURL(bad) }
        }
        do {
            _ = try ServerConfiguration.notifyURL("ftp://example.com/x")
        } catch {
            #expect(error.description == "--notify-url 'ftp://example.com/x' is not usable: the scheme must be http or https, not 'ftp'")
        }
        // Logs show where, never the path or query (a webhook's secret is often there).
        #expect(ExperimentNotifier.shown(URL(string: "https://hooks.example.com:8443/services/T000/SECRET?k=v")!) == "https://hooks.example.com:8443/…")
    }

    @Test("retries back off exponentially with jitter, capped")
    func backoff() {
        let policy = NotificationPolicy.default
        #expect(policy.delay(beforeRetry: 1, random: 1) == .seconds(1) && policy.delay(beforeRetry: 1, random: 0) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 2, random: 1) == .seconds(2) && policy.delay(beforeRetry: 4, random: 1) == .seconds(8))
        #expect(policy.delay(beforeRetry: 10, random: 1) == .seconds(30) && policy.delay(beforeRetry: 1_000, random: 0.5) == .seconds(22.5))
    }
}
