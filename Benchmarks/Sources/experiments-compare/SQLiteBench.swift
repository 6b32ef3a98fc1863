import Foundation
import GRDB
import SQLiteStorage

/// The world in a throwaway SQLite file, written as fast as SQLite takes it (one transaction).
enum SQLiteBench {
    static func load(_ world: BenchWorld) throws -> QuanziDatabase {
        let database = try QuanziDatabase.temporary(name: "experiments-bench")
        try database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        try database.pool.write { db in
            let user = try db.makeStatement(
                sql: "INSERT INTO users (id, display_name, verified, gender, occupation, created_at) VALUES (?, '', 0, 'unspecified', 'other', 0)")
            let exposure = try db.makeStatement(
                sql: "INSERT INTO exposures (experiment_id, phase, user_id, variant, first_exposed_at) VALUES ('bench', 1, ?, ?, ?)")
            for id in 1...BenchWorld.userCount {
                try user.execute(arguments: [id])
                let (variant, at) = BenchWorld.exposure(of: id)
                try exposure.execute(arguments: [id, variant, at])
            }
            let event = try db.makeStatement(sql: "INSERT INTO events (kind, at, user_id, target_user_id, amount_fen) VALUES (?, ?, ?, ?, ?)")
            let page = try db.makeStatement(
                sql: "INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids) VALUES (?, 'bench', ?, ?, ?)")
            let postIDs = BenchWorld.json((1...Int64(BenchWorld.postsPerPage)).map { $0 })
            var generator = BenchWorld.Generator()
            for _ in 0..<world.blockCount {
                try generator.block(
                    event: { kind, at, actor, target, amountFen in try event.execute(arguments: [kind, at, actor, target, amountFen]) },
                    page: { viewer, at, authors in try page.execute(arguments: [viewer, at, postIDs, BenchWorld.json(authors)]) })
            }
        }
        return database
    }

    /// Reads the metrics from the file at `path` (in its own process, see main.swift).
    static func analyse(path: String) throws -> AnalysisRun {
        let database = try QuanziDatabase(path: path)
        return try AnalysisRun.measure(backend: "SQLite") {
            try MetricReader(database: database).observations(for: BenchWorld.spec, metrics: BenchWorld.metrics, excluding: [])
        }
    }
}
