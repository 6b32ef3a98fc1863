/// The wallet's domain: a double-entry ledger in integer fen.
///
/// - Every movement of money is a ``TransferRequest`` between two accounts; it becomes two
///   entries that sum to zero. User accounts never go negative; the ``AccountID/external``
///   account is the one exception, and its negative balance is the money that entered the system
///   from outside (top-ups), so the whole ledger always sums to zero.
/// - Every operation returns a ``LedgerResult``: committed, an idempotent replay of an earlier
///   request, or a ``LedgerError`` code from a closed set, in the order the checks run.
/// - Red packets split a total into shares drawn at creation (``RedPacketShares``) from a
///   recorded seed with Core's `SeededGenerator` (SplitMix64), so a claim is a lookup.
/// - ``LedgerStateMachine`` and ``RedPacketStateMachine`` are the rules, decided once: from a
///   snapshot a backend prefetched they return each request's answer, the postings, the balance
///   deltas (which sum to zero, asserted) and the events. Backends (`LedgerStore`) fetch and
///   commit; the service's `WalletService` is the one door that runs them.
/// - ``BalanceReplay`` re-derives every balance from the entries: the core of `ledger verify`.
///
/// This module is pure (Core only): no SQL, no I/O; its tests need no database.
public enum Ledger {}
