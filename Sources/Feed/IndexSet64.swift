/// A set of array indices within a range, as bits: the posts a viewer has seen, or a restricted
/// audience's author indices, checked once per scanned post. Building it costs one bit per
/// member and no sort (a sorted index list cost a sort per request, a visible share of the feed
/// for viewers who have seen thousands of posts).
struct IndexSet64 {
    let range: Range<Int>
    private var words: [UInt64]

    init(range: Range<Int>) {
        self.range = range
        words = [UInt64](repeating: 0, count: (range.count + 63) / 64)
    }

    /// The indices `0..<count` whose bits are set in `bits` (bit `i % 64` of word `i / 64`); bits
    /// at or past `count` are ignored.
    init(count: Int, bits: [UInt64]) {
        range = 0..<count
        let wordCount = (count + 63) / 64
        words = Array(bits.prefix(wordCount))
        if words.count < wordCount { words += repeatElement(0, count: wordCount - words.count) }
        if count % 64 != 0, words.count == wordCount, let last = words.indices.last { words[last] &= (1 << UInt64(count % 64)) - 1 }
    }

    /// Adds `index`; an index outside the range is ignored.
    mutating func insert(_ index: Int) {
        guard range.contains(index) else { return }
        let offset = index - range.lowerBound
        words[offset >> 6] |= 1 << UInt64(offset & 63)
    }

    func contains(_ index: Int) -> Bool {
        guard range.contains(index) else { return false }
        let offset = index - range.lowerBound
        return words[offset >> 6] & (1 << UInt64(offset & 63)) != 0
    }
}
