import Core
import Feed
import Foundation
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// "Show less" of a kind of post, where a circle's ranking declares a weight for it.
@Suite("show less of a kind of post")
struct ShowLessKindTests {
    static func plugin(kindPenalty: Double?) -> String {
        let ranking = kindPenalty.map { "ranking = { show_less_penalty = 0, show_less_kind_penalty = \($0) }," } ?? "ranking = { show_less_penalty = 0 },"
        return """
            return quanzi.circle {
              id = "pictures",
              title = "Pictures",
              rules = {
                view = function(user, circle, post) return true end,
                post = function(user, circle, post) return true end,
              },
              \(ranking)
            }
            """
    }

    /// A photo by user 3 (newer) and a text by user 4; the viewer (1) marks a photo by user 2.
    static func feed(kindPenalty: Double?) throws -> (order: [Int64], photo: Int64, text: Int64, explanation: FeedExplanation?) {
        let fixture = try ServiceFixture(
            plugins: try PluginSet.load([PluginSource(path: "plugins/pictures.lua", code: plugin(kindPenalty: kindPenalty))]), experiments: .empty)
        let service = fixture.service
        for id in Int64(1)...4 { _ = try fixture.user(id) }
        let circle = CircleID("pictures")
        let marked = try service.createPost(by: UserID(2), in: circle, kind: .photo, body: "a photo")
        let text = try service.createPost(by: UserID(4), in: circle, kind: .text, body: "some text")
        fixture.clock.advance(bySeconds: 60)
        let photo = try service.createPost(by: UserID(3), in: circle, kind: .photo, body: "another photo")
        try service.showLess(marked.id, by: UserID(1))
        let result = try service.feed(for: UserID(1), in: circle, explain: true, recordViews: false)
        let order = result.items.map(\.post.id).filter { $0 != marked.id }
        let explanation = result.items.first { $0.post.id == photo.id }?.explanation
        return (order, photo.id, text.id, explanation)
    }

    @Test("declared, a mark on one photo lowers every photo for that viewer, and explain shows it; undeclared, kinds are left alone")
    func kindPenalty() throws {
        let declared = try Self.feed(kindPenalty: 2)
        #expect(declared.order == [declared.text, declared.photo])
        let contribution = try #require(declared.explanation).contribution(of: .showLessKind)
        #expect(abs(contribution - -2 * log1p(1.0)) < 1e-12)
        let undeclared = try Self.feed(kindPenalty: nil)
        #expect(undeclared.order == [undeclared.photo, undeclared.text])
        #expect(try #require(undeclared.explanation).contribution(of: .showLessKind) == 0)
    }
}
