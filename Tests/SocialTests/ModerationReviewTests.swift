import Core
import Social
import Testing

/// `ModerationReview`'s rules on their own (the backends apply them: ModerationContractTests).
@Suite("moderation review rules")
struct ModerationReviewTests {
    static let author = UserID(2)
    static let item = ModerationItemState(
        id: 7, postID: 70, circleID: CircleID("campus-diary"), authorID: author, reason: .reports, detail: "3 reports",
        createdAtEpochSeconds: 1_000)

    @Test("a decision records its moderator, time and text; the post's status follows the outcome")
    func decide() throws {
        let approved = try ModerationReview.decide(Self.item, .approve(note: nil), by: UserID(9), at: 2_000)
        #expect(approved.outcome == .restored && approved.decidedBy == UserID(9) && approved.decidedAtEpochSeconds == 2_000)
        #expect(ModerationReview.postStatus(after: approved.outcome) == .visible && ModerationReview.hiddenReason(after: approved) == nil)
        let removed = try ModerationReview.decide(Self.item, .remove(reason: "spam"), by: UserID(9), at: 2_000)
        #expect(ModerationReview.postStatus(after: removed.outcome) == .hidden)
        #expect(ModerationReview.hiddenReason(after: removed) == "removed by a moderator: spam")
        #expect(removed.mayBeAppealed && !approved.mayBeAppealed)
    }

    @Test("an appeal reopens a removal once, for another moderator; only the author may make it")
    func appeal() throws {
        let removed = try ModerationReview.decide(Self.item, .remove(reason: "spam"), by: UserID(9), at: 2_000)
        let appealed = try ModerationReview.appeal(removed, by: Self.author, text: "not spam", at: 3_000)
        #expect(appealed.outcome == .pending && appealed.decidedBy == nil && appealed.decidedAtEpochSeconds == nil)
        #expect(appealed.firstDecidedBy == UserID(9) && appealed.firstDecisionText == "spam" && appealed.appealText == "not spam")
        #expect(!appealed.mayBeAppealed)
        #expect(throws: QuanziError(.forbidden, "the appeal of item 7 goes to another moderator than the one who removed it")) {
            try ModerationReview.decide(appealed, .approve(note: nil), by: UserID(9), at: 4_000)
        }
        let final = try ModerationReview.decide(appealed, .remove(reason: "still spam"), by: UserID(10), at: 4_000)
        #expect(throws: QuanziError(.moderationConflict, "the removal of post 70 was appealed once already")) {
            try ModerationReview.appeal(final, by: Self.author, text: nil, at: 5_000)
        }
        #expect(throws: QuanziError(.forbidden, "only the author of post 70 may appeal its removal")) {
            try ModerationReview.appeal(removed, by: UserID(3), text: nil, at: 3_000)
        }
        #expect(throws: QuanziError(.moderationConflict, "post 70 is still waiting for review; only a removal can be appealed")) {
            try ModerationReview.appeal(Self.item, by: Self.author, text: nil, at: 3_000)
        }
    }

    @Test("texts are checked: a removal needs a reason, no control characters, a bounded length")
    func texts() {
        #expect(throws: QuanziError(.emptyContent, "the removal reason is empty")) {
            try ModerationReview.decide(Self.item, .remove(reason: ""), by: UserID(9), at: 2_000)
        }
        #expect(throws: QuanziError.self) {
            try ModerationReview.decide(Self.item, .remove(reason: "a\u{0}b"), by: UserID(9), at: 2_000)
        }
        #expect(throws: QuanziError(.contentTooLong, "the note is 501 bytes; at most 500")) {
            try ModerationReview.decide(Self.item, .approve(note: String(repeating: "x", count: 501)), by: UserID(9), at: 2_000)
        }
        #expect(throws: QuanziError(.forbidden, "a moderator does not decide their own post (item 7)")) {
            try ModerationReview.decide(Self.item, .approve(note: nil), by: Self.author, at: 2_000)
        }
    }
}
