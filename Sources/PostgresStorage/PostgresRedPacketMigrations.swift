/// `v1-red-packets` (SQLiteStorage's `LedgerMigrations`): the same CHECKs and the same rules that a
/// packet is fixed at creation and settled once, and a share claimed once, as trigger functions
/// (TRUNCATE refused too).
enum PostgresRedPacketMigrations {
    static let redPacketsV1: [String] =
        [
            """
            -- seed is the UInt64 seed of the share draw, stored as its Int64 bit pattern.
            -- audience_circle_id has no FOREIGN KEY: circles come from plugins (Social).
            CREATE TABLE red_packets (
              id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              sender_id BIGINT NOT NULL REFERENCES ledger_accounts(id) CHECK (sender_id > 0),
              split TEXT NOT NULL CHECK (split IN ('fixed', 'lucky')),
              total_fen BIGINT NOT NULL CHECK (total_fen > 0),
              share_count INTEGER NOT NULL CHECK (share_count BETWEEN 1 AND total_fen),
              seed BIGINT NOT NULL,
              audience_kind TEXT NOT NULL CHECK (audience_kind IN ('friends', 'circle', 'users')),
              audience_circle_id TEXT,
              fund_transfer_id BIGINT NOT NULL UNIQUE REFERENCES ledger_transfers(id),
              created_at BIGINT NOT NULL,
              expires_at BIGINT NOT NULL,
              settled_at BIGINT,
              refund_transfer_id BIGINT UNIQUE REFERENCES ledger_transfers(id),
              CHECK (expires_at > created_at),
              CHECK ((audience_kind = 'circle') = (audience_circle_id IS NOT NULL)),
              CHECK (refund_transfer_id IS NULL OR settled_at IS NOT NULL)
            )
            """,
            "CREATE INDEX red_packets_unsettled_expiry ON red_packets(expires_at) WHERE settled_at IS NULL",
            """
            CREATE TRIGGER red_packets_no_delete BEFORE DELETE ON red_packets
              FOR EACH ROW EXECUTE FUNCTION quanzi_refuse_change('red packets are never deleted')
            """,
            """
            CREATE TRIGGER red_packets_fixed_fields BEFORE UPDATE OF
              id, sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
              fund_transfer_id, created_at, expires_at ON red_packets
              FOR EACH ROW EXECUTE FUNCTION quanzi_refuse_change('a red packet is fixed at creation')
            """,
            """
            CREATE TRIGGER red_packets_settle_once BEFORE UPDATE ON red_packets
              FOR EACH ROW WHEN (OLD.settled_at IS NOT NULL)
              EXECUTE FUNCTION quanzi_refuse_change('a red packet is settled once')
            """,
            """
            -- Shares are drawn at creation; claiming fills claimer_id once. NULLs are distinct
            -- in a UNIQUE constraint, so (red_packet_id, claimer_id) allows many unclaimed
            -- shares but one claim per user.
            CREATE TABLE red_packet_shares (
              red_packet_id BIGINT NOT NULL REFERENCES red_packets(id),
              share_index INTEGER NOT NULL CHECK (share_index >= 0),
              amount_fen BIGINT NOT NULL CHECK (amount_fen >= 1),
              claimer_id BIGINT REFERENCES ledger_accounts(id) CHECK (claimer_id > 0),
              claim_transfer_id BIGINT UNIQUE REFERENCES ledger_transfers(id),
              claimed_at BIGINT,
              PRIMARY KEY (red_packet_id, share_index),
              UNIQUE (red_packet_id, claimer_id),
              CHECK ((claimer_id IS NULL) = (claim_transfer_id IS NULL)),
              CHECK ((claimer_id IS NULL) = (claimed_at IS NULL))
            )
            """,
            """
            CREATE TRIGGER red_packet_shares_no_delete BEFORE DELETE ON red_packet_shares
              FOR EACH ROW EXECUTE FUNCTION quanzi_refuse_change('red packet shares are never deleted')
            """,
            """
            CREATE TRIGGER red_packet_shares_fixed BEFORE UPDATE OF red_packet_id, share_index, amount_fen
              ON red_packet_shares
              FOR EACH ROW EXECUTE FUNCTION quanzi_refuse_change('red packet shares are fixed at creation')
            """,
            """
            CREATE TRIGGER red_packet_shares_claim_once BEFORE UPDATE ON red_packet_shares
              FOR EACH ROW WHEN (OLD.claimer_id IS NOT NULL)
              EXECUTE FUNCTION quanzi_refuse_change('a share is claimed once')
            """,
            """
            -- The listed users of an audience of kind 'users'. No FOREIGN KEY to users: a
            -- listed id that is not a user can never claim, which is harmless.
            CREATE TABLE red_packet_audience (
              red_packet_id BIGINT NOT NULL REFERENCES red_packets(id),
              user_id BIGINT NOT NULL CHECK (user_id > 0),
              PRIMARY KEY (red_packet_id, user_id)
            )
            """,
        ]
        + ["red_packets", "red_packet_shares", "red_packet_audience"].map { table in
            """
            CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
              FOR EACH STATEMENT EXECUTE FUNCTION quanzi_refuse_change('red packets are never deleted')
            """
        }
}
