import Foundation

/// How strongly one link carries trust, before each user's outgoing links are normalised to
/// shares of one. Because only the shares matter, heavy traffic on a link can shift where a
/// user's trust goes but never create more of it: mutual tipping in a ring moves nothing.
enum EdgeWeight {
    /// An accepted friendship is the unit (chosen).
    static let friendshipWeight = 1.0
    /// A payment relationship at its strongest weighs as much as a friendship (chosen: a friend
    /// you also pay links twice as strongly as either alone).
    static let paymentWeightMaximum = 1.0
    /// Volume at which a payment link reaches half its maximum (chosen: 100 yuan, a generous
    /// red packet; beyond that more money says little more about trust).
    static let paymentVolumeHalfFen = 10_000.0
    /// A payment link loses half its weight every this many days since the last payment
    /// (chosen: half a year, since scores move slowly and a lapsed contact still says something).
    static let paymentRecencyHalfLifeDays = 180.0

    /// Weight of the payments from one payer to one payee (clamped: `CreditEdge.clamped`).
    static func payments(volumeFen: Int64, lastPaymentDaysAgo: Int) -> Double {
        let volume = Curve.saturating(Double(volumeFen), half: paymentVolumeHalfFen)
        let recency = pow(0.5, Double(lastPaymentDaysAgo) / paymentRecencyHalfLifeDays)
        return paymentWeightMaximum * volume * recency
    }
}
