// Credit: a Sesame-style (芝麻信用) score from 350 to 950, built from five dimensions —
// identity, history, payment behaviour, conduct and connections — each with the reasons behind it.
//
// The module is pure: Storage gathers `CreditInputs` per user and `CreditEdge`s for the graph,
// calls `CreditEngine.computeAll(inputs:edges:)`, and stores or shows the `CreditReport`s. The
// same inputs always give the same reports, whatever order they arrive in.
//
// Collusion: connections come from trust propagated out of *established* accounts (old,
// real-name verified, with payment history), and activity only counts as far as the accounts on
// the other side are established. A ring of new accounts that befriend and pay each other has no
// established account in it, so its links and its payments add nothing.

/// The score's range and how it splits between dimensions.
public enum CreditScale {
    /// The lowest score (Sesame's floor): an account with no evidence at all.
    public static let minimumScore = 350
    /// The highest score (Sesame's ceiling).
    public static let maximumScore = 950
    /// The points the dimensions share: `maximumScore − minimumScore`.
    public static let dimensionPointsTotal = maximumScore - minimumScore
}
