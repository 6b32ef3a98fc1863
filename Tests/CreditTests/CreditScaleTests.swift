import Core
import Credit
import Testing

/// The batch the nightly job runs: 10,000 users and 100,000 edges.
@Suite("credit at scale")
struct CreditScaleTests {
    static let userCount = 10_000
    static let edgeCount = 100_000

    static func world() -> (inputs: [UserID: CreditInputs], edges: [CreditEdge]) {
        var random = SeededGenerator(seed: 42)
        var inputs: [UserID: CreditInputs] = [:]
        for id in 1...Int64(userCount) {
            let ageDays = random.int(below: 1_500)
            let verified = random.int(below: 10) < 8
            inputs[UserID(id)] = CreditInputs(
                accountAgeDays: ageDays,
                identity: CreditIdentity(
                    verifiedDaysAgo: verified ? random.int(below: ageDays + 1) : nil,
                    occupation: CreditIdentity.Occupation.allCases[random.int(below: 3)], hasSchool: random.int(below: 2) == 0,
                    hasEmployer: random.int(below: 2) == 0, hasCity: random.int(below: 4) > 0),
                history: CreditHistory(
                    activeDays: random.int(below: 200), transfersSent: random.int(below: 100), tipsSent: random.int(below: 40),
                    redPacketsSent: random.int(below: 10), redPacketsClaimed: random.int(below: 30)),
                payments: CreditPayments(topUps: random.int(below: 20), insufficientFundsFailures: random.int(below: 3)),
                conduct: CreditConduct(
                    postsCreated: random.int(below: 20), postsHidden: random.int(below: 2), reportsUpheld: random.int(below: 2)))
        }
        var edges: [CreditEdge] = []
        edges.reserveCapacity(edgeCount)
        for index in 0..<edgeCount {
            let source = UserID(Int64(random.int(below: userCount) + 1))
            let target = UserID(Int64(random.int(below: userCount) + 1))
            if index % 2 == 0 {
                edges.append(.friendship(source, target))
            } else {
                edges.append(
                    .payments(
                        from: source, to: target, count: random.int(below: 20) + 1, volume: Fen(Int64(random.int(below: 100_000))),
                        lastDaysAgo: random.int(below: 365)))
            }
        }
        return (inputs, edges)
    }

    @Test("10,000 users and 100,000 edges are scored in one batch")
    func batch() {
        let world = Self.world()
        let reports = CreditEngine.computeAll(inputs: world.inputs, edges: world.edges)
        #expect(reports.count == Self.userCount)
        #expect(reports.values.allSatisfy { (CreditScale.minimumScore...CreditScale.maximumScore).contains($0.score) })
    }
}
