import CoreMetrics
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Bounds on what one connection may hold: how long it may sit idle, how long a client may
/// take to send a request's head and then its body, and how many connections are open at once.
/// A slow or half-open socket costs a file descriptor and some memory, never a thread, but
/// without these bounds a few hundred of them are held for ever.
public struct ConnectionLimits: Sendable, Hashable {
    /// A keep-alive connection with no request in progress is closed after this long
    /// (Hummingbird's idle timeout).
    public var idleTimeoutSeconds: Int64
    /// From a request's first byte to its complete head (request line and headers).
    public var headerReadTimeoutSeconds: Int64
    /// From a request's head to the end of its body (at most 64 KiB; see `ServerLimits`).
    public var bodyReadTimeoutSeconds: Int64
    /// Connections open at once; past it the server stops accepting until one closes (the
    /// kernel's backlog holds the rest).
    public var connectionsMax: Int

    public init(idleTimeoutSeconds: Int64 = 60, headerReadTimeoutSeconds: Int64 = 10, bodyReadTimeoutSeconds: Int64 = 30, connectionsMax: Int = 2_000) {
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headerReadTimeoutSeconds = headerReadTimeoutSeconds
        self.bodyReadTimeoutSeconds = bodyReadTimeoutSeconds
        self.connectionsMax = connectionsMax
    }

    public static let `default` = ConnectionLimits()
    /// What a flag may set a timeout to: a day at most.
    public static let timeoutSecondsRange: ClosedRange<Int64> = 1...86_400
    public static let connectionsMaxRange = 1...1_000_000
}

/// Hummingbird's HTTP/1 channel with read deadlines in front of it: a watcher of raw bytes
/// before the HTTP decoder (it sees a request begin) and a watcher of decoded parts after it
/// (it sees the head and the body end). Hummingbird's own idle timeout only measures time since
/// the last decoded part, so a client trickling header bytes never trips it.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limits: ConnectionLimits
    let timedOut: ConnectionTimeoutCounters

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, timedOut: ConnectionTimeoutCounters) {
        base = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .seconds(limits.idleTimeoutSeconds)))
        self.limits = limits
        self.timedOut = timedOut
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadlines = ReadDeadlines(channel: channel, limits: limits, timedOut: timedOut, logger: logger)
        do {
            try channel.pipeline.syncOperations.addHandler(RequestBytesWatcher(deadlines), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Right after decoding, before Hummingbird's own connection state handler.
            let operations = channel.pipeline.syncOperations
            let stateHandler = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(RequestPartsWatcher(deadlines), position: .before(stateHandler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// The connections open right now (`quanzi_http_connections_open`), and the bound that stops
/// accepting past `ConnectionLimits.connectionsMax`. Hummingbird asks the delegate between
/// accepts; NIO accepts in small batches, so the bound may be passed by one batch.
public final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public var current: Int { count.load(ordering: .relaxed) }

    struct Bound: AvailableConnectionsDelegate {
        let open: OpenConnections
        let connectionsMax: Int
        mutating func connectionOpened() { open.count.add(1, ordering: .relaxed) }
        mutating func connectionClosed() { open.count.subtract(1, ordering: .relaxed) }
        func isAcceptingNewConnections() -> Bool { open.current < connectionsMax }
    }
}

/// Connections closed for reading too slowly, by phase (`quanzi_http_read_timeouts_total`).
struct ConnectionTimeoutCounters: Sendable {
    let header: CoreMetrics.Counter
    let body: CoreMetrics.Counter
}

/// One connection's read deadline. Touched only on the connection's event loop (both watchers
/// and the scheduled task run there), so it needs no lock.
final class ReadDeadlines {
    enum Phase { case waitingForRequest, readingHead, readingBody, responding }

    private let channel: any Channel
    private let limits: ConnectionLimits
    private let timedOut: ConnectionTimeoutCounters
    private let logger: Logger
    private(set) var phase = Phase.waitingForRequest
    /// Heads received minus responses finished (HTTP/1.1 pipelining can put several in flight).
    private var requestsInFlight = 0
    private var deadline: Scheduled<Void>?

    init(channel: any Channel, limits: ConnectionLimits, timedOut: ConnectionTimeoutCounters, logger: Logger) {
        self.channel = channel
        self.limits = limits
        self.timedOut = timedOut
        self.logger = logger
    }

    func bytesArrived() {
        guard phase == .waitingForRequest else { return }
        phase = .readingHead
        arm(seconds: limits.headerReadTimeoutSeconds)
    }

    func headArrived() {
        requestsInFlight += 1
        phase = .readingBody
        arm(seconds: limits.bodyReadTimeoutSeconds)
    }

    func endArrived() {
        phase = .responding
        cancel()
    }

    func responseEnded() {
        requestsInFlight = max(0, requestsInFlight - 1)
        if requestsInFlight == 0, phase == .responding { phase = .waitingForRequest }
    }

    func cancel() {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(seconds: Int64) {
        cancel()
        let armedPhase = phase
        deadline = channel.eventLoop.assumeIsolated().scheduleTask(in: .seconds(seconds)) { [self] in
            deadline = nil
            guard phase == armedPhase else { return }
            (phase == .readingHead ? timedOut.header : timedOut.body).increment()
            logger.notice(
                "closing a connection that read too slowly",
                metadata: ["phase": "\(phase == .readingHead ? "header" : "body")", "timeout_s": "\(seconds)"])
            channel.close(promise: nil)
        }
    }
}

/// First in the pipeline: sees the first bytes of each request.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let deadlines: ReadDeadlines

    init(_ deadlines: ReadDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlines.bytesArrived()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.cancel()
        context.fireChannelInactive()
    }
}

/// After the HTTP decoder: sees each request's head and end, and each response's end.
final class RequestPartsWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private let deadlines: ReadDeadlines

    init(_ deadlines: ReadDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines.headArrived()
        case .body: break
        case .end: deadlines.endArrived()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadlines.responseEnded() }
        context.write(data, promise: promise)
    }
}
