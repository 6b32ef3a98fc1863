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

/// A user's verified attributes (what real-name verification recorded and rules read): the
/// caller's own in `GET /v1/me`, another's only through a moderator's audited identity look.
struct VerifiedProfileView: Encodable, Sendable {
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

    init(_ user: UserProfile) {
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
    }

    enum CodingKeys: String, CodingKey {
        case id, displayName = "display_name", verified, verifiedAt = "verified_at", gender, birthYear = "birth_year", occupation, school, employer, city, createdAt = "created_at"
    }
}

/// The caller's own profile, with the attributes rules read, and the token's role.
struct MeView: Encodable, Sendable {
    let profile: VerifiedProfileView
    /// Whether the token in use carries the admin role.
    let isAdmin: Bool

    init(_ user: UserProfile, isAdmin: Bool) {
        profile = VerifiedProfileView(user)
        self.isAdmin = isAdmin
    }

    /// The profile's fields and `is_admin`, in one object.
    func encode(to encoder: any Encoder) throws {
        try profile.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isAdmin, forKey: .isAdmin)
    }

    enum CodingKeys: String, CodingKey { case isAdmin = "is_admin" }
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
