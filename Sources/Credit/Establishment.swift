/// How established an account is, from 0 to 1: the seed strength of trust propagation and the
/// weight an account's payments carry as a counterparty.
///
/// Built only from what a ring of new accounts cannot manufacture together quickly: a real-name
/// verification and time. Nothing here reads the graph, so it cannot be inflated through links.
enum Establishment {
    /// Accounts younger than this seed no trust at all (chosen: a quarter, longer than a throwaway
    /// ring is worth keeping, and the same span as the conduct window).
    static let minimumAgeDays = 90.0
    /// Age at which the age factor is full (chosen: a year of use).
    static let fullAgeDays = 365.0
    /// Payments sent plus top-ups at which the payment-history factor is full (chosen: ten real
    /// uses of the wallet separate an account that pays from one that only exists).
    static let fullPaymentHistoryCount = 10.0

    /// 0 for unverified or young accounts; otherwise age factor × payment-history factor.
    /// `inputs` must be clamped (`CreditInputs.clamped`).
    static func strength(of inputs: CreditInputs) -> Double {
        // Unverified accounts seed nothing: the product's trust story rests on real names.
        guard inputs.identity.isRealNameVerified else { return 0 }
        let ageFactor = Curve.ramp(Double(inputs.accountAgeDays), from: minimumAgeDays, to: fullAgeDays)
        let paymentUses = Double(inputs.history.paymentsSent) + Double(inputs.payments.topUps)
        let paymentFactor = Curve.ramp(paymentUses, from: 0, to: fullPaymentHistoryCount)
        return ageFactor * paymentFactor
    }
}
