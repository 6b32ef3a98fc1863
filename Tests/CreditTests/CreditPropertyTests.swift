import Core
import Credit
import PropertyBased
import Testing

/// Random users and graphs: the score's range, its monotone directions and its determinism.
@Suite("credit properties")
struct CreditPropertyTests {
    static let userCount = 8

    /// A user from 17 numbers, including negative and very large counts (read as zero or capped).
    static func inputs(_ n: [Int]) -> CreditInputs {
        CreditInputs(
            accountAgeDays: n[0],
            identity: CreditIdentity(
                verifiedDaysAgo: n[1] % 3 == 0 ? nil : n[1], occupation: CreditIdentity.Occupation.allCases[abs(n[2]) % 3],
                hasSchool: n[3] % 2 == 0, hasEmployer: n[4] % 2 == 0, hasCity: n[5] % 2 == 0),
            history: CreditHistory(activeDays: n[6], transfersSent: n[7], tipsSent: n[8], redPacketsSent: n[9], redPacketsClaimed: n[10]),
            payments: CreditPayments(topUps: n[11], insufficientFundsFailures: n[12]),
            conduct: CreditConduct(postsCreated: n[13], postsHidden: n[14], reportsUpheld: n[15], falseReportsFiled: n[16]))
    }

    static let userGen = Gen.int(in: -10...5_000).array(of: 17).map { inputs($0) }
    static let populationGen = userGen.array(of: userCount)
    /// Edges among users 1…8 from four numbers each: endpoints, kind, size.
    static let edgesGen = Gen.int(in: 0...10_000).array(of: 4).array(of: 0...40).map { specs in
        specs.map { spec -> CreditEdge in
            let source = UserID(Int64(spec[0] % userCount + 1))
            let target = UserID(Int64(spec[1] % userCount + 1))
            if spec[2] % 2 == 0 { return .friendship(source, target) }
            return .payments(from: source, to: target, count: spec[3] % 60, volume: Fen(Int64(spec[3]) * 137), lastDaysAgo: spec[2] % 400)
        }
    }

    static func population(_ users: [CreditInputs]) -> [UserID: CreditInputs] {
        Dictionary(uniqueKeysWithValues: users.enumerated().map { (UserID(Int64($0.offset + 1)), $0.element) })
    }

    @Test("every score is within 350…950 and every dimension within its range")
    func scoresInRange() async {
        await propertyCheck(input: Self.populationGen, Self.edgesGen) { users, edges in
            for report in CreditEngine.computeAll(inputs: Self.population(users), edges: edges).values {
                #expect((CreditScale.minimumScore...CreditScale.maximumScore).contains(report.score))
                for dimension in report.dimensions {
                    #expect((0...dimension.dimension.maximumPoints).contains(dimension.points))
                }
            }
        }
    }

    @Test("extreme inputs stay in range")
    func extremesInRange() {
        let huge = CreditInputs(
            accountAgeDays: .max,
            identity: CreditIdentity(verifiedDaysAgo: .max, occupation: .student, hasSchool: true, hasEmployer: true, hasCity: true),
            history: CreditHistory(
                activeDays: .max, transfersSent: .max / 8, tipsSent: .max / 8, redPacketsSent: .max / 8, redPacketsClaimed: .max / 8),
            payments: CreditPayments(topUps: .max, insufficientFundsFailures: .max),
            conduct: CreditConduct(postsCreated: .max, postsHidden: .max, reportsUpheld: .max, falseReportsFiled: .max))
        let negative = CreditInputs(
            accountAgeDays: .min, identity: CreditIdentity(verifiedDaysAgo: .min),
            history: CreditHistory(activeDays: .min, transfersSent: .min, tipsSent: .min, redPacketsSent: .min, redPacketsClaimed: .min),
            payments: CreditPayments(topUps: .min, insufficientFundsFailures: .min),
            conduct: CreditConduct(postsCreated: .min, postsHidden: .min, reportsUpheld: .min, falseReportsFiled: .min))
        let edges: [CreditEdge] = [
            .payments(from: UserID(1), to: UserID(2), count: .max, volume: Fen(.max), lastDaysAgo: .max),
            .payments(from: UserID(2), to: UserID(1), count: .min, volume: Fen(.min), lastDaysAgo: .min),
        ]
        for report in CreditEngine.computeAll(inputs: [UserID(1): huge, UserID(2): negative], edges: edges).values {
            #expect((CreditScale.minimumScore...CreditScale.maximumScore).contains(report.score))
        }
    }

    @Test("more posts hidden, reports upheld or false reports never raise conduct or the score")
    func conductIsMonotone() async {
        await propertyCheck(input: Self.userGen, Gen.int(in: 1...20), Gen.int(in: 0...2)) { user, extra, which in
            var worse = user
            switch which {
            case 0: worse.conduct.postsHidden = max(0, user.conduct.postsHidden) + extra
            case 1: worse.conduct.reportsUpheld = max(0, user.conduct.reportsUpheld) + extra
            default: worse.conduct.falseReportsFiled = max(0, user.conduct.falseReportsFiled) + extra
            }
            let before = CreditEngine.computeAll(inputs: [UserID(1): user], edges: [])[UserID(1)]!
            let after = CreditEngine.computeAll(inputs: [UserID(1): worse], edges: [])[UserID(1)]!
            #expect(after.dimension(.conduct).points <= before.dimension(.conduct).points)
            #expect(after.score <= before.score)
        }
    }

    @Test("more payments refused for insufficient funds never raise payment behaviour")
    func failuresAreMonotone() async {
        await propertyCheck(input: Self.populationGen, Self.edgesGen, Gen.int(in: 1...50)) { users, edges, extra in
            var worse = users
            worse[0].payments.insufficientFundsFailures = max(0, users[0].payments.insufficientFundsFailures) + extra
            let before = CreditEngine.computeAll(inputs: Self.population(users), edges: edges)[UserID(1)]!
            let after = CreditEngine.computeAll(inputs: Self.population(worse), edges: edges)[UserID(1)]!
            #expect(after.dimension(.paymentBehaviour).points <= before.dimension(.paymentBehaviour).points)
            #expect(after.score <= before.score)
        }
    }

    @Test("verifying an account or letting it age never lowers its score, whatever its links")
    func verificationAndAgeAreMonotone() async {
        await propertyCheck(input: Self.populationGen, Self.edgesGen, Gen.int(in: 1...400)) { users, edges, days in
            var better = users
            if better[0].identity.verifiedDaysAgo == nil { better[0].identity.verifiedDaysAgo = 0 }
            better[0].accountAgeDays = max(0, users[0].accountAgeDays) + days
            let before = CreditEngine.computeAll(inputs: Self.population(users), edges: edges)[UserID(1)]!
            let after = CreditEngine.computeAll(inputs: Self.population(better), edges: edges)[UserID(1)]!
            #expect(after.score >= before.score)
            #expect(after.dimension(.connections).points >= before.dimension(.connections).points)
        }
    }

    @Test("the same inputs give the same reports in any order")
    func deterministicInAnyOrder() async {
        await propertyCheck(input: Self.populationGen, Self.edgesGen, Gen.int(in: 0...1_000_000)) { users, edges, seed in
            let reference = CreditEngine.computeAll(inputs: Self.population(users), edges: edges)
            #expect(CreditEngine.computeAll(inputs: Self.population(users), edges: edges) == reference)

            var random = SeededGenerator(seed: UInt64(seed))
            var shuffledEdges = edges
            for index in shuffledEdges.indices.reversed() {
                shuffledEdges.swapAt(index, random.int(below: index + 1))
            }
            // Friendships have no direction: listing one the other way round changes nothing.
            let flipped = shuffledEdges.map { edge in
                edge.kind == .friendship ? CreditEdge.friendship(edge.targetUserID, edge.sourceUserID) : edge
            }
            var reordered: [UserID: CreditInputs] = [:]
            for (id, user) in Self.population(users).sorted(by: { $0.key > $1.key }) { reordered[id] = user }
            #expect(CreditEngine.computeAll(inputs: reordered, edges: flipped) == reference)
        }
    }
}
