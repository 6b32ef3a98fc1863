import Core

/// A retried tip is answered from the first one's receipt, before any check of something that
/// may have changed since (the post hidden or deleted, the circle's rule edited, the tipper's
/// credit): a retry gets the first answer, whatever happened in between.
extension LedgerResult where Receipt == TransferReceipt {
    /// The answer to a tip by `tipper` of `amountFen` on `postID` whose key already names
    /// `earlier`: a replay when `earlier` is that very tip, a key reused with different
    /// parameters otherwise (as the ledger answers a transfer). Author and circle follow from
    /// the post, so comparing the post compares them.
    public static func retriedTip(of earlier: TransferReceipt, by tipper: UserID, postID: Int64, amountFen: Int64) -> TransferResult {
        let sameTip = earlier.kind == .tip && earlier.debit == .user(tipper) && earlier.postID == postID && earlier.amountFen == amountFen
        return sameTip ? .replayed(earlier) : .rejected(.idempotencyKeyReused)
    }
}
