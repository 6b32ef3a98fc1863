import Experiments
import Foundation
import SQLiteStorage

/// One backend's analysis, measured in a process of its own so that its peak memory is its own
/// (not the loader's), and printed as one JSON line for the parent.
struct AnalysisRun: Codable {
    var backend: String
    var readSeconds: Double
    var statisticsSeconds: Double
    var peakResidentMiB: Double
    var eventsRead: Int
    /// Every variant's sums, exactly: equal strings mean equal observations.
    var fingerprint: String
    var summary: String

    static func measure(backend: String, _ read: () throws -> MetricObservations) throws -> AnalysisRun {
        let clock = ContinuousClock()
        var observations: MetricObservations?
        let readTime = try clock.measure { observations = try read() }
        guard let observations else { fatalError("no observations") }
        var report: ExperimentReport?
        let statisticsTime = clock.measure {
            report = ExperimentAnalyzer.analyze(.init(
                spec: BenchWorld.spec, metrics: BenchWorld.metrics, variants: observations.variants, timeline: observations.timeline,
                status: .running, analyzedAtEpochSeconds: BenchWorld.startEpochSeconds + 14 * 86_400))
        }
        let fingerprint = observations.variants.map { variant in
            "\(variant.name) \(variant.users): "
                + variant.metrics.sorted { $0.key < $1.key }.map { id, sums in
                    "\(id) \(sums.usersWithEvents) \(sums.sumValue) \(sums.sumValueSquares) \(sums.sumCompanion) \(sums.sumCompanionSquares) \(sums.sumProducts)"
                }.joined(separator: "; ")
        }.joined(separator: " | ")
        return AnalysisRun(
            backend: backend, readSeconds: seconds(readTime), statisticsSeconds: seconds(statisticsTime), peakResidentMiB: residentPeakMiB(),
            eventsRead: observations.eventsRead, fingerprint: fingerprint, summary: report?.summary ?? "")
    }

    /// Runs this executable again with `arguments` and decodes the run it prints.
    static func inChildProcess(_ arguments: [String]) throws -> AnalysisRun {
        let process = Process()
        process.executableURL = Bundle.main.executableURL
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "analysis \(arguments) exited with \(process.terminationStatus)"])
        }
        return try JSONDecoder().decode(AnalysisRun.self, from: data)
    }

    func printed() throws {
        FileHandle.standardOutput.write(try JSONEncoder().encode(self))
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func residentPeakMiB() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}
