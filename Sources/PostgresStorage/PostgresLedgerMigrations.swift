import Logging
import PostgresNIO

/// The ledger's schema on PostgreSQL: the same tables, CHECKs and append-only rules as the
/// SQLite migration `v1-ledger` (SQLiteStorage's `LedgerMigrations`), so a bug in the Swift code fails
/// a write instead of corrupting money on either backend. Differences, on purpose:
/// - The FOREIGN KEYs to `users` come in `v2-ledger-users` (the ledger was migrated before the
///   other tables existed on PostgreSQL). The account id is tied to the user id by CHECK.
/// - Append-only is a trigger function that also refuses TRUNCATE (SQLite has none).
/// - Red packets are in `v1-red-packets` (``PostgresRedPacketMigrations``), as on SQLite.
enum PostgresLedgerMigrations {
    // One statement per string: the extended protocol postgres-nio speaks runs one at a time.
    static let ledgerV1: [String] = [
        """
        -- A user's account has the user's id; the system accounts have fixed negative ids
        -- (Ledger.AccountID): -1 external, -2 red-packet escrow. COALESCE: a CHECK that
        -- evaluates to NULL passes, and a NULL user_id must fail it.
        CREATE TABLE ledger_accounts (
          id BIGINT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('user', 'external', 'escrow')),
          user_id BIGINT UNIQUE,
          balance_fen BIGINT NOT NULL DEFAULT 0,
          created_at BIGINT NOT NULL,
          CHECK (COALESCE(CASE kind
            WHEN 'user' THEN id > 0 AND user_id = id
            WHEN 'external' THEN id = -1 AND user_id IS NULL
            ELSE id = -2 AND user_id IS NULL END, FALSE)),
          CHECK (kind = 'external' OR balance_fen >= 0)
        )
        """,
        "INSERT INTO ledger_accounts (id, kind, balance_fen, created_at) VALUES (-1, 'external', 0, 0), (-2, 'escrow', 0, 0)",
        """
        -- idempotency_key is unique per initiator, across every node sharing the database.
        CREATE TABLE ledger_transfers (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN
            ('topup', 'transfer', 'tip', 'redpacket_create', 'redpacket_claim', 'redpacket_refund')),
          debit_account_id BIGINT NOT NULL REFERENCES ledger_accounts(id),
          credit_account_id BIGINT NOT NULL REFERENCES ledger_accounts(id),
          amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
          initiator_id BIGINT,
          idempotency_key TEXT CHECK (octet_length(idempotency_key) BETWEEN 1 AND 128),
          request_fingerprint TEXT,
          post_id BIGINT,
          created_at BIGINT NOT NULL,
          UNIQUE (initiator_id, idempotency_key),
          CHECK (debit_account_id <> credit_account_id),
          CHECK ((kind = 'tip') = (post_id IS NOT NULL)),
          CHECK ((idempotency_key IS NULL) = (request_fingerprint IS NULL)),
          CHECK ((kind IN ('redpacket_claim', 'redpacket_refund')) = (idempotency_key IS NULL AND initiator_id IS NULL)),
          CHECK (CASE kind
            WHEN 'topup' THEN debit_account_id = -1 AND credit_account_id > 0
            WHEN 'redpacket_create' THEN debit_account_id > 0 AND credit_account_id = -2
            WHEN 'redpacket_claim' THEN debit_account_id = -2 AND credit_account_id > 0
            WHEN 'redpacket_refund' THEN debit_account_id = -2 AND credit_account_id > 0
            ELSE debit_account_id > 0 AND credit_account_id > 0 END)
        )
        """,
        "CREATE INDEX ledger_transfers_post ON ledger_transfers(post_id) WHERE post_id IS NOT NULL",
        """
        -- Double entry with signed amounts: an account's balance is SUM(amount_fen). Ids come from
        -- a sequence, not commit order, but a transaction holds its accounts' row locks from
        -- before its inserts until its commit, so per account id order is commit order: what
        -- the verifier's replay needs.
        CREATE TABLE ledger_entries (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          transfer_id BIGINT NOT NULL REFERENCES ledger_transfers(id),
          account_id BIGINT NOT NULL REFERENCES ledger_accounts(id),
          amount_fen BIGINT NOT NULL CHECK (amount_fen <> 0)
        )
        """,
        "CREATE INDEX ledger_entries_transfer ON ledger_entries(transfer_id)",
        "CREATE INDEX ledger_entries_account ON ledger_entries(account_id, id)",
        """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% on % refused: the ledger is append-only', TG_OP, TG_TABLE_NAME;
        END $$
        """,
        """
        CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
          FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
        """,
        """
        CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
          FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
        """,
        """
        CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
          FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
        """,
        """
        CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_accounts
          FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """,
        """
        CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
          FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """,
        """
        CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
          FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """,
    ]
}

extension PostgresLedgerMigrations {
    /// Accounts and initiators are users, as on SQLite (existing rows are checked when added).
    static let ledgerUsers: [String] = [
        "ALTER TABLE ledger_accounts ADD FOREIGN KEY (user_id) REFERENCES users(id)",
        "ALTER TABLE ledger_transfers ADD FOREIGN KEY (initiator_id) REFERENCES users(id)",
    ]
}
