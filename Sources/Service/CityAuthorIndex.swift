import Core
import Social
import Synchronization

/// Per circle, the window's authors grouped by city, for circles whose audience is
/// `same_city`. Matching every author of the window against profiles on each request was a
/// fifth of a nearby feed request. Built on a circle's first such request and kept current as
/// posts arrive. It may list an author whose posts have left the window: it is only used as a
/// filter, and such an author has nothing to show.
final class CityAuthorIndex: Sendable {
    private let circles = Mutex<[CircleID: [String: Set<UserID>]]>([:])

    /// The authors from `city` in `circle`. The first call per circle builds the index from the
    /// window's authors (`windowAuthors`) and their profiles (`profiles`), under the lock, so
    /// no post recorded meanwhile is missed.
    func authors(in circle: CircleID, city: String, windowAuthors: () -> [UserID],
                 profiles: ([UserID]) throws -> [UserProfile]) rethrows -> Set<UserID> {
        try circles.withLock { circles in
            if let byCity = circles[circle] { return byCity[city] ?? [] }
            var byCity: [String: Set<UserID>] = [:]
            for profile in try profiles(windowAuthors()) {
                if let authorCity = profile.city { byCity[authorCity, default: []].insert(profile.id) }
            }
            circles[circle] = byCity
            return byCity[city] ?? []
        }
    }

    /// A new post's author, if the circle's index has been built.
    func noteAuthor(_ author: UserID, city: String?, in circle: CircleID) {
        guard let city else { return }
        circles.withLock { circles in
            guard circles[circle] != nil else { return }
            circles[circle]![city, default: []].insert(author)
        }
    }
}
