import Ledger
import Testing

@Suite("Balance replay")
struct BalanceReplayTests {
    let alice = AccountID(rawValue: 1)
    let bob = AccountID(rawValue: 2)

    func report(_ entries: [(AccountID, Int64)], stored: [(account: AccountID, balanceFen: Int64)]) -> LedgerReport {
        var replay = BalanceReplay()
        for (index, entry) in entries.enumerated() {
            replay.apply(entryID: Int64(index + 1), account: entry.0, amountFen: entry.1)
        }
        var report = LedgerReport()
        replay.finish(stored: stored, into: &report)
        return report
    }

    @Test("a consistent ledger has no problems")
    func consistent() {
        let found = report(
            [(.external, -500), (alice, 500), (alice, -200), (bob, 200)],
            stored: [(.external, -500), (alice, 300), (bob, 200)])
        #expect(found.isConsistent)
    }

    @Test("a user that dips below zero is reported at the entry where it happened")
    func negative() {
        let found = report(
            [(alice, -100), (bob, 100), (.external, -100), (alice, 100)],
            stored: [(.external, -100), (alice, 0), (bob, 100)])
        #expect(found.problems == [.negativeBalance(account: alice, entryID: 1, balanceFen: -100)])
    }

    @Test("a stored balance that disagrees with its entries is reported, and so is the lost conservation")
    func mismatch() {
        let found = report([(.external, -100), (alice, 100)], stored: [(.external, -100), (alice, 101)])
        #expect(found.problems == [.balanceMismatch(account: alice, storedFen: 101, entriesFen: 100), .systemNotZero(sumFen: 1)])
    }

    @Test("entries for an account that is not stored, or not an account at all, are reported")
    func unknown() {
        let stranger = AccountID(rawValue: -9)
        let found = report([(stranger, 5), (.external, -5), (bob, 5)], stored: [(.external, -5)])
        #expect(found.problems.contains(.unknownAccount(account: stranger, entryID: 1)))
        #expect(found.problems.contains(.balanceMismatch(account: bob, storedFen: 0, entriesFen: 5)))
    }

    @Test("the report keeps a bounded list but counts every problem")
    func bounded() {
        var report = LedgerReport()
        for id in 0..<(LedgerReport.problemsMax + 10) { report.add(.unbalancedTransfer(transferID: Int64(id), sumFen: 1)) }
        #expect(report.problems.count == LedgerReport.problemsMax)
        #expect(report.problemCount == LedgerReport.problemsMax + 10)
        #expect(!report.isConsistent)
    }
}
