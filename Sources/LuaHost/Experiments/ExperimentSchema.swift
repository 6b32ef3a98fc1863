import Core
import Experiments
import Social

/// An experiment declaration that passed validation, with its targeting function (if any) in
/// one Lua state.
struct ValidatedExperiment {
    var spec: ExperimentSpec
    var targeting: LuaFunction?
    /// The targeting function's source text (see ``ExperimentSet/targetingTexts``).
    var targetingText: String?
    var tests: [ExperimentTestCase]
    /// The `segments` functions, in the spec's segment order.
    var segments: [LuaFunction] = []
}

/// One case from an experiment's `tests`: whether a user is targeted, or which variant a user
/// id lands in ("none" when outside the experiment).
public struct ExperimentTestCase: Sendable, Hashable {
    public var experimentID: String
    public var location: SourceLocation
    public var user: UserProfile
    public var expectTargeted: Bool?
    public var expectVariant: String?
    /// Expected segment values, by segment name, as the report shows them ("true", "Hangzhou").
    public var expectSegments: [String: String] = [:]
}

/// The schema of `quanzi.experiment{...}`.
enum ExperimentSchema {
    static let fields = [
        "id", "title", "seed", "layer", "traffic", "ramp", "min_exposed_per_variant", "variants", "targeting", "status", "start", "metrics",
        "sequential", "alpha", "correction", "preperiod_days", "phase", "tests", "segments", "prior",
    ]
    /// Phases a file may declare: from 1 (the default) to a bound no real experiment reaches.
    static let phaseRange: ClosedRange<Int64> = 1...1_000_000
    static let rampStepFields = ["traffic", "hold_hours"]
    /// A step's hold: at least a second, at most a year.
    static let holdHoursRange = (1.0 / 3_600)...8_760
    /// Exposed users per variant a ramp step waits for: at least one, at most ten million.
    static let minExposedPerVariantRange: ClosedRange<Int64> = 1...10_000_000
    static let variantFields = ["name", "weight", "params"]
    static let metricsFields = ["primary", "secondary", "guardrails"]
    static let guardrailFields = ["metric", "max_relative_increase", "max_relative_decrease"]
    static let testFields = ["name", "user", "targeted", "variant", "segments"]
    /// GrowthBook falls back to equal weights outside [0.99, 1.01]; we refuse instead.
    static let weightSumTolerance = 0.001

    static func validate(_ declaration: Declaration, source: PluginSource) -> (ValidatedExperiment?, [PluginProblem]) {
        var reader = SchemaReader(source: source, declarationLine: declaration.location.line)
        guard let table = declaration.value.tableValue else {
            reader.report([], "quanzi.experiment expects a table")
            return (nil, reader.problems)
        }
        reader.rejectUnknownFields(table, at: [], known: fields)
        let id = reader.string(table, "id", at: [], required: true)
        if let id, !CircleID.isWellFormed(id) {
            reader.report([.key("id")], "field 'id' must be 1–64 lowercase letters, digits or dashes, got '\(id)'")
        }
        let title = reader.string(table, "title", at: [], required: false)
        let seed = reader.string(table, "seed", at: [], required: false)
        let ramp = readRamp(table, &reader)
        let traffic: Double?
        if let ramp {
            // With a ramp the first step's share is served first; a second source of truth would disagree.
            if let value = table["traffic"], value != .null {
                reader.report([.key("traffic")], "give either 'traffic' or 'ramp', not both (with a ramp, the first step's traffic is served first)")
            }
            traffic = ramp.first?.traffic
        } else {
            traffic = reader.number(table, "traffic", at: [], in: 0...1)
            if table["traffic"] == nil { reader.report([], "missing required field 'traffic' (a share of users in [0, 1]) or 'ramp'") }
        }
        let minExposed = reader.integer(table, "min_exposed_per_variant", at: [], in: minExposedPerVariantRange)
        let layer = readLayer(table, &reader)
        let variants = readVariants(table, &reader)
        var targeting: LuaFunction?
        if let value = table["targeting"], value != .null {
            if case .function(let function) = value { targeting = function } else {
                reader.report([.key("targeting")], "field 'targeting' must be a function(user) returning true or false, got \(value.typeName)")
            }
        }
        var status = ExperimentStatus.running
        if let text = reader.string(table, "status", at: [], required: false) {
            // `shipped` is a decision recorded at run time (`quanzi ab ship`), with its variant; a
            // file cannot declare it.
            let declarable = ExperimentStatus.allCases.filter { $0 != .shipped }
            if let parsed = ExperimentStatus(rawValue: text), parsed != .shipped { status = parsed } else {
                let hint = text == ExperimentStatus.shipped.rawValue ? "status 'shipped' is set by `quanzi ab ship EXP VARIANT`, not in the file" : "unknown status '\(text)'"
                reader.report([.key("status")], "\(hint) (known: \(declarable.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let start = readStart(table, &reader)
        let (primary, secondary, guardrails) = readMetrics(table, &reader)
        let sequential = reader.boolean(table, "sequential", at: [], required: false) ?? false
        let alpha = reader.number(table, "alpha", at: [], in: 0.0001...0.5) ?? 0.05
        var correction = CorrectionMethod.holm
        if let text = reader.string(table, "correction", at: [], required: false) {
            if let parsed = CorrectionMethod(rawValue: text) { correction = parsed } else {
                reader.report([.key("correction")], "unknown correction '\(text)' (known: \(CorrectionMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let preperiodDays = reader.integer(table, "preperiod_days", at: [], in: 0...90) ?? 0
        let phase = reader.integer(table, "phase", at: [], in: phaseRange) ?? 1
        let tests = readTests(table, experimentID: id ?? "", &reader)
        let segments = readSegments(table, &reader)
        var prior = GaussianPrior.flat
        if let priorTable = reader.table(table, "prior", at: [], required: false) {
            reader.rejectUnknownFields(priorTable, at: [.key("prior")], known: ["mean", "stddev"])
            let mean = reader.number(priorTable, "mean", at: [.key("prior")], in: -10...10) ?? 0
            if let deviation = reader.number(priorTable, "stddev", at: [.key("prior")], in: 0.001...10) {
                prior = GaussianPrior(mean: mean, variance: deviation * deviation, proper: true)
            } else if priorTable["stddev"] == nil {
                reader.report([.key("prior")], "prior needs 'stddev' (of the relative lift, e.g. 0.3) and optionally 'mean' (0 by default)")
            }
        }

        guard reader.problems.isEmpty, let id, let traffic, let primary else { return (nil, reader.problems) }
        let spec = ExperimentSpec(
            id: id, title: title, seed: seed, layer: layer, traffic: traffic, variants: variants, status: status,
            startAtEpochSeconds: start, primaryMetric: primary, secondaryMetrics: secondary, guardrails: guardrails,
            sequential: sequential, alpha: alpha, correction: correction, hasTargeting: targeting != nil,
            preperiodDays: Int(preperiodDays), ramp: ramp ?? [],
            minExposedPerVariant: minExposed.map { Int($0) } ?? ExperimentSpec.minExposedPerVariantDefault, phase: Int(phase), file: source.path,
            line: declaration.location.line)
        var validated = ValidatedExperiment(spec: spec, targeting: targeting, targetingText: targeting?.lines.map(source.text(ofLines:)), tests: tests)
        validated.spec.segments = segments.map { ExperimentSpec.Segment(name: $0.name, line: $0.line) }
        validated.spec.prior = prior
        validated.segments = segments.map(\.function)
        return (validated, [])
    }

    /// `segments = { city = function(user) return user.city end, ... }`: named functions of the
    /// user, sorted by name so the report's order does not depend on Lua's table order.
    private static func readSegments(_ table: LuaTable, _ reader: inout SchemaReader) -> [(name: String, line: Int, function: LuaFunction)] {
        guard let segments = reader.table(table, "segments", at: [], required: false) else { return [] }
        var found: [(name: String, line: Int, function: LuaFunction)] = []
        for entry in segments.entries {
            guard let name = entry.key.stringValue else {
                reader.report([.key("segments")], "segments are named: segments = { city = function(user) return user.city end }, got a \(entry.key.typeName) key")
                continue
            }
            let path: SchemaReader.Path = [.key("segments"), .key(name)]
            guard MetricsSchema.isIdentifier(name) else {
                reader.report(path, "segment name '\(name)' must be lowercase letters, digits and underscores")
                continue
            }
            guard case .function(let function) = entry.value else {
                reader.report(path, "segment '\(name)' must be a function(user) returning a string, number, boolean or nil, got \(entry.value.typeName)")
                continue
            }
            found.append((name, function.location?.line ?? reader.location(path).line, function))
        }
        if found.count > ExperimentSpec.segmentsMax {
            reader.report([.key("segments")], "at most \(ExperimentSpec.segmentsMax) segments, got \(found.count): each one multiplies the comparisons to correct for")
        }
        return found.sorted { $0.name < $1.name }
    }

    /// `ramp = { { traffic = 0.01, hold_hours = 2 }, ..., { traffic = 0.5 } }`: nil when absent,
    /// the steps read so far when present (problems are reported on the offending entry).
    private static func readRamp(_ table: LuaTable, _ reader: inout SchemaReader) -> [RampStep]? {
        guard let value = table["ramp"], value != .null else { return nil }
        let path: SchemaReader.Path = [.key("ramp")]
        let shape = "a list of steps { traffic = ..., hold_hours = ... }"
        guard let list = value.tableValue else {
            reader.report(path, "field 'ramp' must be \(shape), got \(value.typeName)")
            return []
        }
        guard list.isSequence else {
            reader.report(path, "field 'ramp' must be \(shape), got a table with named fields")
            return []
        }
        let items = list.sequence
        guard !items.isEmpty else {
            reader.report(path, "field 'ramp' must list at least one step")
            return []
        }
        var steps: [RampStep] = []
        var previous: (index: Int, traffic: Double)?
        for (offset, item) in items.enumerated() {
            let index = offset + 1
            let stepPath = path + [.index(index)]
            let isLast = index == items.count
            guard let step = item.tableValue else {
                reader.report(stepPath, "ramp[\(index)] must be a step { traffic = ..., hold_hours = ... }, got \(item.typeName)")
                continue
            }
            reader.rejectUnknownFields(step, at: stepPath, known: rampStepFields)
            let traffic = readStepTraffic(step, at: stepPath, index: index, &reader)
            if let traffic, let before = previous, traffic <= before.traffic {
                reader.report(stepPath + [.key("traffic")],
                              "field 'ramp[\(index)].traffic' must be above ramp[\(before.index)]'s \(SchemaReader.format(before.traffic)) "
                                  + "(a ramp only grows), got \(SchemaReader.format(traffic))")
            }
            if let traffic { previous = (index, traffic) }
            switch (traffic, readStepHold(step, at: stepPath, index: index, isLast: isLast, &reader)) {
            case (let traffic?, .seconds(let seconds)): steps.append(RampStep(traffic: traffic, holdSeconds: seconds))
            case (let traffic?, .untilDecided): steps.append(RampStep(traffic: traffic, holdSeconds: nil))
            default: break
            }
        }
        return steps
    }

    /// A step's share of eligible users, in (0, 1].
    private static func readStepTraffic(_ step: LuaTable, at path: SchemaReader.Path, index: Int, _ reader: inout SchemaReader) -> Double? {
        let field = "ramp[\(index)].traffic"
        guard let value = step["traffic"], value != .null else {
            reader.report(path, "missing required field '\(field)' (a share of users above 0 and at most 1)")
            return nil
        }
        guard let traffic = value.numberValue else {
            reader.report(path + [.key("traffic")], "field '\(field)' must be a number, got \(value.typeName)")
            return nil
        }
        guard traffic.isFinite, traffic > 0, traffic <= 1 else {
            reader.report(path + [.key("traffic")], "field '\(field)' must be above 0 and at most 1, got \(SchemaReader.format(traffic))")
            return nil
        }
        return traffic
    }

    private enum StepHold {
        case seconds(Int64)
        /// The last step without `hold_hours`: it holds until someone decides.
        case untilDecided
        /// A problem was reported.
        case invalid
    }

    /// A step's hold in seconds (hours may be fractional; rounded to the second). Every step but
    /// the last needs one; the last may omit it.
    private static func readStepHold(
        _ step: LuaTable, at path: SchemaReader.Path, index: Int, isLast: Bool, _ reader: inout SchemaReader
    ) -> StepHold {
        let field = "ramp[\(index)].hold_hours"
        guard let value = step["hold_hours"], value != .null else {
            if isLast { return .untilDecided }
            reader.report(path, "missing required field '\(field)': every step but the last holds a while before the next")
            return .invalid
        }
        guard let hours = value.numberValue else {
            reader.report(path + [.key("hold_hours")], "field '\(field)' must be a number of hours, got \(value.typeName)")
            return .invalid
        }
        guard hours.isFinite, holdHoursRange.contains(hours) else {
            reader.report(path + [.key("hold_hours")],
                          "field '\(field)' must be a positive number of hours (at least one second, at most 8760), got \(SchemaReader.format(hours))")
            return .invalid
        }
        return .seconds(Int64((hours * 3_600).rounded()))
    }

    private static func readLayer(_ table: LuaTable, _ reader: inout SchemaReader) -> ExperimentDefinition.LayerSlice? {
        guard let value = table["layer"], value != .null else { return nil }
        if let name = value.stringValue { return ExperimentDefinition.LayerSlice(name: name, range: BucketRange(start: 0, end: 1)) }
        guard let layer = value.tableValue else {
            reader.report([.key("layer")], "field 'layer' must be a name or { name = ..., range = { start, end } }, got \(value.typeName)")
            return nil
        }
        reader.rejectUnknownFields(layer, at: [.key("layer")], known: ["name", "range"])
        guard let name = reader.string(layer, "name", at: [.key("layer")], required: true) else { return nil }
        guard let range = layer["range"]?.tableValue else { return ExperimentDefinition.LayerSlice(name: name, range: BucketRange(start: 0, end: 1)) }
        let bounds = range.sequence.compactMap(\.numberValue)
        guard bounds.count == 2, range.entries.count == 2, bounds[0] >= 0, bounds[1] <= 1, bounds[0] < bounds[1] else {
            reader.report([.key("layer"), .key("range")], "field 'layer.range' must be { start, end } with 0 ≤ start < end ≤ 1")
            return nil
        }
        return ExperimentDefinition.LayerSlice(name: name, range: BucketRange(start: bounds[0], end: bounds[1]))
    }

    private static func readVariants(_ table: LuaTable, _ reader: inout SchemaReader) -> [ExperimentSpec.Variant] {
        guard let list = reader.table(table, "variants", at: [], required: true) else { return [] }
        let items = list.sequence
        guard items.count >= 2, list.isSequence else {
            reader.report([.key("variants")], "field 'variants' must list at least two variants (the first is the control)")
            return []
        }
        var variants: [ExperimentSpec.Variant] = []
        for (offset, item) in items.enumerated() {
            let path: SchemaReader.Path = [.key("variants"), .index(offset + 1)]
            guard let variant = item.tableValue else {
                reader.report(path, "variants[\(offset + 1)] must be a table, got \(item.typeName)")
                continue
            }
            reader.rejectUnknownFields(variant, at: path, known: variantFields)
            let name = reader.string(variant, "name", at: path, required: true)
            let weight = reader.number(variant, "weight", at: path, in: 0...1)
            if variant["weight"] == nil { reader.report(path, "missing required field 'variants[\(offset + 1)].weight' (a share in [0, 1])") }
            var parameters: [String: ParameterValue] = [:]
            if let params = reader.table(variant, "params", at: path, required: false) {
                for (key, value) in params.fields {
                    switch value {
                    case .boolean(let flag): parameters[key] = .boolean(flag)
                    case .integer(let number): parameters[key] = .integer(number)
                    case .number(let number) where number.isFinite: parameters[key] = .number(number)
                    case .number:
                        // 1/0 or 0/0 in Lua: no JSON number can carry it to an app (GET /v1/me/experiments).
                        reader.report(path + [.key("params"), .key(key)], "parameter '\(key)' must be a finite number")
                    case .string(let text): parameters[key] = .string(text)
                    default:
                        reader.report(path + [.key("params"), .key(key)], "parameter '\(key)' must be a boolean, number or string, got \(value.typeName)")
                    }
                }
            }
            if let name, let weight { variants.append(ExperimentSpec.Variant(name: name, weight: weight, parameters: parameters)) }
        }
        let names = variants.map(\.name)
        if Set(names).count != names.count { reader.report([.key("variants")], "variant names must be unique, got \(names.joined(separator: ", "))") }
        let total = variants.map(\.weight).reduce(0, +)
        if variants.count == items.count, abs(total - 1) > weightSumTolerance {
            reader.report([.key("variants")], "variant weights must sum to 1, got \(SchemaReader.format(total))")
        }
        let keySets = Set(variants.map { Set($0.parameters.keys) })
        if keySets.count > 1 {
            reader.report([.key("variants")], "every variant must set the same params (a missing one silently falls back to the plugin's default)")
        }
        return variants
    }

    private static func readStart(_ table: LuaTable, _ reader: inout SchemaReader) -> Int64? {
        guard let value = table["start"], value != .null else { return nil }
        if let seconds = value.integerValue, seconds >= 0 { return seconds }
        if let text = value.stringValue, let seconds = Self.epochSeconds(ofDate: text) { return seconds }
        reader.report([.key("start")], "field 'start' must be a date \"YYYY-MM-DD\" (UTC) or epoch seconds")
        return nil
    }

    private static func readMetrics(_ table: LuaTable, _ reader: inout SchemaReader) -> (String?, [String], [Guardrail]) {
        guard let metrics = reader.table(table, "metrics", at: [], required: true) else { return (nil, [], []) }
        let path: SchemaReader.Path = [.key("metrics")]
        reader.rejectUnknownFields(metrics, at: path, known: metricsFields)
        let primary = reader.string(metrics, "primary", at: path, required: true)
        var secondary: [String] = []
        if let list = reader.table(metrics, "secondary", at: path, required: false) {
            for (offset, item) in list.sequence.enumerated() {
                guard let name = item.stringValue else {
                    reader.report(path + [.key("secondary"), .index(offset + 1)], "metrics.secondary[\(offset + 1)] must be a metric id")
                    continue
                }
                secondary.append(name)
            }
        }
        var guardrails: [Guardrail] = []
        if let list = reader.table(metrics, "guardrails", at: path, required: false) {
            for (offset, item) in list.sequence.enumerated() {
                let itemPath = path + [.key("guardrails"), .index(offset + 1)]
                guard let guardrail = item.tableValue else {
                    reader.report(itemPath, "metrics.guardrails[\(offset + 1)] must be a table")
                    continue
                }
                reader.rejectUnknownFields(guardrail, at: itemPath, known: guardrailFields)
                guard let metric = reader.string(guardrail, "metric", at: itemPath, required: true) else { continue }
                let increase = reader.number(guardrail, "max_relative_increase", at: itemPath, in: 0...10)
                let decrease = reader.number(guardrail, "max_relative_decrease", at: itemPath, in: 0...1)
                switch (increase, decrease) {
                case (let limit?, nil): guardrails.append(Guardrail(metric: metric, maxRelativeChange: limit, harmfulDirection: .increase))
                case (nil, let limit?): guardrails.append(Guardrail(metric: metric, maxRelativeChange: limit, harmfulDirection: .decrease))
                default:
                    reader.report(itemPath, "a guardrail needs exactly one of max_relative_increase or max_relative_decrease")
                }
            }
        }
        return (primary, secondary, guardrails)
    }

    private static func readTests(_ table: LuaTable, experimentID: String, _ reader: inout SchemaReader) -> [ExperimentTestCase] {
        guard let tests = reader.table(table, "tests", at: [], required: false) else { return [] }
        var cases: [ExperimentTestCase] = []
        for (offset, item) in tests.sequence.enumerated() {
            let path: SchemaReader.Path = [.key("tests"), .index(offset + 1)]
            guard let test = item.tableValue else {
                reader.report(path, "tests[\(offset + 1)] must be a table")
                continue
            }
            reader.rejectUnknownFields(test, at: path, known: testFields)
            let targeted = reader.boolean(test, "targeted", at: path, required: false)
            let variant = reader.string(test, "variant", at: path, required: false)
            var segments: [String: String] = [:]
            if let expected = reader.table(test, "segments", at: path, required: false) {
                for entry in expected.entries {
                    guard let name = entry.key.stringValue, LuaState.isSegmentValue(entry.value), let text = LuaState.segmentText(entry.value) else {
                        reader.report(path + [.key("segments")], "segments expects { name = value } with a string, number or boolean value per segment")
                        continue
                    }
                    segments[name] = text
                }
            }
            if targeted == nil && variant == nil && segments.isEmpty {
                reader.report(path, "an experiment test expects 'targeted', 'variant' or 'segments'")
            }
            guard let userTable = reader.table(test, "user", at: path, required: true) else { continue }
            let (user, _) = RuleTestSchema.readUser(userTable, at: path + [.key("user")], defaultID: RuleTestSchema.defaultUserID, &reader)
            if let user {
                cases.append(ExperimentTestCase(experimentID: experimentID, location: reader.location(path), user: user,
                                                expectTargeted: targeted, expectVariant: variant, expectSegments: segments))
            }
        }
        return cases
    }

    /// "2026-11-01" → epoch seconds at UTC midnight.
    static func epochSeconds(ofDate text: String) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int64($0) }
        guard parts.count == 3, text.count == 10, (1970...2100).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            return nil
        }
        // Days from civil (Howard Hinnant).
        let year = parts[1] <= 2 ? parts[0] - 1 : parts[0]
        let era = year / 400
        let yearOfEra = year - era * 400
        let monthIndex = parts[1] > 2 ? parts[1] - 3 : parts[1] + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + parts[2] - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400
    }
}
