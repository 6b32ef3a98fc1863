import Core
import Feed
import Testing

@Suite("window events")
struct WindowEventTests {
    static let now = FeedScenario.nowEpochSeconds

    static func window() -> CandidateWindow {
        CandidateWindow(rows: [
            CandidateRow(postID: 1, authorID: UserID(1), createdAtEpochSeconds: now - 60, authorCreditScore: 700),
            CandidateRow(postID: 2, authorID: UserID(2), createdAtEpochSeconds: now - 120, authorCreditScore: 650),
        ], nowEpochSeconds: now)
    }

    @Test("each window event kind maps to its event and back")
    func kindsRoundTrip() throws {
        let events: [WindowEvent] = [
            .liked(postID: 1), .commented(postID: 1), .tipped(postID: 1, amountFen: 500), .reported(postID: 1), .hidden(postID: 1),
            .restored(postID: 1), .deleted(postID: 1),
        ]
        for event in events {
            let amount: Int64? = if case .tipped(_, let amountFen) = event { amountFen } else { nil }
            #expect(WindowEvent(kind: event.kind, postID: event.postID, amountFen: amount) == event)
        }
        #expect(Set(events.map(\.kind)).count == events.count)
    }

    @Test("events that change no window, or name no post, are nil; a tip without an amount adds nothing")
    func otherEventsAreNil() {
        let windowKinds: Set<EventKind> = [
            .likeCreated, .commentCreated, .tipSent, .reportCreated, .postHidden, .moderationApproved, .postDeleted,
        ]
        for kind in EventKind.allCases where !windowKinds.contains(kind) {
            #expect(WindowEvent(kind: kind, postID: 1, amountFen: 5) == nil, "\(kind)")
        }
        #expect(WindowEvent(kind: nil, postID: 1, amountFen: nil) == nil)
        #expect(WindowEvent(kind: .likeCreated, postID: nil, amountFen: nil) == nil)
        #expect(WindowEvent(kind: .tipSent, postID: 1, amountFen: nil) == .tipped(postID: 1, amountFen: 0))
    }

    @Test("apply changes the named post as the matching update does, and only that post")
    func applyMatchesUpdates() throws {
        let cases: [(WindowEvent, (inout CandidateWindow) -> Bool)] = [
            (.liked(postID: 1), { $0.recordLike(postID: 1) }),
            (.commented(postID: 1), { $0.recordComment(postID: 1) }),
            (.tipped(postID: 1, amountFen: 500), { $0.recordTip(postID: 1, amountFen: 500) }),
            (.reported(postID: 1), { $0.recordReport(postID: 1) }),
            (.hidden(postID: 1), { $0.hide(postID: 1) }),
            (.deleted(postID: 1), { $0.delete(postID: 1) }),
        ]
        for (event, update) in cases {
            var applied = Self.window()
            var updated = Self.window()
            let appliedFound = applied.apply(event)
            let updatedFound = update(&updated)
            #expect(appliedFound && updatedFound)
            #expect(applied.rows == updated.rows, "\(event)")
            #expect(applied.rows != Self.window().rows, "\(event) changed nothing")
            #expect(applied.row(postID: 2) == Self.window().row(postID: 2))
        }
        let row = try #require(Self.window().row(postID: 1))
        var window = Self.window()
        window.apply(.liked(postID: 1))
        window.apply(.tipped(postID: 1, amountFen: 300))
        window.apply(.hidden(postID: 1))
        let changed = try #require(window.row(postID: 1))
        #expect(changed.likeCount == row.likeCount + 1)
        #expect(changed.tipsFen == row.tipsFen + 300)
        #expect(changed.status == .hidden)
        // A moderator's approval ranks it again; a deleted post stays deleted.
        window.apply(.restored(postID: 1))
        #expect(window.row(postID: 1)?.status == .visible)
        window.apply(.deleted(postID: 1))
        window.apply(.restored(postID: 1))
        #expect(window.row(postID: 1)?.status == .deleted)
    }

    @Test("apply is false for a post the window does not hold")
    func applyMissingPost() {
        var window = Self.window()
        for event: WindowEvent in [.liked(postID: 9), .tipped(postID: 9, amountFen: 1), .hidden(postID: 9), .deleted(postID: 9)] {
            let found = window.apply(event)
            #expect(!found, "\(event)")
        }
        #expect(window.rows == Self.window().rows)
    }
}
