/// Every bound of the wallet, named (TigerBeetle style). A request past a limit gets
/// ``LedgerError/exceedsLimit`` and moves nothing.
public struct LedgerLimits: Sendable, Hashable {
    /// Largest single transfer or tip: 50,000 yuan, the order of a payments app's daily transfer cap.
    public var transferAmountMaxFen: Int64
    /// Largest single top-up.
    public var topUpAmountMaxFen: Int64
    /// Largest red packet: 200 yuan, WeChat's cap, which keeps red packets a gesture, not a payment.
    public var redPacketTotalMaxFen: Int64
    /// Most shares in one red packet (WeChat's group packets allow 100).
    public var redPacketShareCountMax: Int
    /// Most user ids in a red packet's listed audience.
    public var redPacketAudienceUsersMax: Int
    /// How long a red packet can be claimed before its remainder is refunded: 24 hours.
    public var redPacketLifetimeSeconds: Int64
    /// Most red packets one expiry sweep refunds, so one sweep is one short transaction.
    public var expirySweepBatchMax: Int

    public init(
        transferAmountMaxFen: Int64 = 5_000_000,
        topUpAmountMaxFen: Int64 = 5_000_000,
        redPacketTotalMaxFen: Int64 = 20_000,
        redPacketShareCountMax: Int = 100,
        redPacketAudienceUsersMax: Int = 500,
        redPacketLifetimeSeconds: Int64 = 24 * 60 * 60,
        expirySweepBatchMax: Int = 1_000
    ) {
        self.transferAmountMaxFen = transferAmountMaxFen
        self.topUpAmountMaxFen = topUpAmountMaxFen
        self.redPacketTotalMaxFen = redPacketTotalMaxFen
        self.redPacketShareCountMax = redPacketShareCountMax
        self.redPacketAudienceUsersMax = redPacketAudienceUsersMax
        self.redPacketLifetimeSeconds = redPacketLifetimeSeconds
        self.expirySweepBatchMax = expirySweepBatchMax
    }

    public static let `default` = LedgerLimits()

    /// Longest idempotency key, in UTF-8 bytes (a UUID is 36; room for client prefixes). Not
    /// configurable: the schema's CHECK states the same bound.
    public static let idempotencyKeyBytesMax = 128

    /// Whether `key` is acceptable as an idempotency key: 1 to `idempotencyKeyBytesMax` bytes.
    public static func isWellFormed(idempotencyKey key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= idempotencyKeyBytesMax
    }
}
