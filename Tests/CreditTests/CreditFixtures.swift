import Core
import Credit

/// People and populations the credit tests are built from.
enum CreditFixtures {
    /// A verified office worker of three years who pays often and never overdraws.
    static func established(paymentsSent: Int = 200) -> CreditInputs {
        CreditInputs(
            accountAgeDays: 1_100,
            identity: CreditIdentity(verifiedDaysAgo: 1_000, occupation: .officeWorker, hasEmployer: true, hasCity: true),
            history: CreditHistory(activeDays: 200, transfersSent: paymentsSent, tipsSent: 0),
            payments: CreditPayments(topUps: 20),
            conduct: CreditConduct(postsCreated: 10))
    }

    /// A verified account a few weeks old that has topped up once and used the app daily, with
    /// no payments of its own: the baseline a ring member is compared with.
    static func fresh(ageDays: Int = 20) -> CreditInputs {
        CreditInputs(
            accountAgeDays: ageDays,
            identity: CreditIdentity(verifiedDaysAgo: ageDays, occupation: .student, hasSchool: true, hasCity: true),
            history: CreditHistory(activeDays: ageDays),
            payments: CreditPayments(topUps: 1))
    }

    /// A community of established accounts, each befriending the next `friendsPerMember` around
    /// a circle and paying one of them: ids `firstID ..< firstID + count`.
    static func establishedCommunity(firstID: Int64, count: Int, friendsPerMember: Int) -> (
        inputs: [UserID: CreditInputs], edges: [CreditEdge]
    ) {
        var inputs: [UserID: CreditInputs] = [:]
        var edges: [CreditEdge] = []
        for offset in 0..<Int64(count) {
            let user = UserID(firstID + offset)
            inputs[user] = established()
            for step in 1...Int64(friendsPerMember) {
                edges.append(.friendship(user, UserID(firstID + (offset + step) % Int64(count))))
            }
            let payee = UserID(firstID + (offset + 1) % Int64(count))
            edges.append(.payments(from: user, to: payee, count: 200, volume: Fen(500_000), lastDaysAgo: 3))
        }
        return (inputs, edges)
    }
}

/// Core's seeded generator, so generated populations are the same on every run and platform.
extension SeededGenerator {
    /// Uniform enough for test data (modulo bias is irrelevant here); the populations were drawn
    /// with this plain modulo, so it stays.
    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
