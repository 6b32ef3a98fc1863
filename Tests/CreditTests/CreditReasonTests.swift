import Core
import Credit
import Testing

@Suite("credit scores and their reasons")
struct CreditReasonTests {
    func report(_ inputs: CreditInputs, edges: [CreditEdge] = []) -> CreditReport {
        CreditEngine.computeAll(inputs: [UserID(1): inputs], edges: edges)[UserID(1)]!
    }

    @Test("the dimensions share the 600 points between 350 and 950")
    func dimensionsShareTheRange() {
        #expect(CreditDimension.allCases.reduce(0) { $0 + $1.maximumPoints } == CreditScale.dimensionPointsTotal)
        #expect(CreditScale.dimensionPointsTotal == 600)
    }

    @Test("the score is the minimum plus every dimension's points, in a fixed dimension order")
    func scoreIsTheSumOfDimensions() {
        let report = report(CreditFixtures.established())
        #expect(report.dimensions.map(\.dimension) == CreditDimension.allCases)
        #expect(report.score == CreditScale.minimumScore + report.dimensions.reduce(0) { $0 + $1.points })
        for dimension in report.dimensions {
            #expect(dimension.reasons.allSatisfy { $0.code.dimension == dimension.dimension })
        }
    }

    @Test("reason codes are stable snake_case under their dimension's prefix")
    func reasonCodesAreWellFormed() {
        let prefixes: [CreditDimension: String] = [
            .identity: "identity.", .history: "history.", .paymentBehaviour: "payment.", .conduct: "conduct.", .connections: "connections.",
        ]
        for code in CreditReasonCode.allCases {
            #expect(code.rawValue.hasPrefix(prefixes[code.dimension]!), "\(code.rawValue)")
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" || $0 == "." }, "\(code.rawValue)")
        }
        #expect(Set(CreditReasonCode.allCases.map(\.rawValue)).count == CreditReasonCode.allCases.count)
    }

    @Test("an account with no evidence scores near the floor, with good standing its only points")
    func emptyAccount() {
        let report = report(CreditInputs(accountAgeDays: 0))
        #expect(report.dimension(.identity).points == 0)
        #expect(report.dimension(.history).points == 0)
        #expect(report.dimension(.paymentBehaviour).points == 0)
        #expect(report.dimension(.connections).points == 0)
        #expect(report.score == CreditScale.minimumScore + report.dimension(.conduct).points)
        #expect(report.reasons.map(\.code).contains(.identityNotVerified))
        #expect(report.reasons.map(\.code).contains(.connectionsNone))
    }

    @Test("an established account in an established community clears the 750 comment threshold")
    func establishedAccountIsExcellent() {
        let community = CreditFixtures.establishedCommunity(firstID: 1, count: 30, friendsPerMember: 3)
        let reports = CreditEngine.computeAll(inputs: community.inputs, edges: community.edges)
        let score = reports[UserID(1)]!.score
        #expect(score >= 750 && score < CreditScale.maximumScore, "score \(score)")
    }

    @Test("real-name verification is a reason, and unverified declarations count half")
    func verification() {
        var unverified = CreditFixtures.established()
        unverified.identity.verifiedDaysAgo = nil
        let verifiedReport = report(CreditFixtures.established())
        let unverifiedReport = report(unverified)
        #expect(verifiedReport.reasons.first?.code == .identityRealNameVerified)
        #expect(verifiedReport.reasons.first?.message == "real-name verified")
        let city = { (report: CreditReport) in report.reasons.first { $0.code == .identityCity }!.points }
        #expect(city(unverifiedReport) > 0 && city(unverifiedReport) < city(verifiedReport))
        #expect(unverifiedReport.dimension(.identity).points < verifiedReport.dimension(.identity).points - 40)
    }

    @Test("hidden posts are explained in a sentence and cost conduct points")
    func hiddenPosts() {
        var inputs = CreditFixtures.established()
        inputs.conduct = CreditConduct(postsCreated: 12, postsHidden: 2)
        let report = report(inputs)
        let reason = report.reasons.first { $0.code == .conductPostsHidden }
        #expect(reason?.message == "2 posts hidden by moderation in the last 90 days")
        #expect((reason?.points ?? 0) < 0)
        #expect(!report.reasons.map(\.code).contains(.conductCleanRecord))
        #expect(report.dimension(.conduct).points < self.report(CreditFixtures.established()).dimension(.conduct).points)
    }

    @Test("comments held by moderation cost conduct points, less than as many posts")
    func hiddenComments() {
        var inputs = CreditFixtures.established()
        inputs.conduct = CreditConduct(postsCreated: 10, commentsHidden: 2)
        let report = report(inputs)
        let reason = report.reasons.first { $0.code == .conductCommentsHidden }
        #expect(reason?.message == "2 comments hidden by moderation in the last 90 days")
        #expect((reason?.points ?? 0) < 0)
        #expect(!report.reasons.map(\.code).contains(.conductCleanRecord))
        var posts = CreditFixtures.established()
        posts.conduct = CreditConduct(postsCreated: 12, postsHidden: 2)
        #expect(report.dimension(.conduct).points > self.report(posts).dimension(.conduct).points)
    }

    @Test("payments refused for insufficient funds lower payment behaviour with a reason")
    func insufficientFunds() {
        var inputs = CreditFixtures.established()
        inputs.payments.insufficientFundsFailures = 3
        let report = report(inputs)
        let reason = report.reasons.first { $0.code == .paymentInsufficientFunds }
        #expect(reason?.message == "3 payments refused for insufficient funds in the last 365 days")
        #expect((reason?.points ?? 0) < 0)
    }

    @Test("a friendship listed from both sides counts once; payments between the same pair add up")
    func duplicateEdges() {
        let community = CreditFixtures.establishedCommunity(firstID: 1, count: 10, friendsPerMember: 2)
        var inputs = community.inputs
        inputs[UserID(100)] = CreditFixtures.fresh()
        let once = CreditEngine.computeAll(inputs: inputs, edges: community.edges + [.friendship(UserID(1), UserID(100))])
        let twice = CreditEngine.computeAll(
            inputs: inputs, edges: community.edges + [.friendship(UserID(1), UserID(100)), .friendship(UserID(100), UserID(1))])
        #expect(once == twice)
    }

    @Test("no users, no reports")
    func emptyPopulation() {
        #expect(CreditEngine.computeAll(inputs: [:], edges: [.friendship(UserID(1), UserID(2))]).isEmpty)
    }

    @Test("edges naming unknown users and self-links are ignored")
    func strayEdges() {
        let inputs = [UserID(1): CreditFixtures.established()]
        let plain = CreditEngine.computeAll(inputs: inputs, edges: [])
        let stray = CreditEngine.computeAll(
            inputs: inputs,
            edges: [
                .friendship(UserID(1), UserID(99)), .friendship(UserID(1), UserID(1)),
                .payments(from: UserID(99), to: UserID(1), count: 5, volume: Fen(100), lastDaysAgo: 0),
            ])
        #expect(plain == stray)
    }
}
