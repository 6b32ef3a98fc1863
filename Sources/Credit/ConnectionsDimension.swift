/// Connections (人脉关系), up to 60 points: the credit of the people one deals with, as trust
/// propagated from established accounts (see `TrustPropagation`).
enum ConnectionsDimension {
    static let trustPoints = 60.0
    /// Received trust at which half the points are reached. An account whose whole neighbourhood
    /// is established receives about `TrustPropagation.damping` (½) and so gets two thirds of the
    /// points; a quarter (chosen) lets two or three established friends count noticeably.
    static let receivedTrustHalf = 0.25
    /// Establishment at which a vouching account is named "established" in the reason sentence
    /// (display only; the points use the exact trust).
    static let establishedForDisplay = 0.5

    /// What the graph says about one node.
    struct Neighbourhood {
        /// Trust received from others (`TrustPropagation.receivedTrust`).
        var receivedTrust: Double
        /// Accounts that send trust to this one: friends and payers.
        var vouchingAccounts: Int
        /// Of those, the established ones.
        var establishedVouchingAccounts: Int
    }

    static func score(_ neighbourhood: Neighbourhood) -> CreditDimensionScore {
        var tally = DimensionTally(.connections)
        let points = trustPoints * Curve.saturating(neighbourhood.receivedTrust, half: receivedTrustHalf)
        let vouching = neighbourhood.vouchingAccounts
        let established = neighbourhood.establishedVouchingAccounts
        if vouching == 0 {
            tally.add(.connectionsNone, points: 0, "no friends or payers yet: trust comes from friends and from people who pay you")
        } else if points.rounded() < 1 {
            tally.add(
                .connectionsUnvettedNetwork, points: points,
                "\(counted(vouching, "friend or payer", "friends and payers")), but no trust reaches them from established accounts")
        } else if established > 0 {
            tally.add(
                .connectionsTrustedNetwork, points: points,
                "\(counted(vouching, "friend or payer", "friends and payers")), \(established) of them established")
        } else {
            tally.add(
                .connectionsTrustedNetwork, points: points,
                "\(counted(vouching, "friend or payer", "friends and payers")), trusted through established accounts they deal with")
        }
        return tally.finished()
    }
}
