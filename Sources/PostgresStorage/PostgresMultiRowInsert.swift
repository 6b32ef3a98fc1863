import PostgresNIO

/// `INSERT INTO table (columns) VALUES (...), (...), ...` for many rows, cut into statements of
/// at most `rowsPerStatementMax` rows (PostgreSQL takes at most 65,535 parameters per
/// statement): one round trip per statement. Events and viewed pages are written this way.
enum PostgresMultiRowInsert {
    static func queries<Row>(
        into table: String, columns: [String], rows: some Collection<Row>, rowsPerStatementMax: Int,
        bind: (Row, inout PostgresBindings) -> Void
    ) -> [PostgresQuery] {
        precondition(rowsPerStatementMax * columns.count <= 65_535, "too many parameters per statement")
        let rows = Array(rows)
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        return stride(from: 0, to: rows.count, by: rowsPerStatementMax).map { start in
            let chunk = rows[start..<min(start + rowsPerStatementMax, rows.count)]
            var bindings = PostgresBindings(capacity: chunk.count * columns.count)
            var values: [String] = []
            values.reserveCapacity(chunk.count)
            for row in chunk {
                let first = bindings.count + 1
                values.append("(" + (first..<first + columns.count).map { "$\($0)" }.joined(separator: ", ") + ")")
                bind(row, &bindings)
            }
            return PostgresQuery(unsafeSQL: head + values.joined(separator: ", "), binds: bindings)
        }
    }
}
