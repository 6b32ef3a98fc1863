import AsyncHTTPClient
import Experiments
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// How `serve --notify-url` queues and retries.
public struct NotificationPolicy: Sendable {
    /// Changes waiting at most; past it the oldest waiting change is dropped (and counted). A
    /// change is a few hundred bytes, and the watcher makes a handful a day per experiment: a full
    /// queue means the receiver has been down for a long time.
    public var queueCapacity: Int
    /// Tries per change, the first included.
    public var attempts: Int
    /// The wait before the first retry; each later one doubles, up to `maxRetryDelay`.
    public var firstRetryDelay: Duration
    public var maxRetryDelay: Duration
    /// One POST's deadline, connection included (the HTTP client keeps retrying a refused
    /// connection until then, so a dead receiver costs this much per try).
    public var requestTimeout: Duration

    /// Five tries over about 15 s (waits of 1, 2, 4 and 8 s, each jittered), ten seconds a try.
    public static let `default` = NotificationPolicy(
        queueCapacity: 1_000, attempts: 5, firstRetryDelay: .seconds(1), maxRetryDelay: .seconds(30), requestTimeout: .seconds(10))

    public init(queueCapacity: Int, attempts: Int, firstRetryDelay: Duration, maxRetryDelay: Duration, requestTimeout: Duration) {
        precondition(queueCapacity > 0 && attempts > 0, "a notification queue and its tries must not be empty")
        self.queueCapacity = queueCapacity
        self.attempts = attempts
        self.firstRetryDelay = firstRetryDelay
        self.maxRetryDelay = maxRetryDelay
        self.requestTimeout = requestTimeout
    }

    /// The wait before retry `retry` (1: the first): the doubled delay, capped, with "equal
    /// jitter" (half of it fixed, half random) so that nodes whose receiver came back do not all
    /// retry in the same instant. `random` is in 0...1.
    public func delay(beforeRetry retry: Int, random: Double) -> Duration {
        let doublings = min(max(0, retry - 1), 30)
        let nominal = min(maxRetryDelay, firstRetryDelay * (1 << doublings))
        return nominal / 2 + nominal * (min(1, max(0, random)) / 2)
    }
}

/// Posts each experiment change this node records to `serve --notify-url` as JSON: the change's
/// own Codable form (`experiment_id`, `revision`, `kind`, `status`, `step`, `traffic`, `variant`,
/// `at`, `actor`, `reason`, `evidence`) plus `node` (the PostgreSQL node that made it; absent on
/// SQLite, which has one). The header `Idempotency-Key: <experiment>/<revision>` lets a receiver
/// drop the duplicate a retry after a lost answer can cause.
///
/// It never blocks whoever made the change: ``enqueue(_:)`` appends to a bounded queue under a
/// lock and returns. A mutex and not an actor because observers are synchronous, and a `Task`
/// per change to reach an actor would not keep the changes in order. One loop (``run()``, a
/// service of the application) posts them in order: 2xx is delivered; 5xx, 408, 429, a timeout or
/// a connection error is retried with backoff (``NotificationPolicy``); any other answer is given
/// up at once and logged. At shutdown what is still queued is dropped and counted: every change
/// is also in the database (`experiment_changes`, the events) and in the log.
///
/// AsyncHTTPClient (already in the package graph through HummingbirdTesting, so adding it
/// resolves offline) does the HTTP and TLS, which `https://` receivers need.
final class ExperimentNotifier: Service, Sendable {
    let url: URL
    /// The URL as logs show it: scheme, host and port only, since a webhook's path or query is
    /// often its secret.
    let shownURL: String
    let node: String?
    let policy: NotificationPolicy
    private let metrics: ExperimentMetrics
    private let logger: Logger
    /// Called with each outcome (tests wait on it).
    private let observe: @Sendable (NotificationOutcome, ExperimentChange) -> Void

    private struct Queue {
        var waiting: [ExperimentChange] = []
        var closed = false
    }

    private let queue = Mutex(Queue())
    /// Wakes the loop when the queue was empty (at most one wake-up waits).
    private let wake = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(url: URL, node: String?, policy: NotificationPolicy = .default, metrics: ExperimentMetrics, logger: Logger,
         observe: @escaping @Sendable (NotificationOutcome, ExperimentChange) -> Void = { _, _ in }) {
        self.url = url
        shownURL = Self.shown(url)
        self.node = node
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
        self.observe = observe
        metrics.declareNotificationCounters()
        logger.info("posting experiment changes", metadata: ["url": "\(shownURL)", "attempts": "\(policy.attempts)"])
    }

    /// Queues `change` for posting and returns at once; drops the oldest waiting change when the
    /// queue is full (or `change` itself after shutdown).
    func enqueue(_ change: ExperimentChange) {
        let (dropped, accepted): (ExperimentChange?, Bool) = queue.withLock { queue in
            guard !queue.closed else { return (change, false) }
            queue.waiting.append(change)
            return (queue.waiting.count > policy.queueCapacity ? queue.waiting.removeFirst() : nil, true)
        }
        if accepted { wake.continuation.yield() }
        if let dropped {
            record(.dropped, dropped)
            logger.warning("experiment change notification dropped: the queue is full", metadata: Self.metadata(dropped, url: shownURL))
        }
    }

    /// Changes waiting to be posted (the one being posted not included).
    var waitingCount: Int { queue.withLock { $0.waiting.count } }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow  // a redirect is an answer to give up on, not to follow
        configuration.timeout.connect = TimeAmount(policy.requestTimeout)
        configuration.timeout.read = TimeAmount(policy.requestTimeout)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
        // The shutdown cancels the loop: a wait for the next change, a retry's wait or a POST in flight.
        await cancelWhenGracefulShutdown { await self.postInOrder(client: client) }
        let left = queue.withLock { queue in
            queue.closed = true
            defer { queue.waiting.removeAll() }
            return queue.waiting
        }
        for change in left { record(.dropped, change) }
        if !left.isEmpty {
            logger.warning("experiment change notifications not sent at shutdown (the changes are in the database)",
                           metadata: ["count": "\(left.count)", "url": "\(shownURL)"])
        }
        try? await client.shutdown()
    }

    /// Posts each queued change in turn, waiting for more while the queue is empty, until cancelled.
    private func postInOrder(client: HTTPClient) async {
        var wakes = wake.stream.makeAsyncIterator()
        while !Task.isCancelled {
            guard let change = queue.withLock({ $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }) else {
                guard await wakes.next() != nil else { return }
                continue
            }
            if !(await deliver(change, client: client)) {
                record(.dropped, change)  // interrupted by the shutdown
                return
            }
        }
    }

    /// Posts `change` until it is delivered or given up; false when the shutdown interrupted it.
    private func deliver(_ change: ExperimentChange, client: HTTPClient) async -> Bool {
        let body: ByteBuffer
        do {
            body = ByteBuffer(bytes: try Self.encoder.encode(Payload(change: change, node: node)))
        } catch {
            record(.failed, change)
            logger.error("experiment change notification could not be encoded", metadata: Self.metadata(change, url: shownURL, error: "\(error)"))
            return true
        }
        var lastError = ""
        for attempt in 1...policy.attempts {
            if attempt > 1 {
                record(.retried, change)
                do {
                    try await Task.sleep(for: policy.delay(beforeRetry: attempt - 1, random: Double.random(in: 0...1)))
                } catch {
                    return false
                }
            }
            switch await post(body, change: change, client: client) {
            case .delivered:
                record(.delivered, change)
                return true
            case .refused(let why):
                record(.failed, change)
                logger.error("experiment change notification refused by the receiver; not retried",
                             metadata: Self.metadata(change, url: shownURL, error: why))
                return true
            case .retry(let why):
                if Task.isCancelled { return false }
                lastError = why
            }
        }
        record(.failed, change)
        logger.error("experiment change notification given up after \(policy.attempts) tries",
                     metadata: Self.metadata(change, url: shownURL, error: lastError))
        return true
    }

    enum Attempt: Equatable {
        case delivered
        /// Another 4xx or a redirect: trying again would get the same answer.
        case refused(String)
        case retry(String)
    }

    /// What an HTTP status means for the notification.
    static func classify(status: Int) -> Attempt {
        switch status {
        case 200..<300: .delivered
        case 408, 429, 500..<600: .retry("HTTP \(status)")
        default: .refused("HTTP \(status)")
        }
    }

    private func post(_ body: ByteBuffer, change: ExperimentChange, client: HTTPClient) async -> Attempt {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "quanzi")
        request.headers.add(name: "Idempotency-Key", value: "\(change.experimentID)/\(change.revision)")
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: TimeAmount(policy.requestTimeout))
            // Read (and discard) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1_024)
            return Self.classify(status: Int(response.status.code))
        } catch {
            return .retry("\(error)")
        }
    }

    private func record(_ outcome: NotificationOutcome, _ change: ExperimentChange) {
        metrics.record(outcome)
        observe(outcome, change)
    }

    static func shown(_ url: URL) -> String {
        "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")/…"
    }

    private static func metadata(_ change: ExperimentChange, url: String, error: String? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "experiment": "\(change.experimentID)", "revision": "\(change.revision)", "kind": "\(change.kind.rawValue)", "url": "\(url)",
        ]
        if let error { metadata["error"] = "\(error)" }
        return metadata
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The change's JSON with `node` added.
    struct Payload: Encodable {
        let change: ExperimentChange
        let node: String?

        enum Keys: String, CodingKey { case node }

        func encode(to encoder: any Encoder) throws {
            try change.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(node, forKey: .node)
        }
    }

    /// `text` as a notification URL: http or https, with a host; otherwise why not.
    static func url(_ text: String) throws(NotifyURLError) -> URL {
        guard let url = URL(string: text) else { throw NotifyURLError(text: text, problem: "not a URL") }
        guard let scheme = url.scheme?.lowercased() else { throw NotifyURLError(text: text, problem: "it needs http:// or https:// in front") }
        guard scheme == "http" || scheme == "https" else { throw NotifyURLError(text: text, problem: "the scheme must be http or https, not '\(scheme)'") }
        guard let host = url.host, !host.isEmpty else { throw NotifyURLError(text: text, problem: "it has no host") }
        return url
    }
}

/// Why a `--notify-url` is refused.
public struct NotifyURLError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let problem: String
    public var description: String { "--notify-url '\(text)' is not usable: \(problem)" }
}

extension ServerConfiguration {
    /// Checks a `--notify-url` (http or https, with a host) and returns it as a URL.
    public static func notifyURL(_ text: String) throws(NotifyURLError) -> URL {
        try ExperimentNotifier.url(text)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
