/// Every bound of the HTTP layer, named (TigerBeetle style).
public struct ServerLimits: Sendable, Hashable {
    /// The per-token request budget for every `/v1` route.
    public var apiRate: RateLimitPolicy
    /// A tighter budget for the routes that move money, on top of `apiRate`.
    public var moneyRate: RateLimitPolicy

    public init(apiRate: RateLimitPolicy = .api, moneyRate: RateLimitPolicy = .money) {
        self.apiRate = apiRate
        self.moneyRate = moneyRate
    }

    public static let `default` = ServerLimits()

    /// Largest request body: 64 KiB holds the longest post (10,000 bytes of text, escaped) with
    /// room to spare; anything larger is refused with 413 before it is decoded.
    public static let requestBodyBytesMax = 64 << 10
    /// Most items one page of a list returns (wallet history, comments…).
    public static let pageItemsMax = 100
    /// Items a page returns when the client does not say.
    public static let pageItemsDefault = 20
    /// Most friend suggestions returned.
    public static let suggestionsMax = 20
}

/// A token bucket: `burst` requests at once, refilled at `refillPerSecond`.
public struct RateLimitPolicy: Sendable, Hashable {
    /// Shown in the 429 message and the logs.
    public var name: String
    public var burst: Int
    public var refillPerSecond: Double

    public init(name: String, burst: Int, refillPerSecond: Double) {
        self.name = name
        self.burst = burst
        self.refillPerSecond = refillPerSecond
    }

    /// 50 requests per second with bursts of 100: a busy app screen makes ~10 calls, so this
    /// only stops scripts.
    public static let api = RateLimitPolicy(name: "api", burst: 100, refillPerSecond: 50)
    /// 10 money requests per second with bursts of 20: people do not pay faster; bots do.
    public static let money = RateLimitPolicy(name: "money", burst: 20, refillPerSecond: 10)
}
