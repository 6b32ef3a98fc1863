/// 32-bit FNV-1a over UTF-16 code units, as GrowthBook's JavaScript SDK computes it.
public enum FNV1a {
    /// The FNV-1a 32-bit offset basis.
    public static let offsetBasis: UInt32 = 0x811C_9DC5
    /// The FNV 32-bit prime.
    public static let prime: UInt32 = 0x0100_0193

    /// Hashes the string's UTF-16 code units (JS `charCodeAt`), so that non-ASCII ids hash as in every GrowthBook SDK.
    public static func hash32(_ string: String) -> UInt32 {
        var state = offsetBasis
        for unit in string.utf16 {
            state ^= UInt32(unit)
            state = state &* prime
        }
        return state
    }
}
