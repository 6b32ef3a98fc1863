/// Accounts, transfers, tips and red packets: the double-entry wallet.
public enum Ledger {}
