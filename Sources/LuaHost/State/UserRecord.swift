import CLuaShim
import Core
import Social

/// How a user looks to Lua: `user.name`, `user.verified`, `user.gender == "female"`, `user.age`…
/// Absent attributes are nil. The same record serves rule arguments and `quanzi.user(id)`.
enum UserRecord {
    static func make(_ user: UserProfile, nowEpochSeconds: Int64) -> ScriptValue {
        var fields: [ScriptValue.Field] = [
            .init("id", .integer(user.id.rawValue)),
            .init("name", .string(user.displayName)),
            .init("verified", .boolean(user.verified)),
            .init("gender", .string(user.gender.rawValue)),
            .init("occupation", .string(user.occupation.rawValue)),
            .init("created_at", .integer(user.createdAtEpochSeconds)),
            .init("account_age_days", .integer(user.accountAgeDays(atEpochSeconds: nowEpochSeconds))),
        ]
        if let verifiedAt = user.verifiedAtEpochSeconds { fields.append(.init("verified_at", .integer(verifiedAt))) }
        if let birthYear = user.birthYear { fields.append(.init("birth_year", .integer(Int64(birthYear)))) }
        if let age = user.age(atEpochSeconds: nowEpochSeconds) { fields.append(.init("age", .integer(Int64(age)))) }
        if let school = user.school { fields.append(.init("school", .string(school))) }
        if let employer = user.employer { fields.append(.init("employer", .string(employer))) }
        if let city = user.city { fields.append(.init("city", .string(city))) }
        return .record(fields)
    }
}

/// A user's proxy is cached per state (`ProxyCache`) by id; it is reused only while the
/// profile is unchanged and it is the same day (age and account age change daily).
struct UserStamp: Equatable {
    var user: UserProfile
    var day: Int64
}

extension LuaState {
    /// Caches proxies of the users `quanzi.user` built during the last call, now that no script
    /// runs (so the memory cap is not enforced and nothing can raise).
    func cacheUsersAskedFor() {
        guard !usersToCache.isEmpty else { return }
        let top = qz_gettop(L)
        for user in usersToCache { pushUser(user) }
        usersToCache.removeAll(keepingCapacity: true)
        qz_settop(L, top)
        arena.reset()
    }

    func pushUser(_ user: UserProfile) {
        let now = clock.nowEpochSeconds
        pushCached(&userProxyCache, key: user.id, stamp: UserStamp(user: user, day: now / 86_400), costBytes: 0) {
            UserRecord.make(user, nowEpochSeconds: now)
        }
    }

    /// Pushes a host value (tables as read-only proxies). Safe outside a protected call: the
    /// memory cap applies only while scripts run.
    func push(_ value: ScriptValue) {
        var encoded = arena.encode(value)
        qz_push_value(L, &encoded)
    }
}

extension ScriptValue {
    /// A user as Lua sees it (the record rules get), for hosts that set `user` in a session.
    public static func user(_ profile: UserProfile, nowEpochSeconds: Int64) -> ScriptValue {
        UserRecord.make(profile, nowEpochSeconds: nowEpochSeconds)
    }
}
