import Core
import Ledger
import Logging
import PostgresNIO

extension PostgresLedgerPosting {
    /// The statement that inserts the transfers of `postings` and their entries (debit first),
    /// answering (ordinal, transfer id) rows (``transferIDs(from:count:)`` puts them in posting
    /// order); `nil` for no postings. Same preconditions as the single posting's
    /// ``insert(_:at:on:logger:)``: the caller holds the row locks of every account named.
    ///
    /// Ids are drawn from the tables' own sequences and then handed out by rank, the smallest to
    /// the first request, so transfer and entry ids follow the order the batch applied its
    /// requests in (the verifier replays entries by id), without relying on the order an INSERT
    /// … SELECT or its RETURNING rows happen to come in. The receipt of each request is matched
    /// by its ordinal, not by position in the answer. Each sequence is looked up once per
    /// statement (a scalar subquery), not once per row: by name, per row, it cost about as much as
    /// the rows' inserts.
    static func insertQuery(_ postings: [LedgerPosting], at now: Int64) throws -> PostgresQuery? {
        guard !postings.isEmpty else { return nil }
        // postgres-nio binds no arrays of optionals: whether a request names a post goes alongside.
        let hasPost = postings.map { $0.postID != nil }
        let postIDs = postings.map { $0.postID ?? 0 }
        // Batched postings are requests' (top-ups, transfers, tips): each has an initiator and a key.
        guard postings.allSatisfy({ $0.initiator != nil && $0.idempotencyKey != nil && $0.fingerprint != nil }) else {
            throw PostgresLedgerRows.Corrupt(reason: "a batched posting without initiator, key or fingerprint")
        }
        let initiators = postings.map { $0.initiator?.rawValue ?? 0 }
        let keys = postings.map { $0.idempotencyKey ?? "" }
        let fingerprints = postings.map { $0.fingerprint ?? "" }
        return """
            WITH input AS (
              SELECT * FROM unnest(\(postings.map(\.kind.rawValue))::text[], \(postings.map(\.debit.rawValue))::bigint[],
                \(postings.map(\.credit.rawValue))::bigint[], \(postings.map(\.amountFen))::bigint[],
                \(initiators)::bigint[], \(keys)::text[],
                \(fingerprints)::text[], \(hasPost)::boolean[], \(postIDs)::bigint[])
                WITH ORDINALITY AS i(kind, debit_account_id, credit_account_id, amount_fen, initiator_id, idempotency_key,
                  request_fingerprint, has_post, post_id, ordinal)),
            transfer_ids AS (
              SELECT row_number() OVER (ORDER BY id) AS ordinal, id
              FROM (SELECT nextval((SELECT pg_get_serial_sequence('ledger_transfers', 'id')::regclass)) AS id FROM input) AS drawn),
            entry_ids AS (
              SELECT row_number() OVER (ORDER BY id) AS position, id
              FROM (SELECT nextval((SELECT pg_get_serial_sequence('ledger_entries', 'id')::regclass)) AS id
                    FROM input CROSS JOIN (VALUES (1), (2)) AS side(n)) AS drawn),
            transfers AS (
              INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                idempotency_key, request_fingerprint, post_id, created_at)
              OVERRIDING SYSTEM VALUE
              SELECT t.id, i.kind, i.debit_account_id, i.credit_account_id, i.amount_fen, i.initiator_id,
                i.idempotency_key, i.request_fingerprint, CASE WHEN i.has_post THEN i.post_id END, \(now)
              FROM input i JOIN transfer_ids t USING (ordinal)),
            entries AS (
              INSERT INTO ledger_entries (id, transfer_id, account_id, amount_fen)
              OVERRIDING SYSTEM VALUE
              SELECT e.id, t.id,
                CASE WHEN e.position % 2 = 1 THEN i.debit_account_id ELSE i.credit_account_id END,
                CASE WHEN e.position % 2 = 1 THEN -i.amount_fen ELSE i.amount_fen END
              FROM input i JOIN transfer_ids t USING (ordinal) JOIN entry_ids e ON (e.position + 1) / 2 = i.ordinal)
            SELECT ordinal, id FROM transfer_ids
            """
    }

    /// The transfer ids in posting order from the (ordinal, id) rows of ``insertQuery(_:at:)``
    /// for `count` postings.
    static func transferIDs(from rows: [(Int64, Int64)], count: Int) throws -> [Int64] {
        guard count > 0 else { return [] }
        var transferIDs = [Int64?](repeating: nil, count: count)
        for (ordinal, id) in rows where (1...Int64(count)).contains(ordinal) { transferIDs[Int(ordinal) - 1] = id }
        return try transferIDs.map { transferID in
            guard let transferID else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no id for a transfer of the batch") }
            return transferID
        }
    }
}
