/// Finds every occurrence of any keyword in a text in one pass (Aho–Corasick).
///
/// Written by hand: no maintained Swift package offers Aho–Corasick, and the automaton is small.
/// It works on Unicode scalars, so Chinese keywords match whole characters and never half of a
/// UTF-8 sequence; Latin letters match case-insensitively and full-width forms (ＡＢＣ, １２３)
/// match their ASCII twins, a common way to dodge filters.
public struct KeywordMatcher: Sendable {
    /// One occurrence: the keyword as configured and where it ends in the folded scalar stream.
    public struct Match: Sendable, Hashable {
        public var keyword: String
        public var endScalarOffset: Int
    }

    private struct Node: Sendable {
        var next: [Unicode.Scalar: Int32] = [:]
        var failure: Int32 = 0
        /// Keywords ending here, including those reached through failure links.
        var outputs: [Int32] = []
    }

    private var nodes: [Node] = [Node()]
    private let keywords: [String]

    public init<S: Sequence>(keywords: S) where S.Element == String {
        var unique: [String] = []
        var seen = Set<String>()
        for keyword in keywords where !keyword.isEmpty {
            let folded = String(String.UnicodeScalarView(Self.fold(keyword.unicodeScalars)))
            if seen.insert(folded).inserted { unique.append(keyword) }
        }
        self.keywords = unique
        for (index, keyword) in unique.enumerated() { insert(keyword, index: Int32(index)) }
        buildFailureLinks()
    }

    public var isEmpty: Bool { keywords.isEmpty }

    /// Every match in `text`, in order of where they end.
    public func matches(in text: String) -> [Match] {
        var matches: [Match] = []
        var state: Int32 = 0
        for (offset, scalar) in Self.fold(text.unicodeScalars).enumerated() {
            state = step(from: state, on: scalar)
            for output in nodes[Int(state)].outputs {
                matches.append(Match(keyword: keywords[Int(output)], endScalarOffset: offset))
            }
        }
        return matches
    }

    /// The distinct keywords found in `text`, in the order first found.
    public func keywordsFound(in text: String) -> [String] {
        var found: [String] = []
        for match in matches(in: text) where !found.contains(match.keyword) { found.append(match.keyword) }
        return found
    }

    private func step(from state: Int32, on scalar: Unicode.Scalar) -> Int32 {
        var current = state
        while true {
            if let next = nodes[Int(current)].next[scalar] { return next }
            if current == 0 { return 0 }
            current = nodes[Int(current)].failure
        }
    }

    private mutating func insert(_ keyword: String, index: Int32) {
        var current = 0
        for scalar in Self.fold(keyword.unicodeScalars) {
            if let next = nodes[current].next[scalar] {
                current = Int(next)
            } else {
                nodes.append(Node())
                nodes[current].next[scalar] = Int32(nodes.count - 1)
                current = nodes.count - 1
            }
        }
        nodes[current].outputs.append(index)
    }

    private mutating func buildFailureLinks() {
        var queue: [Int32] = []
        for (_, child) in nodes[0].next {
            nodes[Int(child)].failure = 0
            queue.append(child)
        }
        var head = 0
        while head < queue.count {
            let parent = queue[head]
            head += 1
            for (scalar, child) in nodes[Int(parent)].next {
                queue.append(child)
                var fallback = nodes[Int(parent)].failure
                while fallback != 0 && nodes[Int(fallback)].next[scalar] == nil { fallback = nodes[Int(fallback)].failure }
                let target = nodes[Int(fallback)].next[scalar].flatMap { $0 == child ? nil : $0 } ?? 0
                nodes[Int(child)].failure = target
                nodes[Int(child)].outputs += nodes[Int(target)].outputs
            }
        }
    }

    /// Lowercases ASCII and maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII.
    static func fold<S: Sequence>(_ scalars: S) -> [Unicode.Scalar] where S.Element == Unicode.Scalar {
        scalars.map { scalar in
            var value = scalar.value
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if (0x41...0x5A).contains(value) { value += 0x20 }
            return Unicode.Scalar(value) ?? scalar
        }
    }
}
