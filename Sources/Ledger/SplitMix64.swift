import Core

/// The wallet load's name (`Storage`'s `WalletLoad`, and the wallet hammer tests) for Core's one
/// generator, until #21's ledger rewrite renames them; new code says `SeededGenerator`.
public typealias SplitMix64 = SeededGenerator
