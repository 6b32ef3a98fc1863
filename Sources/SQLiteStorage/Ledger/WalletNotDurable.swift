/// Thrown by `Wallet.init` when the database's writer does not fsync at commit
/// (`PRAGMA synchronous` below FULL), so a committed transfer could be lost on power failure.
public struct WalletNotDurable: Error, Hashable, Sendable, CustomStringConvertible {
    /// The writer's `PRAGMA synchronous` level (0 OFF, 1 NORMAL).
    public let synchronous: Int
    public var description: String { "the database writer runs with synchronous=\(synchronous); the wallet needs FULL (2)" }
}
