import Testing

@testable import Social

@Suite("keyword filtering (Aho–Corasick)")
struct KeywordMatcherTests {
    @Test("finds Chinese keywords by whole characters")
    func chinese() {
        let matcher = KeywordMatcher(keywords: ["加微信", "约吗", "私聊"])
        #expect(matcher.keywordsFound(in: "今天天气不错，约吗？可以加微信聊") == ["约吗", "加微信"])
        #expect(matcher.keywordsFound(in: "今天去图书馆学习") == [])
    }

    @Test("finds overlapping and nested keywords, as the textbook example")
    func overlapping() {
        let matcher = KeywordMatcher(keywords: ["he", "she", "his", "hers"])
        let found = matcher.matches(in: "ushers").map(\.keyword)
        #expect(found.sorted() == ["he", "hers", "she"])
    }

    @Test("matches case-insensitively and through full-width letters")
    func folding() {
        let matcher = KeywordMatcher(keywords: ["vx", "QQ"])
        #expect(matcher.keywordsFound(in: "加我ＶＸ") == ["vx"])
        #expect(matcher.keywordsFound(in: "my qq is 123") == ["QQ"])
    }

    @Test("agrees with a naive search on many texts")
    func agreesWithNaiveSearch() {
        let keywords = ["红包", "包子", "红", "子弹", "弹"]
        let matcher = KeywordMatcher(keywords: keywords)
        let alphabet = Array("红包子弹好")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let expected = keywords.filter { text.contains($0) }.sorted()
            #expect(matcher.keywordsFound(in: text).sorted() == expected, "\(text)")
        }
    }

    @Test("empty and duplicate keywords are ignored")
    func emptyKeywords() {
        let matcher = KeywordMatcher(keywords: ["", "spam", "SPAM"])
        #expect(matcher.keywordsFound(in: "Spam spam") == ["spam"])
        #expect(KeywordMatcher(keywords: []).isEmpty)
    }
}
