import Core
import Feed
import Foundation
import PropertyBased
import Testing

@Suite("explanations")
struct ExplanationTests {
    @Test("contributions add up to the score the post was ranked by")
    func contributionsSum() async throws {
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.int(in: 1...200)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            let request = try scenario.request()
            let page = FeedRanker.rank(window, request, isVisible: scenario.isVisible)
            let explained = FeedRanker.explain(page.posts.map(\.postID), in: window, for: request)
            #expect(explained.map(\.score) == page.posts.map(\.score), "the very same scores")
            for explanation in FeedRanker.explain(scenario.rows.map(\.postID), in: window, for: request) {
                #expect(abs(explanation.contributionSum - explanation.score) <= 1e-9)
                #expect(explanation.contributions.map(\.feature) == FeedFeature.allCases)
            }
        }
    }

    @Test("scores follow the documented formula")
    func formula() async throws {
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.int(in: 1...100)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let request = try scenario.request()
            let weights = scenario.parameters
            for explanation in FeedRanker.explain(scenario.rows.map(\.postID), in: scenario.window, for: request) {
                let row = explanation.row
                let age = Double(FeedScenario.nowEpochSeconds - row.createdAtEpochSeconds)
                let decay = exp2(-age / (weights.halfLifeHours * 3_600))
                let credit = Double(min(max(row.authorCreditScore, 350), 950) - 350) / 600
                let friend = scenario.viewer.friendIDs.contains(row.authorID)
                let base =
                    1 + weights.engagementWeight * log1p(Double(row.likeCount + 2 * row.commentCount))
                    + weights.tipsWeight * log1p(Double(row.tipsFen)) + weights.creditWeight * credit
                    + weights.affinityWeight * (scenario.viewer.affinityByAuthor[row.authorID] ?? 0)
                    + (friend ? weights.friendshipWeight : 0)
                    - weights.showLessPenalty * log1p(Double(scenario.viewer.showLessByAuthor[row.authorID] ?? 0))
                let seen = scenario.viewer.seenPostIDs.contains(row.postID)
                let kindMarks = scenario.viewer.showLessByKindIndex[row.kindIndex] ?? 0
                let expected =
                    decay * base - weights.reportPenalty * log1p(Double(row.reportCount))
                    - (seen ? weights.seenPenalty : 0) - weights.showLessKindPenalty * log1p(Double(kindMarks))
                // Features are stored as Float: agreement to ~1e-7 relative, not to the last bit.
                #expect(abs(explanation.score - expected) <= 1e-6 * max(1, abs(expected)), "\(row)")
            }
        }
    }

    @Test("a post's terms show what moved it")
    func namedTerms() throws {
        let now = FeedScenario.nowEpochSeconds
        let author = UserID(9)
        let rows = [
            CandidateRow(
                postID: 1, authorID: author, createdAtEpochSeconds: now - 12 * 3_600, likeCount: 3, commentCount: 0,
                tipsFen: 0, reportCount: 1, authorCreditScore: 950)
        ]
        let window = CandidateWindow(rows: rows, nowEpochSeconds: now)
        let viewer = ViewerSignals(viewerID: UserID(1), friendIDs: [author], seenPostIDs: [1])
        let parameters = RankingParameters(
            halfLifeHours: 12, engagementWeight: 1, tipsWeight: 1, creditWeight: 1, affinityWeight: 1,
            friendshipWeight: 1, reportPenalty: 2, seenPenalty: 1)
        let request = try FeedRequest(viewer: viewer, parameters: parameters, pageSize: 10, clockEpochSeconds: now)
        let explanation = try #require(FeedRanker.explain([1, 404], in: window, for: request).first)
        #expect(explanation.decay == 0.5, "one half-life old")
        #expect(explanation.contribution(of: .recency) == 0.5)
        #expect(abs(explanation.contribution(of: .engagement) - 0.5 * log(4)) < 1e-6)
        #expect(explanation.contribution(of: .tips) == 0)
        #expect(explanation.contribution(of: .credit) == 0.5)
        #expect(explanation.contribution(of: .friendship) == 0.5)
        #expect(abs(explanation.contribution(of: .reports) + 2 * log(2)) < 1e-6)
        #expect(explanation.contribution(of: .seen) == -1)
    }
}
