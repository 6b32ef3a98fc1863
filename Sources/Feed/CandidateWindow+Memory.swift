extension CandidateWindow {
    /// Estimated bytes one post costs in a window: its columns, its slot in the post-id index
    /// (at most 3/4 full) and a share of an author entry (assuming ten posts per author). Spare
    /// array capacity is not counted.
    public static func memoryBytesPerCandidate(postsPerAuthor: Int = 10) -> Int {
        CandidateColumns.bytesPerCandidate + IdIndexTable<Int>.bytesPerSlot * 4 / 3 + AuthorTable.bytesPerPost
            + AuthorTable.bytesPerAuthor / max(1, postsPerAuthor)
    }

    /// Bytes this window holds now, spare capacity and the evicted-but-not-compacted prefix included.
    public var memoryFootprintBytes: Int {
        columns.allocatedBytes + slotByPostID.capacity * IdIndexTable<Int>.bytesPerSlot
            + authors.capacity * AuthorTable.bytesPerAuthor + count * AuthorTable.bytesPerPost
    }
}
