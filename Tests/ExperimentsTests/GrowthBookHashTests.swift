import Foundation
import Testing
@testable import Experiments

/// The `hash` rows of growthbook-assignment-cases.json: [seed, value, version, expected or null].
private func hashRows() throws -> [(seed: String, value: String, version: Int, expected: Double?)] {
    let root = try #require(JSONSerialization.jsonObject(with: fixtureData("growthbook-assignment-cases")) as? [String: Any])
    let rows = try #require(root["hash"] as? [[Any]])
    return try rows.map { row in
        let seed = try #require(row[0] as? String)
        let value = try #require(row[1] as? String)
        let version = try #require((row[2] as? NSNumber)?.intValue)
        let expected = (row[3] as? NSNumber)?.doubleValue
        return (seed, value, version, expected)
    }
}

@Suite("GrowthBook hash")
struct GrowthBookHashTests {
    @Test("every hash case in cases.json matches exactly")
    func sharedVectors() throws {
        let rows = try hashRows()
        #expect(rows.count == 15)
        for row in rows {
            #expect(
                GrowthBook.hash(seed: row.seed, value: row.value, version: row.version) == row.expected,
                "hash(\(row.seed), \(row.value), \(row.version))"
            )
        }
    }

    @Test("an unknown hash version gives nil")
    func unknownVersion() {
        #expect(GrowthBook.hash(seed: "abc", value: "def", version: 99) == nil)
        #expect(GrowthBook.hash(seed: "abc", value: "def", version: 0) == nil)
    }

    @Test("non-ASCII ids hash by UTF-16 code units as the JS SDK does")
    func utf16Vectors() {
        #expect(GrowthBook.hash(seed: "", value: "\u{E9}", version: 1) == 0.94)
        #expect(GrowthBook.hash(seed: "", value: "e\u{301}", version: 1) == 0.179)
        #expect(GrowthBook.hash(seed: "", value: "😀", version: 2) == 0.4971)
    }

    @Test("canonically equivalent strings compare equal but hash differently")
    func noNormalisation() {
        let composed = "\u{E9}"
        let decomposed = "e\u{301}"
        #expect(composed == decomposed)
        #expect(FNV1a.hash32(composed) != FNV1a.hash32(decomposed))
    }

    @Test("FNV-1a matches the published 32-bit test vectors for ASCII")
    func fnvVectors() {
        #expect(FNV1a.hash32("") == 0x811C_9DC5)
        #expect(FNV1a.hash32("a") == 0xE40C_292C)
        #expect(FNV1a.hash32("foobar") == 0xBF9C_F968)
    }

    @Test("hash values stay in [0, 1) on the version's grid")
    func hashRange() {
        for index in 0..<2000 {
            let v1 = GrowthBook.hash(seed: "s", value: "user-\(index)", version: 1) ?? -1
            let v2 = GrowthBook.hash(seed: "s", value: "user-\(index)", version: 2) ?? -1
            #expect((0..<1).contains(v1) && (v1 * 1000).rounded() / 1000 == v1)
            #expect((0..<1).contains(v2) && (v2 * 10000).rounded() / 10000 == v2)
        }
    }
}
