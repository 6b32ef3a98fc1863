import Core

/// One link of the graph that connections are computed from.
///
/// Trust flows along an edge from `sourceUserID` to `targetUserID`: a friendship (which both
/// sides accepted) carries it both ways; payments carry it from payer to payee only, because
/// paying someone is a vouch for them while being paid by someone is not (anyone can tip you).
/// Payment edges between the same two users add up; a friendship counts once however many times
/// it is listed, in either order (the `friendships` table holds a row per direction).
public struct CreditEdge: Sendable, Hashable, Codable {
    /// What the link is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An accepted friendship: trust flows both ways.
        case friendship
        /// Money sent by `sourceUserID` to `targetUserID` (transfers, tips, red-packet claims).
        case payments
    }

    public var kind: Kind
    public var sourceUserID: UserID
    public var targetUserID: UserID
    /// Committed payments from source to target (0 for a friendship).
    public var paymentCount: Int
    /// Their total amount (zero for a friendship).
    public var paymentVolume: Fen
    /// Whole days since the latest of them (0 for a friendship).
    public var lastPaymentDaysAgo: Int

    /// An accepted friendship between `a` and `b` (order does not matter).
    public static func friendship(_ a: UserID, _ b: UserID) -> CreditEdge {
        CreditEdge(kind: .friendship, sourceUserID: a, targetUserID: b, paymentCount: 0, paymentVolume: .zero, lastPaymentDaysAgo: 0)
    }

    /// Everything `payer` sent `payee`: transfers, tips, and red-packet shares `payee` claimed.
    public static func payments(from payer: UserID, to payee: UserID, count: Int, volume: Fen, lastDaysAgo: Int) -> CreditEdge {
        CreditEdge(
            kind: .payments, sourceUserID: payer, targetUserID: payee, paymentCount: count, paymentVolume: volume,
            lastPaymentDaysAgo: lastDaysAgo)
    }

    public init(kind: Kind, sourceUserID: UserID, targetUserID: UserID, paymentCount: Int, paymentVolume: Fen, lastPaymentDaysAgo: Int) {
        self.kind = kind
        self.sourceUserID = sourceUserID
        self.targetUserID = targetUserID
        self.paymentCount = paymentCount
        self.paymentVolume = paymentVolume
        self.lastPaymentDaysAgo = lastPaymentDaysAgo
    }
}

extension CreditEdge {
    /// A total order on every field, so the engine can sort edges before it sums anything and
    /// floating-point results do not depend on the order Storage read them in.
    static func canonicallyOrdered(_ lhs: CreditEdge, _ rhs: CreditEdge) -> Bool {
        if lhs.sourceUserID != rhs.sourceUserID { return lhs.sourceUserID < rhs.sourceUserID }
        if lhs.targetUserID != rhs.targetUserID { return lhs.targetUserID < rhs.targetUserID }
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        if lhs.paymentCount != rhs.paymentCount { return lhs.paymentCount < rhs.paymentCount }
        if lhs.paymentVolume != rhs.paymentVolume { return lhs.paymentVolume < rhs.paymentVolume }
        return lhs.lastPaymentDaysAgo < rhs.lastPaymentDaysAgo
    }
}
