import GRDB

/// The wallet's schema. The database enforces the ledger's invariants on its own (no negative
/// user or escrow balance, positive amounts, the accounts each kind of transfer may touch,
/// append-only entries, one claim per user), so a bug in the Swift code fails a write instead of
/// corrupting money. `ledger verify` checks what a row-level CHECK cannot see (sums).
enum LedgerMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(
                sql: """
                    -- A user's account has the user's id; the system accounts have fixed negative ids
                    -- (Ledger.AccountID): -1 external (top-ups come from it; its negative balance is
                    -- the money inside the system), -2 red-packet escrow.
                    CREATE TABLE ledger_accounts (
                      id INTEGER PRIMARY KEY,
                      kind TEXT NOT NULL CHECK (kind IN ('user', 'external', 'escrow')),
                      user_id INTEGER UNIQUE REFERENCES users(id),
                      balance_fen INTEGER NOT NULL DEFAULT 0,
                      created_at INTEGER NOT NULL,
                      CHECK (CASE kind
                        WHEN 'user' THEN id > 0 AND user_id = id
                        WHEN 'external' THEN id = -1 AND user_id IS NULL
                        ELSE id = -2 AND user_id IS NULL END),
                      CHECK (kind = 'external' OR balance_fen >= 0)
                    );
                    INSERT INTO ledger_accounts (id, kind, balance_fen, created_at)
                      VALUES (-1, 'external', 0, 0), (-2, 'escrow', 0, 0);
                    CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
                      BEGIN SELECT RAISE(ABORT, 'ledger accounts are never deleted'); END;

                    -- One row per movement of money. idempotency_key is unique per initiator (two
                    -- clients cannot collide on each other's keys); the wallet's own movements
                    -- (claims, refunds) have no key: their uniqueness is in the red-packet tables.
                    -- post_id has no FOREIGN KEY on purpose: posts belong to Social, which may keep
                    -- them elsewhere (or delete them) without touching the ledger.
                    CREATE TABLE ledger_transfers (
                      id INTEGER PRIMARY KEY,
                      kind TEXT NOT NULL CHECK (kind IN
                        ('topup', 'transfer', 'tip', 'redpacket_create', 'redpacket_claim', 'redpacket_refund')),
                      debit_account_id INTEGER NOT NULL REFERENCES ledger_accounts(id),
                      credit_account_id INTEGER NOT NULL REFERENCES ledger_accounts(id),
                      amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                      initiator_id INTEGER REFERENCES users(id),
                      idempotency_key TEXT CHECK (length(CAST(idempotency_key AS BLOB)) BETWEEN 1 AND 128),
                      request_fingerprint TEXT,
                      post_id INTEGER,
                      created_at INTEGER NOT NULL,
                      UNIQUE (initiator_id, idempotency_key),
                      CHECK (debit_account_id <> credit_account_id),
                      CHECK ((kind = 'tip') = (post_id IS NOT NULL)),
                      CHECK ((idempotency_key IS NULL) = (request_fingerprint IS NULL)),
                      CHECK ((kind IN ('redpacket_claim', 'redpacket_refund'))
                        = (idempotency_key IS NULL AND initiator_id IS NULL)),
                      CHECK (CASE kind
                        WHEN 'topup' THEN debit_account_id = -1 AND credit_account_id > 0
                        WHEN 'redpacket_create' THEN debit_account_id > 0 AND credit_account_id = -2
                        WHEN 'redpacket_claim' THEN debit_account_id = -2 AND credit_account_id > 0
                        WHEN 'redpacket_refund' THEN debit_account_id = -2 AND credit_account_id > 0
                        ELSE debit_account_id > 0 AND credit_account_id > 0 END)
                    );
                    CREATE INDEX ledger_transfers_post ON ledger_transfers(post_id) WHERE post_id IS NOT NULL;

                    -- Double entry: every transfer writes -amount to its debit account and +amount to
                    -- its credit account. Signed amounts, so an account's balance is SUM(amount_fen).
                    CREATE TABLE ledger_entries (
                      id INTEGER PRIMARY KEY,
                      transfer_id INTEGER NOT NULL REFERENCES ledger_transfers(id),
                      account_id INTEGER NOT NULL REFERENCES ledger_accounts(id),
                      amount_fen INTEGER NOT NULL CHECK (amount_fen <> 0)
                    );
                    CREATE INDEX ledger_entries_transfer ON ledger_entries(transfer_id);
                    CREATE INDEX ledger_entries_account ON ledger_entries(account_id, id);

                    CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
                      BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
                    CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
                      BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
                    CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
                      BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
                      BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    """)
        }

        migrator.registerMigration("v1-red-packets") { db in
            try db.execute(
                sql: """
                    -- seed is the UInt64 seed of the share draw, stored as its Int64 bit pattern.
                    -- audience_circle_id has no FOREIGN KEY: circles come from plugins (Social).
                    -- settled_at is when the packet stopped holding escrow: its last share was claimed,
                    -- or its remainder was refunded (refund_transfer_id) after expires_at.
                    CREATE TABLE red_packets (
                      id INTEGER PRIMARY KEY,
                      sender_id INTEGER NOT NULL REFERENCES ledger_accounts(id) CHECK (sender_id > 0),
                      split TEXT NOT NULL CHECK (split IN ('fixed', 'lucky')),
                      total_fen INTEGER NOT NULL CHECK (total_fen > 0),
                      share_count INTEGER NOT NULL CHECK (share_count BETWEEN 1 AND total_fen),
                      seed INTEGER NOT NULL,
                      audience_kind TEXT NOT NULL CHECK (audience_kind IN ('friends', 'circle', 'users')),
                      audience_circle_id TEXT,
                      fund_transfer_id INTEGER NOT NULL UNIQUE REFERENCES ledger_transfers(id),
                      created_at INTEGER NOT NULL,
                      expires_at INTEGER NOT NULL,
                      settled_at INTEGER,
                      refund_transfer_id INTEGER UNIQUE REFERENCES ledger_transfers(id),
                      CHECK (expires_at > created_at),
                      CHECK ((audience_kind = 'circle') = (audience_circle_id IS NOT NULL)),
                      CHECK (refund_transfer_id IS NULL OR settled_at IS NOT NULL)
                    );
                    CREATE INDEX red_packets_unsettled_expiry ON red_packets(expires_at) WHERE settled_at IS NULL;
                    CREATE TRIGGER red_packets_no_delete BEFORE DELETE ON red_packets
                      BEGIN SELECT RAISE(ABORT, 'red packets are never deleted'); END;
                    CREATE TRIGGER red_packets_fixed_fields BEFORE UPDATE OF
                      id, sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
                      fund_transfer_id, created_at, expires_at ON red_packets
                      BEGIN SELECT RAISE(ABORT, 'a red packet is fixed at creation'); END;
                    CREATE TRIGGER red_packets_settle_once BEFORE UPDATE ON red_packets WHEN OLD.settled_at IS NOT NULL
                      BEGIN SELECT RAISE(ABORT, 'a red packet is settled once'); END;

                    -- Shares are drawn at creation; claiming fills claimer_id once. NULLs are distinct
                    -- in a UNIQUE constraint, so (red_packet_id, claimer_id) allows many unclaimed
                    -- shares but one claim per user.
                    CREATE TABLE red_packet_shares (
                      red_packet_id INTEGER NOT NULL REFERENCES red_packets(id),
                      share_index INTEGER NOT NULL CHECK (share_index >= 0),
                      amount_fen INTEGER NOT NULL CHECK (amount_fen >= 1),
                      claimer_id INTEGER REFERENCES ledger_accounts(id) CHECK (claimer_id > 0),
                      claim_transfer_id INTEGER UNIQUE REFERENCES ledger_transfers(id),
                      claimed_at INTEGER,
                      PRIMARY KEY (red_packet_id, share_index),
                      UNIQUE (red_packet_id, claimer_id),
                      CHECK ((claimer_id IS NULL) = (claim_transfer_id IS NULL)),
                      CHECK ((claimer_id IS NULL) = (claimed_at IS NULL))
                    ) WITHOUT ROWID;
                    CREATE TRIGGER red_packet_shares_no_delete BEFORE DELETE ON red_packet_shares
                      BEGIN SELECT RAISE(ABORT, 'red packet shares are never deleted'); END;
                    CREATE TRIGGER red_packet_shares_fixed BEFORE UPDATE OF red_packet_id, share_index, amount_fen
                      ON red_packet_shares
                      BEGIN SELECT RAISE(ABORT, 'red packet shares are fixed at creation'); END;
                    CREATE TRIGGER red_packet_shares_claim_once BEFORE UPDATE ON red_packet_shares
                      WHEN OLD.claimer_id IS NOT NULL
                      BEGIN SELECT RAISE(ABORT, 'a share is claimed once'); END;

                    -- The listed users of an audience of kind 'users'. No FOREIGN KEY to users: a
                    -- listed id that is not a user can never claim, which is harmless.
                    CREATE TABLE red_packet_audience (
                      red_packet_id INTEGER NOT NULL REFERENCES red_packets(id),
                      user_id INTEGER NOT NULL CHECK (user_id > 0),
                      PRIMARY KEY (red_packet_id, user_id)
                    ) WITHOUT ROWID;
                    """)
        }
    }
}
