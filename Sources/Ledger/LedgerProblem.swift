/// An inconsistency found by `ledger verify`, naming the offending rows.
public enum LedgerProblem: Sendable, Hashable, CustomStringConvertible {
    /// The stored balance differs from the sum of the account's entries.
    case balanceMismatch(account: AccountID, storedFen: Int64, entriesFen: Int64)
    /// Replaying the entries in order took an account that may not go negative below zero.
    case negativeBalance(account: AccountID, entryID: Int64, balanceFen: Int64)
    /// A running balance left the 64-bit range.
    case balanceOverflow(account: AccountID, entryID: Int64)
    /// An entry names an account that is neither a user nor a system account.
    case unknownAccount(account: AccountID, entryID: Int64)
    /// A transfer's entries do not sum to zero.
    case unbalancedTransfer(transferID: Int64, sumFen: Int64)
    /// A transfer's entries are not exactly "debit −amount, credit +amount".
    case entriesDisagreeWithTransfer(transferID: Int64)
    /// All balances together are not zero: money was created or lost.
    case systemNotZero(sumFen: Int64)
    /// Escrow does not hold exactly the unclaimed shares of unrefunded red packets.
    case escrowMismatch(escrowFen: Int64, outstandingFen: Int64)
    /// A red packet's shares, claims or refund disagree with its record or its seed.
    case redPacketInconsistent(redPacketID: Int64, reason: String)
    /// A red packet expired (`expiresAt` at or before the check) without being settled: its
    /// unclaimed shares are stuck in escrow instead of back with the sender.
    case redPacketNotRefunded(redPacketID: Int64, expiresAt: Int64, unclaimedFen: Int64)

    public var description: String {
        switch self {
        case let .balanceMismatch(account, storedFen, entriesFen):
            "balance mismatch: \(account) stores \(storedFen) fen, its entries sum to \(entriesFen) fen"
        case let .negativeBalance(account, entryID, balanceFen):
            "negative balance: \(account) reaches \(balanceFen) fen at entry \(entryID)"
        case let .balanceOverflow(account, entryID):
            "balance overflow: \(account) at entry \(entryID)"
        case let .unknownAccount(account, entryID):
            "unknown account: entry \(entryID) names \(account)"
        case let .unbalancedTransfer(transferID, sumFen):
            "unbalanced transfer: transfer \(transferID) entries sum to \(sumFen) fen"
        case let .entriesDisagreeWithTransfer(transferID):
            "entries disagree with transfer \(transferID): expected one debit and one credit of its amount"
        case let .systemNotZero(sumFen):
            "conservation: all balances sum to \(sumFen) fen, expected 0"
        case let .escrowMismatch(escrowFen, outstandingFen):
            "escrow mismatch: escrow holds \(escrowFen) fen, unclaimed shares of open red packets total \(outstandingFen) fen"
        case let .redPacketInconsistent(redPacketID, reason):
            "red packet \(redPacketID): \(reason)"
        case let .redPacketNotRefunded(redPacketID, expiresAt, unclaimedFen):
            "red packet \(redPacketID) expired at \(expiresAt) (epoch seconds) but was never refunded: "
                + "its \(unclaimedFen) unclaimed fen are still in escrow (`quanzi ledger expire` refunds them)"
        }
    }
}

/// The result of `ledger verify`.
public struct LedgerReport: Sendable, Hashable {
    public var accountCount: Int
    public var transferCount: Int
    public var entryCount: Int
    public var redPacketCount: Int
    /// Money held inside the system (minus the external account's balance), in fen.
    public var moneyInSystemFen: Int64
    /// The problems found, at most ``LedgerReport/problemsMax``.
    public var problems: [LedgerProblem]
    /// How many problems there were in all (more than `problems.count` when truncated).
    public var problemCount: Int

    /// Bound on the problems a report lists, so a badly broken ledger gives a readable report
    /// (and bounded memory) rather than a million lines.
    public static let problemsMax = 1_000

    public init(
        accountCount: Int = 0, transferCount: Int = 0, entryCount: Int = 0, redPacketCount: Int = 0,
        moneyInSystemFen: Int64 = 0, problems: [LedgerProblem] = [], problemCount: Int = 0
    ) {
        self.accountCount = accountCount
        self.transferCount = transferCount
        self.entryCount = entryCount
        self.redPacketCount = redPacketCount
        self.moneyInSystemFen = moneyInSystemFen
        self.problems = problems
        self.problemCount = problemCount
    }

    /// Whether no problem was found.
    public var isConsistent: Bool { problemCount == 0 }

    /// Records a problem, keeping at most ``problemsMax``.
    public mutating func add(_ problem: LedgerProblem) {
        problemCount += 1
        if problems.count < Self.problemsMax { problems.append(problem) }
    }

    /// One line for people: counts and the verdict.
    public var summary: String {
        let verdict = isConsistent ? "consistent" : "\(problemCount) problem\(problemCount == 1 ? "" : "s")"
        return "ledger \(verdict): \(accountCount) accounts, \(transferCount) transfers, \(entryCount) entries, "
            + "\(redPacketCount) red packets, \(moneyInSystemFen) fen in the system"
    }
}
