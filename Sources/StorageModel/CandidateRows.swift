import Feed
import Social

/// How a stored post becomes a feed candidate, the same on both backends and in the service.
public enum CandidateRows {
    /// The credit a post's author counts with before any score is computed: the bottom of the
    /// scale, so an unknown author never outranks a known one on credit.
    public static let unscoredCredit = 350

    /// A post kind's number in the window (`CandidateRow.kindIndex`): its place in `PostKind`.
    public static func kindIndex(_ kind: PostKind) -> UInt8 {
        UInt8(PostKind.allCases.firstIndex(of: kind) ?? 0)
    }

    /// A stored post's status as the window ranks it.
    public static func status(_ status: PostStatus) -> CandidateStatus {
        switch status {
        case .visible: .visible
        case .hidden: .hidden
        case .deleted: .deleted
        }
    }
}
