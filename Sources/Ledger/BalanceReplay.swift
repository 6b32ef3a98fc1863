/// Re-derives every balance from the entries, in the order they were written, and checks that no
/// account that must stay non-negative ever dipped below zero. Fed one entry at a time so a
/// verifier can stream millions of entries without holding them.
public struct BalanceReplay: Sendable {
    /// Running balance per account, in fen.
    public private(set) var balancesFen: [AccountID: Int64] = [:]
    public private(set) var entryCount = 0
    private var reportedNegative: Set<AccountID> = []
    /// Problems seen while replaying (bounded like any report).
    private var replayProblems = LedgerReport()

    public init() {}

    /// Applies one entry (entries must come in id order, which is commit order).
    public mutating func apply(entryID: Int64, account: AccountID, amountFen: Int64) {
        entryCount += 1
        guard let kind = account.kind else {
            replayProblems.add(.unknownAccount(account: account, entryID: entryID))
            return
        }
        let (balanceFen, overflow) = balancesFen[account, default: 0].addingReportingOverflow(amountFen)
        if overflow {
            replayProblems.add(.balanceOverflow(account: account, entryID: entryID))
            return
        }
        balancesFen[account] = balanceFen
        // One report per account: after the first dip every later entry would repeat it.
        if balanceFen < 0, !kind.mayGoNegative, reportedNegative.insert(account).inserted {
            replayProblems.add(.negativeBalance(account: account, entryID: entryID, balanceFen: balanceFen))
        }
    }

    /// Compares the replayed balances with the stored ones and checks conservation, adding every
    /// problem seen to `report`. `stored` lists every account with its stored balance. (A stored
    /// negative balance needs no check of its own: it either disagrees with the entries or the
    /// replay saw the entries take it below zero.)
    public func finish(stored: [(account: AccountID, balanceFen: Int64)], into report: inout LedgerReport) {
        for problem in replayProblems.problems { report.add(problem) }
        report.problemCount += replayProblems.problemCount - replayProblems.problems.count
        var storedAccounts: Set<AccountID> = []
        var sumFen: Int64 = 0
        var sumOverflowed = false
        for (account, storedFen) in stored {
            storedAccounts.insert(account)
            let entriesFen = balancesFen[account, default: 0]
            if storedFen != entriesFen {
                report.add(.balanceMismatch(account: account, storedFen: storedFen, entriesFen: entriesFen))
            }
            let (next, overflow) = sumFen.addingReportingOverflow(storedFen)
            sumFen = next
            sumOverflowed = sumOverflowed || overflow
        }
        for (account, entriesFen) in balancesFen.sorted(by: { $0.key < $1.key }) where !storedAccounts.contains(account) {
            report.add(.balanceMismatch(account: account, storedFen: 0, entriesFen: entriesFen))
        }
        if sumFen != 0 || sumOverflowed { report.add(.systemNotZero(sumFen: sumFen)) }
    }
}
