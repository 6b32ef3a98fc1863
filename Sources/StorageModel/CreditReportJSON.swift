import Credit
import Dispatch
import Foundation
import Synchronization

/// The stored form of credit reports (`credit_scores.report` on both backends): JSON with sorted
/// keys. A recompute stores every user's report, and Foundation's encoder took a twentieth of a
/// 64,000-user simulation, on one core while the other idled; the reports are encoded in chunks
/// on every core, each chunk with its own encoder, and come back in the order given.
public enum CreditReportJSON {
    /// Reports one chunk encodes: enough to keep a core busy, few enough to share two cores evenly.
    static let chunkSize = 2_048

    public static func encode(_ reports: [CreditReport]) throws -> [String] {
        let chunks = (reports.count + chunkSize - 1) / chunkSize
        var encoded = [String](repeating: "", count: reports.count)
        let failure = Mutex<(any Error)?>(nil)
        encoded.withUnsafeMutableBufferPointer { output in
            // Each chunk writes its own disjoint range of `output`.
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                let range = chunk * chunkSize..<min(reports.count, (chunk + 1) * chunkSize)
                do {
                    for index in range { output[index] = String(decoding: try encoder.encode(reports[index]), as: UTF8.self) }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return encoded
    }
}
