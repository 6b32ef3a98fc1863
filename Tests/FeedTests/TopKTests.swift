import PropertyBased
import Testing

@testable import Feed

@Suite("top-K")
struct TopKTests {
    @Test("the heap keeps exactly the best entries of a full sort")
    func matchesSort() async {
        await propertyCheck(input: Gen.int(in: 0...20).array(of: 0...300), Gen.int(in: 1...40)) { scores, capacity in
            // Few distinct scores: ties are decided by post id.
            let keys = scores.enumerated().map { RankKey(score: Double($0.element), postID: Int64($0.offset * 7 % 301)) }
            var heap = TopK(capacity: capacity)
            for (index, key) in keys.enumerated() { heap.offer(TopKEntry(key: key, index: index)) }
            let expected = keys.sorted { $0.ranksAbove($1) }.prefix(capacity)
            #expect(heap.sortedBestFirst().map(\.key) == Array(expected))
            #expect(heap.isFull == (keys.count >= capacity))
        }
    }
}
