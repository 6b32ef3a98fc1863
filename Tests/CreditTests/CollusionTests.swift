import Core
import Credit
import Testing

/// The requirement: a ring of new accounts that befriend and tip each other must not
/// raise their own scores, while real vouching from established accounts must count.
@Suite("credit resists collusion")
struct CollusionTests {
    static let ringSize = 20
    static let ringFirstID: Int64 = 1_000
    static let isolatedFirstID: Int64 = 2_000
    static let tipsPerPair = 50
    static let tipFen: Int64 = 10_000

    /// 50 established accounts, each with six friends among them.
    let community = CreditFixtures.establishedCommunity(firstID: 1, count: 50, friendsPerMember: 3)

    /// Twenty fresh accounts, all friends with each other, each tipping every other one 50 times
    /// 100 yuan; their own counts say so (950 tips sent, 950 shares claimed).
    func ring(firstID: Int64) -> (inputs: [UserID: CreditInputs], edges: [CreditEdge]) {
        let members = (0..<Int64(Self.ringSize)).map { UserID(firstID + $0) }
        var inputs: [UserID: CreditInputs] = [:]
        var edges: [CreditEdge] = []
        let tipsSent = (Self.ringSize - 1) * Self.tipsPerPair
        for member in members {
            var record = CreditFixtures.fresh()
            record.history.tipsSent = tipsSent
            record.history.redPacketsClaimed = tipsSent
            inputs[member] = record
            for other in members where other != member {
                if member < other { edges.append(.friendship(member, other)) }
                edges.append(
                    .payments(
                        from: member, to: other, count: Self.tipsPerPair, volume: Fen(Int64(Self.tipsPerPair) * Self.tipFen), lastDaysAgo: 1
                    ))
            }
        }
        return (inputs, edges)
    }

    func isolated(firstID: Int64) -> [UserID: CreditInputs] {
        Dictionary(uniqueKeysWithValues: (0..<Int64(Self.ringSize)).map { (UserID(firstID + $0), CreditFixtures.fresh()) })
    }

    func meanPoints(_ reports: [UserID: CreditReport], from firstID: Int64, _ dimension: CreditDimension?) -> Double {
        let ids = (0..<Int64(Self.ringSize)).map { UserID(firstID + $0) }
        let total = ids.reduce(0) { sum, id in
            let report = reports[id]!
            return sum + (dimension.map { report.dimension($0).points } ?? report.score)
        }
        return Double(total) / Double(ids.count)
    }

    @Test("a ring of 20 fresh accounts befriending and tipping each other scores no higher than isolated fresh accounts")
    func ringGainsNothing() {
        let ring = ring(firstID: Self.ringFirstID)
        let inputs = community.inputs.merging(ring.inputs) { a, _ in a }.merging(isolated(firstID: Self.isolatedFirstID)) { a, _ in a }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: community.edges + ring.edges)

        let connectionsGain =
            meanPoints(reports, from: Self.ringFirstID, .connections) - meanPoints(reports, from: Self.isolatedFirstID, .connections)
        let scoreGain = meanPoints(reports, from: Self.ringFirstID, nil) - meanPoints(reports, from: Self.isolatedFirstID, nil)
        #expect(connectionsGain < 1, "connections gain \(connectionsGain)")
        #expect(scoreGain < 1, "score gain \(scoreGain)")

        let member = reports[UserID(Self.ringFirstID)]!
        #expect(member.reasons.map(\.code).contains(.connectionsUnvettedNetwork))
        #expect(member.reasons.map(\.code).contains(.historyUnvettedCounterparties))
        #expect(member.reasons.map(\.code).contains(.paymentUnvettedCounterparties))
    }

    @Test("tipping established accounts does not buy their trust")
    func tippingOutwardBuysNothing() {
        var ring = ring(firstID: Self.ringFirstID)
        for offset in 0..<Int64(Self.ringSize) {
            let member = UserID(Self.ringFirstID + offset)
            ring.inputs[member]!.history.tipsSent += 100
            ring.edges.append(.payments(from: member, to: UserID(1 + offset), count: 100, volume: Fen(1_000_000), lastDaysAgo: 1))
        }
        let inputs = community.inputs.merging(ring.inputs) { a, _ in a }.merging(isolated(firstID: Self.isolatedFirstID)) { a, _ in a }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: community.edges + ring.edges)

        let connectionsGain =
            meanPoints(reports, from: Self.ringFirstID, .connections) - meanPoints(reports, from: Self.isolatedFirstID, .connections)
        #expect(connectionsGain < 1, "connections gain \(connectionsGain)")
    }

    @Test("a fresh account befriended by three established accounts gains noticeably")
    func vouchingCounts() {
        let newcomer = UserID(3_000)
        let loner = UserID(3_001)
        var inputs = community.inputs
        inputs[newcomer] = CreditFixtures.fresh()
        inputs[loner] = CreditFixtures.fresh()
        let vouches = [UserID(1), UserID(17), UserID(33)].map { CreditEdge.friendship($0, newcomer) }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: community.edges + vouches)

        let gain = reports[newcomer]!.dimension(.connections).points - reports[loner]!.dimension(.connections).points
        #expect(gain >= 15, "connections gain \(gain)")
        #expect(reports[newcomer]!.score > reports[loner]!.score)
        #expect(reports[newcomer]!.reasons.map(\.code).contains(.connectionsTrustedNetwork))
    }

    @Test("an established insider's trust is shared by a ring, not multiplied by it")
    func insiderTrustIsShared() {
        let insider = UserID(1)
        let ring = ring(firstID: Self.ringFirstID)
        let insiderEdges = ring.inputs.keys.map { CreditEdge.friendship(insider, $0) }
        let withRing = CreditEngine.computeAll(
            inputs: community.inputs.merging(ring.inputs) { a, _ in a }, edges: community.edges + ring.edges + insiderEdges)

        let single = UserID(3_000)
        var alone = community.inputs
        alone[single] = CreditFixtures.fresh()
        let withSingle = CreditEngine.computeAll(inputs: alone, edges: community.edges + [.friendship(insider, single)])

        let singleGain = withSingle[single]!.dimension(.connections).points
        let ringMemberGain = meanPoints(withRing, from: Self.ringFirstID, .connections)
        #expect(ringMemberGain < Double(singleGain), "ring member \(ringMemberGain), single account \(singleGain)")
    }
}
