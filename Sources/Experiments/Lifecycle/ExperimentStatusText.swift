import Foundation

/// How `quanzi ab list` and the REPL's `:experiments` describe an experiment where the service
/// has it: status, traffic served now, ramp step, exposed users per variant, the last change (who,
/// when, why) and the watcher's next check. Pure: the caller reads the service.
public enum ExperimentStatusText {
    /// One headline line, then an indented line for the last change and one for the next check
    /// when there are any.
    public static func lines(
        _ spec: ExperimentSpec, lifecycle: ExperimentLifecycle, traffic: Double, exposedPerVariant: [String: Int], lastChange: ExperimentChange?,
        nextCheckAtEpochSeconds: Int64?, showSource: Bool = true
    ) -> [String] {
        var headline = "\(spec.id)  \(lifecycle.status.rawValue)"
        if lifecycle.status == .shipped, let variant = lifecycle.shippedVariant { headline += " '\(variant)'" }
        headline += "  traffic \(percent(traffic))"
        if !spec.ramp.isEmpty {
            let step = min(max(0, lifecycle.step), spec.ramp.count - 1)
            headline += " (step \(step + 1)/\(spec.ramp.count): \(spec.ramp.map { percent($0.traffic) }.joined(separator: " → ")))"
        }
        if let layer = spec.layer { headline += "  layer \(layer.name) [\(layer.range.start), \(layer.range.end))" }
        let exposed = spec.variants.map { "\($0.name) \(exposedPerVariant[$0.name] ?? 0)" }.joined(separator: ", ")
        headline += "  exposed \(exposedPerVariant.values.reduce(0, +)) (\(exposed))"
        if showSource { headline += "  (\(spec.file):\(spec.line))" }
        var lines = [headline]
        if let change = lastChange { lines.append("  last change: \(describe(change))") }
        if lifecycle.status == .running, let next = nextCheckAtEpochSeconds { lines.append("  next check: \(timestamp(next))") }
        return lines
    }

    /// "shipped 'treatment' by cli at 2026-01-01T00:00:00Z (revision 2): the reason".
    public static func describe(_ change: ExperimentChange) -> String {
        let what: String =
            switch change.kind {
            case .started: "started at \(percent(change.traffic))"
            case .advanced: "advanced to step \(change.step + 1) (\(percent(change.traffic)))"
            case .stopped: "stopped"
            case .shipped: "shipped '\(change.variant ?? "?")'"
            case .held: "held the ramp at step \(change.step + 1) (\(percent(change.traffic)))"
            case .released: "released the hold at step \(change.step + 1)"
            }
        return "\(what) by \(change.actor) at \(timestamp(change.atEpochSeconds)) (revision \(change.revision)): \(change.reason)"
    }

    /// A share as people write it: 1%, 0.5%, 12.5%.
    public static func percent(_ share: Double) -> String {
        let hundredths = (share * 10_000).rounded()
        let whole = Int64(hundredths) / 100
        let fraction = Int64(hundredths) % 100
        if fraction == 0 { return "\(whole)%" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// Epoch seconds as UTC, to the second: 2026-01-01T00:00:00Z.
    public static func timestamp(_ epochSeconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }
}
