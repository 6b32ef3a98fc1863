import Experiments

/// The schema of `quanzi.metrics { {id = ..., kind = "mean", event = ...}, ... }`.
enum MetricsSchema {
    static let fields = [
        "id", "kind", "event", "value", "numerator", "numerator_value", "denominator", "denominator_value", "attribute_to",
        "higher_is_better", "description", "cap", "quantile", "per", "ignore_zeros",
    ]
    static let kinds = ["mean", "proportion", "ratio", "quantile"]
    static let capFields = ["percentile", "ignore_zeros", "value", "value_fen"]
    /// A fixed cap's bound: any real per-user total is far below it; above, doubles lose whole fen.
    static let capValueRange: ClosedRange<Double> = 1...1e15

    static func validate(_ declaration: Declaration, source: PluginSource) -> ([MetricDefinition], [PluginProblem]) {
        var reader = SchemaReader(source: source, declarationLine: declaration.location.line)
        guard let table = declaration.value.tableValue, table.isSequence, !table.entries.isEmpty else {
            reader.report([], "quanzi.metrics expects a list of metric tables")
            return ([], reader.problems)
        }
        var metrics: [MetricDefinition] = []
        for (offset, item) in table.sequence.enumerated() {
            let path: SchemaReader.Path = [.index(offset + 1)]
            guard let metric = item.tableValue else {
                reader.report(path, "metric \(offset + 1) must be a table, got \(item.typeName)")
                continue
            }
            if let definition = readMetric(metric, at: path, &reader) { metrics.append(definition) }
        }
        return (metrics, reader.problems)
    }

    private static func readMetric(_ table: LuaTable, at path: SchemaReader.Path, _ reader: inout SchemaReader) -> MetricDefinition? {
        let before = reader.problems.count
        reader.rejectUnknownFields(table, at: path, known: fields)
        let id = reader.string(table, "id", at: path, required: true)
        if let id, !isIdentifier(id) { reader.report(path + [.key("id")], "metric id '\(id)' must be lowercase letters, digits and underscores") }
        let kindText = reader.string(table, "kind", at: path, required: true)
        if let kindText, !kinds.contains(kindText) {
            reader.report(path + [.key("kind")], "unknown metric kind '\(kindText)' (known: \(kinds.joined(separator: ", ")))")
        }
        let attributionText = reader.string(table, "attribute_to", at: path, required: false) ?? "actor"
        let attribution = MetricDefinition.Attribution(rawValue: attributionText)
        if attribution == nil {
            reader.report(path + [.key("attribute_to")], "attribute_to must be 'actor' or 'target', got '\(attributionText)'")
        }
        let higherIsBetter = reader.boolean(table, "higher_is_better", at: path, required: false) ?? true
        let description = reader.string(table, "description", at: path, required: false)
        func measure(_ eventKey: String, _ valueKey: String) -> MetricDefinition.EventMeasure? {
            guard let event = reader.string(table, eventKey, at: path, required: true) else { return nil }
            let value = reader.string(table, valueKey, at: path, required: false)
            if let value, !MetricDefinition.valueFields.contains(value) {
                reader.report(path + [.key(valueKey)], "field '\(valueKey)' must name an event column (known: \(MetricDefinition.valueFields.joined(separator: ", "))), got '\(value)'")
            }
            return MetricDefinition.EventMeasure(event: event, valueField: value)
        }
        var kind: MetricDefinition.Kind?
        switch kindText {
        case "mean": kind = measure("event", "value").map { .mean($0) }
        case "proportion": kind = measure("event", "value").map { .proportion($0) }
        case "ratio":
            if let numerator = measure("numerator", "numerator_value"), let denominator = measure("denominator", "denominator_value") {
                kind = .ratio(numerator: numerator, denominator: denominator)
            }
        case "quantile":
            if let measure = measure("event", "value"), let quantile = readQuantile(table, measure: measure, at: path, &reader) {
                kind = .quantile(measure, quantile)
            }
        default: break
        }
        if kindText != "quantile" {
            for key in ["quantile", "per", "ignore_zeros"] where table[key] != nil && table[key] != .null {
                reader.report(path + [.key(key)], "field '\(key)' belongs to kind = \"quantile\" metrics")
            }
        }
        let cap = readCap(table, kind: kind, at: path, &reader)
        guard reader.problems.count == before, let id, let kind, let attribution else { return nil }
        return MetricDefinition(id: id, kind: kind, attribution: attribution, higherIsBetter: higherIsBetter, description: description, cap: cap)
    }

    /// `quantile = 0.9, per = "event" | "user"`, optionally `ignore_zeros = true`.
    private static func readQuantile(
        _ table: LuaTable, measure: MetricDefinition.EventMeasure, at path: SchemaReader.Path, _ reader: inout SchemaReader
    ) -> MetricDefinition.Quantile? {
        guard let value = table["quantile"], value != .null else {
            reader.report(path, "missing required field 'quantile' (a level strictly between 0 and 1, e.g. 0.9 for the 90th percentile)")
            return nil
        }
        guard let level = value.numberValue, level.isFinite, level > 0, level < 1 else {
            reader.report(path + [.key("quantile")],
                          "field 'quantile' must be strictly between 0 and 1 (0.9 is the 90th percentile), got \(value.numberValue.map(SchemaReader.format) ?? value.typeName)")
            return nil
        }
        let per = reader.string(table, "per", at: path, required: true)
        guard let per else { return nil }
        guard per == "event" || per == "user" else {
            reader.report(path + [.key("per")], "field 'per' must be 'event' (each event's value) or 'user' (each user's total), got '\(per)'")
            return nil
        }
        // GrowthBook's quantile interval assumes continuous values. Counts tie everywhere: a p90
        // of posts viewed per user flagged 32% of A/A splits in `ab calibrate` (1,000 users).
        if measure.valueField == nil {
            reader.report(path, per == "event"
                ? "a per-event quantile needs 'value' (the event column whose quantile is taken): every event counts 1 otherwise"
                : "a quantile needs 'value' (an amount such as amount_fen): a quantile of counts ties at every whole number, and its interval "
                    + "assumes continuous values (a p90 of views per user flagged 32% of A/A splits); use kind = \"mean\" for counts")
            return nil
        }
        let ignoreZeros = reader.boolean(table, "ignore_zeros", at: path, required: false) ?? false
        return MetricDefinition.Quantile(level: level, perEvent: per == "event", ignoreZeros: ignoreZeros)
    }

    /// `cap = { percentile = 0.99 [, ignore_zeros = true] }`, `{ value_fen = 20000 }` for a sum of
    /// fen, or `{ value = 50 }` for a count; a mean's value or a ratio's numerator is capped.
    private static func readCap(
        _ table: LuaTable, kind: MetricDefinition.Kind?, at path: SchemaReader.Path, _ reader: inout SchemaReader
    ) -> MetricDefinition.Cap? {
        guard let capTable = reader.table(table, "cap", at: path, required: false) else { return nil }
        let capPath = path + [.key("cap")]
        reader.rejectUnknownFields(capTable, at: capPath, known: capFields)
        let measure: MetricDefinition.EventMeasure?
        switch kind {
        case .mean(let value): measure = value
        case .ratio(let numerator, _): measure = numerator
        case .proportion:
            reader.report(capPath, "a proportion cannot be capped: each user counts 0 or 1 already")
            return nil
        case .quantile:
            reader.report(capPath, "a quantile cannot be capped: heavy values move a quantile only by their rank")
            return nil
        case nil: return nil
        }
        let given = capFields.filter { $0 != "ignore_zeros" && capTable[$0] != nil && capTable[$0] != .null }
        guard given.count == 1 else {
            reader.report(capPath, given.isEmpty
                ? "cap needs one of 'percentile' (strictly between 0 and 1), 'value_fen' or 'value'"
                : "cap takes one of \(given.map { "'\($0)'" }.joined(separator: ", ")), not several")
            return nil
        }
        let sumsFen = measure?.valueField == "amount_fen"
        switch given[0] {
        case "percentile":
            guard let value = capTable["percentile"], let level = value.numberValue, level.isFinite, level > 0, level < 1 else {
                reader.report(capPath + [.key("percentile")],
                              "cap percentile must be strictly between 0 and 1 (0.99 caps at the 99th percentile), got \(capTable["percentile"]?.numberValue.map(SchemaReader.format) ?? capTable["percentile"]?.typeName ?? "nil")")
                return nil
            }
            let ignoreZeros = reader.boolean(capTable, "ignore_zeros", at: capPath, required: false) ?? false
            return .percentile(level: level, ignoreZeros: ignoreZeros)
        case "value_fen":
            guard sumsFen else {
                reader.report(capPath + [.key("value_fen")], "cap 'value_fen' is for metrics that sum amount_fen; this one counts events: use 'value'")
                return nil
            }
            return reader.integer(capTable, "value_fen", at: capPath, in: 1...1_000_000_000_000_000).map { .value(Double($0)) }
        default:
            guard !sumsFen else {
                reader.report(capPath + [.key("value")], "this metric sums amount_fen: give the cap as 'value_fen'")
                return nil
            }
            return reader.number(capTable, "value", at: capPath, in: capValueRange).map { .value($0) }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}
