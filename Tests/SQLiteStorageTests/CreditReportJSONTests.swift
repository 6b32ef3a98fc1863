import Core
import Foundation
import PropertyBased
import StorageModel
import Testing

@testable import Credit

/// `CreditReportJSON` writes reports by hand; what it writes must be what `JSONEncoder` with
/// `.sortedKeys` wrote before it, byte for byte, and decode to the same report.
@Suite("credit reports as stored JSON")
struct CreditReportJSONTests {
    static func foundationJSON(_ report: CreditReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static let inputs = Gen.int(in: 0...3_000).array(of: 12...12).map { values -> CreditInputs in
        CreditInputs(
            accountAgeDays: values[0],
            identity: CreditIdentity(
                verifiedDaysAgo: values[1] % 3 == 0 ? nil : values[1], occupation: CreditIdentity.Occupation.allCases[values[2] % 3],
                hasSchool: values[3] % 2 == 0, hasEmployer: values[4] % 2 == 0, hasCity: values[5] % 2 == 0),
            history: CreditHistory(activeDays: values[6] % 120, transfersSent: values[7], tipsSent: values[8] % 50),
            payments: CreditPayments(topUps: values[9] % 40, insufficientFundsFailures: values[10] % 7),
            conduct: CreditConduct(postsCreated: values[11] % 90, postsHidden: values[11] % 5, reportsUpheld: values[10] % 4))
    }

    @Test("scored reports are written exactly as JSONEncoder wrote them, and decode to the same report")
    func sameBytesAsFoundation() async throws {
        await propertyCheck(count: 200, input: Self.inputs.array(of: 1...6)) { inputs in
            let users = inputs.indices.map { UserID(Int64($0) * 7_919 - 3) }
            let edges = zip(users, users.dropFirst()).map { CreditEdge.friendship($0, $1) }
            let reports = CreditEngine.computeAll(inputs: Dictionary(uniqueKeysWithValues: zip(users, inputs)), edges: edges)
                .sorted { $0.key < $1.key }.map(\.value)
            let encoded = CreditReportJSON.encode(reports)
            #expect(encoded.count == reports.count)
            for (report, json) in zip(reports, encoded) {
                #expect(json == (try? Self.foundationJSON(report)))
                #expect((try? JSONDecoder().decode(CreditReport.self, from: Data(json.utf8))) == report)
            }
        }
    }

    @Test("strings are escaped as JSONEncoder escapes them: quotes, backslashes, slashes, every control character, and UTF-8 beyond ASCII")
    func awkwardStrings() throws {
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        let messages = [
            "", #"say "hi""#, #"back\slash"#, "a/b</script>", controls, "\u{7F}", "校园日记 · 圈子", "emoji 🧧", "line\u{2028}separator",
            "nul\u{0}inside", "tab\tand\nnewline\r",
        ]
        let reasons = messages.map { CreditReason(code: .identityCity, message: $0, points: -3) }
        let report = CreditReport(
            userID: UserID(Int64.min), dimensions: [CreditDimensionScore(dimension: .identity, points: 0, reasons: reasons)])
        let json = CreditReportJSON.encode(report)
        #expect(json == (try Self.foundationJSON(report)))
        #expect(try JSONDecoder().decode(CreditReport.self, from: Data(json.utf8)) == report)
        #expect(CreditReportJSON.encode([CreditReport]()) == [])
    }
}
