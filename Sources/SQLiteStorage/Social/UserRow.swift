import Core
import GRDB
import Social

/// The `users` table's row; converts to and from the domain's `UserProfile`.
struct UserRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "users"

    var id: Int64
    var displayName: String
    var verified: Bool
    var verifiedAt: Int64?
    var gender: String
    var birthYear: Int?
    var occupation: String
    var school: String?
    var employer: String?
    var city: String?
    var createdAt: Int64
    var isAdmin: Bool

    enum CodingKeys: String, CodingKey {
        case id, verified, gender, occupation, school, employer, city
        case displayName = "display_name", verifiedAt = "verified_at", birthYear = "birth_year"
        case createdAt = "created_at", isAdmin = "is_admin"
    }

    init(_ user: UserProfile, isAdmin: Bool) {
        id = user.id.rawValue
        displayName = user.displayName
        verified = user.verified
        verifiedAt = user.verifiedAtEpochSeconds
        gender = user.gender.rawValue
        birthYear = user.birthYear
        occupation = user.occupation.rawValue
        school = user.school
        employer = user.employer
        city = user.city
        createdAt = user.createdAtEpochSeconds
        self.isAdmin = isAdmin
    }

    var profile: UserProfile {
        UserProfile(
            id: UserID(id), displayName: displayName, verified: verified, verifiedAtEpochSeconds: verifiedAt,
            gender: Gender(rawValue: gender) ?? .unspecified, birthYear: birthYear,
            occupation: Occupation(rawValue: occupation) ?? .other, school: school, employer: employer, city: city,
            createdAtEpochSeconds: createdAt)
    }
}
