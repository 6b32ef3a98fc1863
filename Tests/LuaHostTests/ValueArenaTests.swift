import CLuaShim
import Testing

@testable import LuaHost

/// `ValueArena` hands C pointers that must stay intact until its reset, however many chunks a
/// call's values span, and reuses its memory after the reset.
@Suite("value arena: bump-allocated memory for C")
struct ValueArenaTests {
    /// Strings of every size around the chunk's and the large block's bounds, with tables between.
    static let texts: [String] = (0..<2_000).map { index in
        let length = [0, 1, 7, 100, 4_095, 4_097, 16_384, 40_000][index % 8]
        return String(repeating: Character(UnicodeScalar(UInt8(65 + index % 26))), count: length) + "#\(index)"
    }

    static func read(_ pointer: UnsafePointer<CChar>, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    @Test("every value handed out stays intact until the reset, across chunks and after reuse")
    func valuesStayIntact() {
        let arena = ValueArena()
        for round in 0..<3 {
            var strings: [(UnsafePointer<CChar>, Int)] = []
            var tables: [(UnsafeMutablePointer<qz_value>, Int)] = []
            for (index, text) in Self.texts.enumerated() {
                strings.append(arena.copy(text))
                let count = index % 5
                let values = arena.values(count: count)
                for slot in 0..<max(count, 1) { values[slot].integer = Int64(index * 10 + slot) }
                tables.append((values, count))
            }
            for (index, (pointer, length)) in strings.enumerated() {
                #expect(Self.read(pointer, length) == Self.texts[index], "round \(round), string \(index)")
            }
            for (index, (values, count)) in tables.enumerated() {
                #expect(Int(bitPattern: values) % MemoryLayout<qz_value>.alignment == 0)
                for slot in 0..<max(count, 1) { #expect(values[slot].integer == Int64(index * 10 + slot), "round \(round), table \(index)") }
            }
            arena.reset()
        }
    }
}
