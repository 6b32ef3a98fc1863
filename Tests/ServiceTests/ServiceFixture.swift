import Core
import Foundation
import LuaHost
import Service
import Social
import Storage
import GRDB

/// A service over a fresh temporary database with the shipped plugins and a manual clock.
final class ServiceFixture {
    static let start: Int64 = 1_767_225_600  // 2026-01-01

    let service: QuanziService
    let clock = ManualClock(epochSeconds: ServiceFixture.start)

    init() throws {
        let plugins = try PluginSet.load(directory: Self.pluginsDirectory)
        service = try QuanziService(database: QuanziDatabase.temporary(), plugins: plugins, clock: clock)
    }

    deinit { try? service.database.removeFiles() }

    static let pluginsDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("plugins").path
    }()

    @discardableResult
    func user(_ id: Int64, gender: Gender = .female, occupation: Occupation = .student, verified: Bool = true, city: String? = "Hangzhou") throws -> UserProfile {
        let profile = UserProfile(
            id: UserID(id), displayName: "user \(id)", verified: verified, verifiedAtEpochSeconds: verified ? Self.start - 86_400 : nil,
            gender: gender, birthYear: 2004, occupation: occupation, city: city, createdAtEpochSeconds: Self.start - 100 * 86_400)
        try service.users.insert(profile)
        return profile
    }

    func eventCount(_ kind: EventKind) throws -> Int {
        try service.database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = ?", arguments: [kind.rawValue]) ?? 0
        }
    }
}
