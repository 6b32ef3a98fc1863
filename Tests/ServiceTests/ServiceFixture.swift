import Core
import Foundation
import LuaHost
import Service
import Social
import SQLiteStorage
import GRDB

/// A service over a fresh temporary database with the shipped plugins and a manual clock.
final class ServiceFixture {
    static let start: Int64 = 1_767_225_600  // 2026-01-01

    let service: QuanziService
    let clock = ManualClock(epochSeconds: ServiceFixture.start)

    /// `plugins` (by default the repository's) with `experiments` (by default the repository's).
    init(plugins: PluginSet? = nil, experiments: ExperimentSet? = nil) throws {
        let plugins = try plugins ?? PluginSet.load(directory: Self.pluginsDirectory)
        let experiments = try experiments ?? ExperimentSet.load(directory: Self.experimentsDirectory)
        service = try QuanziService(database: QuanziDatabase.temporary(), plugins: plugins, experiments: experiments, clock: clock)
    }

    deinit { try? service.database!.removeFiles() }

    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()
    static let pluginsDirectory = repository.appendingPathComponent("plugins").path
    static let experimentsDirectory = repository.appendingPathComponent("experiments").path

    @discardableResult
    func user(_ id: Int64, gender: Gender = .female, occupation: Occupation = .student, verified: Bool = true, city: String? = "Hangzhou") throws -> UserProfile {
        let profile = UserProfile(
            id: UserID(id), displayName: "user \(id)", verified: verified, verifiedAtEpochSeconds: verified ? Self.start - 86_400 : nil,
            gender: gender, birthYear: 2004, occupation: occupation, city: city, createdAtEpochSeconds: Self.start - 100 * 86_400)
        try service.users.insert(profile)
        return profile
    }

    func eventCount(_ kind: EventKind) throws -> Int {
        try service.database!.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = ?", arguments: [kind.rawValue]) ?? 0
        }
    }
}
