import Core
import Social

/// Another user, as anyone signed in may see them: no identity attributes.
struct PublicUserView: Codable, Sendable {
    let id: Int64
    let displayName: String
    let verified: Bool

    init(_ user: UserProfile) {
        id = user.id.rawValue
        displayName = user.displayName
        verified = user.verified
    }

    enum CodingKeys: String, CodingKey {
        case id, displayName = "display_name", verified
    }
}

/// The caller's own profile, with the attributes rules read.
struct MeView: Codable, Sendable {
    let id: Int64
    let displayName: String
    let verified: Bool
    let verifiedAt: Int64?
    let gender: String
    let birthYear: Int?
    let occupation: String
    let school: String?
    let employer: String?
    let city: String?
    let createdAt: Int64
    /// Whether the token in use carries the admin role.
    let isAdmin: Bool

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

    enum CodingKeys: String, CodingKey {
        case id, displayName = "display_name", verified, verifiedAt = "verified_at", gender, birthYear = "birth_year", occupation, school, employer, city, createdAt = "created_at", isAdmin = "is_admin"
    }
}

struct FriendRequestView: Codable, Sendable {
    let id: Int64
    let fromUserID: Int64
    let toUserID: Int64
    let status: String
    let createdAt: Int64
    let decidedAt: Int64?

    init(_ request: FriendRequest) {
        id = request.id
        fromUserID = request.fromUserID.rawValue
        toUserID = request.toUserID.rawValue
        status = request.status.rawValue
        createdAt = request.createdAtEpochSeconds
        decidedAt = request.decidedAtEpochSeconds
    }

    enum CodingKeys: String, CodingKey {
        case id, fromUserID = "from_user_id", toUserID = "to_user_id", status, createdAt = "created_at", decidedAt = "decided_at"
    }
}

struct FriendsView: Codable, Sendable {
    let friends: [PublicUserView]
}

struct FriendRequestsView: Codable, Sendable {
    let requests: [FriendRequestView]
}

struct SuggestionView: Codable, Sendable {
    let user: PublicUserView
    /// Transfers, tips and red-packet claims between the caller and this user.
    let paymentsTogether: Int

    enum CodingKeys: String, CodingKey {
        case user, paymentsTogether = "payments_together"
    }
}

struct SuggestionsView: Codable, Sendable {
    let suggestions: [SuggestionView]
}
