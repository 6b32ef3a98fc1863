import Core
import Foundation
import PropertyBased
import Testing

@testable import Server

/// The feed writes its JSON by hand (`JSONWriter`); it must be byte for byte what the API's
/// encoder writes for the same view, whatever the text and numbers.
@Suite("feed JSON")
struct FeedJSONTests {
    /// Characters that need escaping, that must not be escaped, and everything in between.
    static let palette: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}", "\u{7F}",
        "é", "楼", "下", "\u{2028}", "\u{2029}", "\u{FEFF}", "😀", "\u{10FFFF}", "<", ">", "&", "'",
    ]

    static func text(_ random: inout SeededGenerator) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &random) { text.append(palette.randomElement(using: &random)!) }
        return String(text)
    }

    /// Integral values, negative zero, tiny and huge magnitudes, and ordinary scores.
    static func number(_ random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0...5, using: &random) {
        case 0: return Double(Int.random(in: -1_000...1_000, using: &random))
        case 1: return -0.0
        case 2: return Double.random(in: -1...1, using: &random) * pow(10, Double(Int.random(in: -30...30, using: &random)))
        case 3: return Double.random(in: 0...20, using: &random)
        case 4: return Double(Int64.random(in: Int64.min...Int64.max, using: &random))
        default: return [Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 1e16, 1e-7, 0.1].randomElement(using: &random)!
        }
    }

    static func view(seed: UInt64) -> FeedView {
        var random = SeededGenerator(seed: seed)
        let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            let post = PostView(
                id: Int64.random(in: Int64.min...Int64.max, using: &random), circleID: text(&random), authorID: Int64.random(in: 0...1_000_000, using: &random),
                kind: text(&random), body: text(&random), createdAt: Int64.random(in: -5...2_000_000_000, using: &random),
                likeCount: Int.random(in: 0...10_000, using: &random), commentCount: Int.random(in: 0...10_000, using: &random))
            let explanation = Bool.random(using: &random) ? nil : FeedView.ExplanationView(
                ageSeconds: Int64.random(in: 0...1_000_000, using: &random), decay: number(&random), affinity: number(&random),
                isFriend: Bool.random(using: &random), isSeen: Bool.random(using: &random),
                contributions: (0..<Int.random(in: 0...3, using: &random)).map { _ in .init(feature: text(&random), value: number(&random)) },
                privateTermsHidden: Bool.random(using: &random))
            return FeedView.Item(post: post, score: Bool.random(using: &random) ? number(&random) : nil, explanation: explanation)
        }
        let parameters = Bool.random(using: &random) ? nil : FeedView.ParametersView(
            halfLifeHours: number(&random), engagementWeight: number(&random), tipsWeight: number(&random), creditWeight: number(&random),
            affinityWeight: number(&random), friendshipWeight: number(&random), reportPenalty: number(&random), seenPenalty: number(&random),
            showLessPenalty: number(&random), showLessKindPenalty: number(&random),
            maxPerAuthor: Int.random(in: -3...50, using: &random))
        return FeedView(items: items, nextCursor: Bool.random(using: &random) ? text(&random) : nil, parameters: parameters)
    }

    @Test("hand-written feed JSON is the encoder's, byte for byte")
    func sameBytesAsTheEncoder() async {
        await propertyCheck(count: 400, input: Gen.int64(in: Int64.min...Int64.max)) { seed in
            let view = Self.view(seed: UInt64(bitPattern: seed))
            do {
                let written = try view.jsonBytes()
                let encoded = [UInt8](try APIJSON.encoder.encode(view))
                // Bytes, not strings: String equality would forgive a different normalization.
                if written != encoded {
                    Issue.record("written \(String(decoding: written, as: UTF8.self))\nencoded \(String(decoding: encoded, as: UTF8.self))")
                }
            } catch {
                Issue.record("encoding failed: \(error)")
            }
        }
    }

    @Test("a score JSON cannot hold is refused, as the encoder refuses it")
    func nonFiniteScoresAreRefused() {
        let post = PostView(id: 1, circleID: "c", authorID: 2, kind: "text", body: "b", createdAt: 0, likeCount: 0, commentCount: 0)
        for score in [Double.nan, .infinity, -.infinity] {
            let view = FeedView(items: [.init(post: post, score: score, explanation: nil)], nextCursor: nil, parameters: nil)
            #expect(throws: EncodingError.self) { try view.jsonBytes() }
            #expect(throws: EncodingError.self) { try APIJSON.encoder.encode(view) }
        }
    }
}
