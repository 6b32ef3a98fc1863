import Core
import LuaHost
import Social
import Testing

@testable import Service

/// Answers every read with something no default gives, so a read that `RequestDataSource` does
/// not forward shows (`ScriptDataSource`'s defaults would otherwise hide it).
private struct EverythingKnown: ScriptDataSource {
    func user(_ id: UserID) -> UserProfile? { UserProfile(id: id, displayName: "known") }
    func creditScore(_ id: UserID) -> Int? { 801 }
    func creditExplanation(_ id: UserID) -> ScriptValue? { .record([.init("score", .integer(801))]) }
    func areFriends(_ first: UserID, _ second: UserID) -> Bool { true }
    func affinity(from viewer: UserID, to author: UserID) -> Double { 0.5 }
    func balanceFen(_ id: UserID) -> Int64? { 1_234 }
    /// The circle is part of the answer: a source that dropped it on the way would show.
    func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String? {
        "treatment in \(circle?.rawValue ?? "no circle")"
    }
    func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue? {
        .string("700 in \(circle?.rawValue ?? "no circle")")
    }
}

@Suite("request data source")
struct RequestDataSourceTests {
    @Test("every read of other users reaches the base")
    func forwardsEveryRead() throws {
        let request = RequestDataSource(base: EverythingKnown(), viewerID: UserID(1), viewerFriendIDs: [])
        let (first, second) = (UserID(2), UserID(3))
        #expect(request.user(first)?.displayName == "known")
        #expect(request.creditScore(first) == 801)
        #expect(request.creditExplanation(first) == .record([.init("score", .integer(801))]))
        #expect(request.areFriends(first, second))
        #expect(request.affinity(from: first, to: second) == 0.5)
        #expect(request.balanceFen(first) == 1_234)
        #expect(try request.experimentVariant(user: first, experiment: "e", circle: CircleID("nearby")) == "treatment in nearby")
        #expect(try request.experimentParameter(user: first, experiment: "e", key: "k", circle: CircleID("nearby")) == .string("700 in nearby"))
        #expect(try request.experimentVariant(user: first, experiment: "e", circle: nil) == "treatment in no circle")
    }
}
