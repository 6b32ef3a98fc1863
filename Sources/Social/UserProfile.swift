import Core

/// Gender as recorded at real-name verification.
public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case female, male, unspecified
}

/// The occupation classes rules can test (the seed's circles are for students and office workers).
public enum Occupation: String, Sendable, Hashable, Codable, CaseIterable {
    case student
    case officeWorker = "office_worker"
    case other
}

/// What the core knows about a person: identity attributes that rules read.
public struct UserProfile: Sendable, Hashable, Codable {
    public var id: UserID
    public var displayName: String
    /// Real-name verification (实名认证): every verified account is traceable to a person.
    public var verified: Bool
    public var verifiedAtEpochSeconds: Int64?
    public var gender: Gender
    public var birthYear: Int?
    public var occupation: Occupation
    public var school: String?
    public var employer: String?
    public var city: String?
    public var createdAtEpochSeconds: Int64

    public init(
        id: UserID, displayName: String = "", verified: Bool = false, verifiedAtEpochSeconds: Int64? = nil, gender: Gender = .unspecified,
        birthYear: Int? = nil, occupation: Occupation = .other, school: String? = nil, employer: String? = nil,
        city: String? = nil, createdAtEpochSeconds: Int64 = 0
    ) {
        self.id = id
        self.displayName = displayName
        self.verified = verified
        self.verifiedAtEpochSeconds = verifiedAtEpochSeconds
        self.gender = gender
        self.birthYear = birthYear
        self.occupation = occupation
        self.school = school
        self.employer = employer
        self.city = city
        self.createdAtEpochSeconds = createdAtEpochSeconds
    }

    /// Age in whole years at `epochSeconds` (birth dates are year-only, so this can be one high).
    public func age(atEpochSeconds epochSeconds: Int64) -> Int? {
        guard let birthYear else { return nil }
        return CivilCalendar.year(ofEpochSeconds: epochSeconds) - birthYear
    }

    /// Whole days since the account was created.
    public func accountAgeDays(atEpochSeconds epochSeconds: Int64) -> Int64 {
        max(0, (epochSeconds - createdAtEpochSeconds) / 86_400)
    }
}

/// Gregorian year of a Unix time without Foundation's calendars (UTC, proleptic).
enum CivilCalendar {
    static func year(ofEpochSeconds seconds: Int64) -> Int {
        // Howard Hinnant's days-to-civil algorithm, year part only.
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
    }
}
