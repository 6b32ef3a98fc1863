import Experiments

/// The schema of `quanzi.metrics { {id = ..., kind = "mean", event = ...}, ... }`.
enum MetricsSchema {
    static let fields = [
        "id", "kind", "event", "value", "numerator", "numerator_value", "denominator", "denominator_value", "attribute_to",
        "higher_is_better", "description",
    ]
    static let kinds = ["mean", "proportion", "ratio"]

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
        default: break
        }
        guard reader.problems.count == before, let id, let kind, let attribution else { return nil }
        return MetricDefinition(id: id, kind: kind, attribution: attribution, higherIsBetter: higherIsBetter, description: description)
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}
