import Credit
import Dispatch
import Foundation
import Synchronization

/// The stored form of credit reports (`credit_scores.report` on both backends): JSON with sorted
/// keys, read back with Foundation's `JSONDecoder`.
///
/// A recompute stores every user's report. Foundation's `JSONEncoder` (through `Codable`'s keyed
/// containers, a dictionary per object and a sort of its keys) was a sixth of a 100,000-user
/// simulation's seeding, so the reports are written by hand here: one fixed shape, its keys
/// already in sorted order, strings escaped as `JSONEncoder` escapes them. A test checks the
/// output byte for byte against `JSONEncoder` with `.sortedKeys`, awkward strings included. The
/// reports are encoded in chunks on every core and come back in the order given.
public enum CreditReportJSON {
    /// Reports one chunk encodes: enough to keep a core busy, few enough to share two cores evenly.
    static let chunkSize = 2_048

    public static func encode(_ reports: [CreditReport]) -> [String] {
        let chunks = (reports.count + chunkSize - 1) / chunkSize
        var encoded = [String](repeating: "", count: reports.count)
        encoded.withUnsafeMutableBufferPointer { output in
            // Each chunk writes its own disjoint range of `output`.
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(1_024)
                for index in chunk * chunkSize..<min(reports.count, (chunk + 1) * chunkSize) {
                    bytes.removeAll(keepingCapacity: true)
                    write(reports[index], into: &bytes)
                    output[index] = String(decoding: bytes, as: UTF8.self)
                }
            }
        }
        return encoded
    }

    /// One report, as `JSONEncoder` with `.sortedKeys` writes it.
    public static func encode(_ report: CreditReport) -> String {
        var bytes: [UInt8] = []
        write(report, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    // The keys of each object below are written in sorted order: dimensions < score < userID,
    // dimension < points < reasons, code < message < points.
    static func write(_ report: CreditReport, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"dimensions":["#.utf8)
        for (index, dimension) in report.dimensions.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"dimension":"#.utf8)
            writeString(dimension.dimension.rawValue, into: &bytes)
            bytes.append(contentsOf: #","points":"#.utf8)
            writeInteger(Int64(dimension.points), into: &bytes)
            bytes.append(contentsOf: #","reasons":["#.utf8)
            for (index, reason) in dimension.reasons.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: #"{"code":"#.utf8)
                writeString(reason.code.rawValue, into: &bytes)
                bytes.append(contentsOf: #","message":"#.utf8)
                writeString(reason.message, into: &bytes)
                bytes.append(contentsOf: #","points":"#.utf8)
                writeInteger(Int64(reason.points), into: &bytes)
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(contentsOf: "]}".utf8)
        }
        bytes.append(contentsOf: #"],"score":"#.utf8)
        writeInteger(Int64(report.score), into: &bytes)
        bytes.append(contentsOf: #","userID":"#.utf8)
        writeInteger(report.userID.rawValue, into: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    static func writeInteger(_ value: Int64, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A JSON string as `JSONEncoder` writes one: `"` and `\` escaped, `/` as `\/`, the control
    /// characters with a short escape where JSON has one and as `\u00xx` otherwise; everything
    /// else as its UTF-8 bytes.
    static func writeString(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "/"): bytes.append(contentsOf: #"\/"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
