import Synchronization

/// Small numbers for the names of author groups (cities), the same in every window of the
/// process, so that a post's row carries 4 bytes instead of a string and a `same_city` feed
/// compares numbers. Append-only: a process meets a few hundred cities at most.
public enum AuthorGroups {
    private static let codes = Mutex<[String: UInt32]>([:])

    /// The group's code, assigned on first use; 0 for no group (nil or empty).
    public static func code(for name: String?) -> UInt32 {
        guard let name, !name.isEmpty else { return 0 }
        return codes.withLock { codes in
            if let code = codes[name] { return code }
            let code = UInt32(codes.count + 1)
            codes[name] = code
            return code
        }
    }
}
