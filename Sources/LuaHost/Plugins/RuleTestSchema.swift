import Core
import Social

/// The schema of a circle's `tests` list: each case names a user (a table of attributes), an
/// action and the expected decision, optionally a post, its author and an amount.
///
///     tests = {
///       { user = { verified = true, gender = "female", occupation = "student" }, action = "post", expect = true },
///       { user = { credit_score = 700 }, action = "comment", expect = false, reason = "750" },
///     }
enum RuleTestSchema {
    static let caseFields = ["name", "user", "action", "expect", "reason", "post", "amount_fen", "friends"]
    static let userFields = [
        "id", "verified", "verified_at", "gender", "birth_year", "occupation", "school", "employer", "city",
        "created_at", "account_age_days", "credit_score",
    ]
    static let postFields = ["id", "kind", "text", "author"]
    static let defaultUserID = UserID(1)
    static let defaultAuthorID = UserID(2)
    /// Test users are created "today" unless the test says otherwise; ages use this year.
    static let fixtureNowEpochSeconds: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    static func read(_ table: LuaTable, circle: CircleID, _ reader: inout SchemaReader) -> [RuleTestCase] {
        guard let tests = reader.table(table, "tests", at: [], required: false) else { return [] }
        if !tests.isSequence { reader.report([.key("tests")], "field 'tests' must be a list of test cases") }
        let items = tests.sequence
        if items.count > CircleSchema.testsMax {
            reader.report([.key("tests")], "field 'tests' has \(items.count) cases; at most \(CircleSchema.testsMax)")
        }
        var cases: [RuleTestCase] = []
        for (offset, item) in items.prefix(CircleSchema.testsMax).enumerated() {
            let path: SchemaReader.Path = [.key("tests"), .index(offset + 1)]
            guard let testTable = item.tableValue else {
                reader.report(path, "tests[\(offset + 1)] must be a table, got \(item.typeName)")
                continue
            }
            if let testCase = readCase(testTable, at: path, circle: circle, &reader) { cases.append(testCase) }
        }
        return cases
    }

    private static func readCase(_ table: LuaTable, at path: SchemaReader.Path, circle: CircleID, _ reader: inout SchemaReader) -> RuleTestCase? {
        let before = reader.problems.count
        reader.rejectUnknownFields(table, at: path, known: caseFields)
        let name = reader.string(table, "name", at: path, required: false)
        let actionText = reader.string(table, "action", at: path, required: true)
        let action = actionText.flatMap(CircleAction.init(rawValue:))
        if let actionText, action == nil {
            reader.report(path + [.key("action")], "unknown action '\(actionText)' (known: \(CircleAction.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let expect = reader.boolean(table, "expect", at: path, required: true)
        let reason = reader.string(table, "reason", at: path, required: false)
        let friends = reader.boolean(table, "friends", at: path, required: false) ?? false
        let amount = reader.integer(table, "amount_fen", at: path, in: 1...Int64.max)
        if action == .tip && amount == nil && table["amount_fen"] == nil {
            reader.report(path, "a tip test needs 'amount_fen'")
        }
        let userTable = reader.table(table, "user", at: path, required: true)
        let (user, credit) = userTable.map { readUser($0, at: path + [.key("user")], defaultID: defaultUserID, &reader) } ?? (nil, nil)
        var post: PostContext?
        var author: UserProfile?
        var authorCredit: Int?
        if let postTable = reader.table(table, "post", at: path, required: false) {
            (post, author, authorCredit) = readPost(postTable, at: path + [.key("post")], &reader)
        }
        guard reader.problems.count == before, let action, let expect, let user else { return nil }
        return RuleTestCase(
            name: name, circle: circle, location: reader.location(path), user: user, userCreditScore: credit, action: action,
            expectAllowed: expect, expectedReason: reason, context: RuleContext(post: post, amountFen: amount),
            author: author, authorCreditScore: authorCredit, friends: friends)
    }

    private static func readPost(_ table: LuaTable, at path: SchemaReader.Path, _ reader: inout SchemaReader) -> (PostContext?, UserProfile?, Int?) {
        reader.rejectUnknownFields(table, at: path, known: postFields)
        var post = PostContext(authorID: defaultAuthorID)
        post.id = reader.integer(table, "id", at: path, in: 1...Int64.max)
        post.text = reader.string(table, "text", at: path, required: false)
        if let kindText = reader.string(table, "kind", at: path, required: false) {
            if let kind = PostKind(rawValue: kindText) {
                post.kind = kind
            } else {
                reader.report(path + [.key("kind")], "unknown post kind '\(kindText)' (known: \(PostKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        var author: UserProfile?
        var credit: Int?
        if let authorTable = reader.table(table, "author", at: path, required: false) {
            (author, credit) = readUser(authorTable, at: path + [.key("author")], defaultID: defaultAuthorID, &reader)
            post.authorID = author?.id ?? defaultAuthorID
        }
        return (post, author, credit)
    }

    static func readUser(_ table: LuaTable, at path: SchemaReader.Path, defaultID: UserID, _ reader: inout SchemaReader) -> (UserProfile?, Int?) {
        let before = reader.problems.count
        reader.rejectUnknownFields(table, at: path, known: userFields)
        var user = UserProfile(id: UserID(reader.integer(table, "id", at: path, in: 1...Int64.max) ?? defaultID.rawValue))
        user.verified = reader.boolean(table, "verified", at: path, required: false) ?? false
        user.verifiedAtEpochSeconds = reader.integer(table, "verified_at", at: path, in: 0...Int64.max)
        if let genderText = reader.string(table, "gender", at: path, required: false) {
            if let gender = Gender(rawValue: genderText) {
                user.gender = gender
            } else {
                reader.report(path + [.key("gender")], "unknown gender '\(genderText)' (known: \(Gender.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        if let occupationText = reader.string(table, "occupation", at: path, required: false) {
            if let occupation = Occupation(rawValue: occupationText) {
                user.occupation = occupation
            } else {
                reader.report(path + [.key("occupation")], "unknown occupation '\(occupationText)' (known: \(Occupation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        user.birthYear = reader.integer(table, "birth_year", at: path, in: 1900...2100).map(Int.init)
        user.school = reader.string(table, "school", at: path, required: false)
        user.employer = reader.string(table, "employer", at: path, required: false)
        user.city = reader.string(table, "city", at: path, required: false)
        user.createdAtEpochSeconds = reader.integer(table, "created_at", at: path, in: 0...Int64.max) ?? fixtureNowEpochSeconds
        if let days = reader.integer(table, "account_age_days", at: path, in: 0...100_000) {
            user.createdAtEpochSeconds = fixtureNowEpochSeconds - days * 86_400
        }
        let credit = reader.integer(table, "credit_score", at: path, in: 350...950).map(Int.init)
        return reader.problems.count == before ? (user, credit) : (nil, nil)
    }
}
