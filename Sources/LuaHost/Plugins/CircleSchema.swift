import Core
import Social

/// A circle declaration that passed validation, with its rule functions in one Lua state.
struct ValidatedCircle {
    var definition: CircleDefinition
    var rules: [CircleAction: LuaFunction]
    /// Each rule function's source text (see ``PluginSet/ruleTexts``).
    var ruleTexts: [CircleAction: String]
    var tests: [RuleTestCase]
}

/// The schema of `quanzi.circle{...}`.
enum CircleSchema {
    static let topLevelFields = ["id", "title", "description", "audience", "rules", "moderation", "ranking", "tests"]
    static let moderationFields = ["keywords", "report_threshold"]
    static let rankingFields = [
        "half_life_hours", "w_engagement", "w_tips", "w_credit", "w_affinity", "report_penalty", "seen_penalty",
        "show_less_penalty", "show_less_kind_penalty", "max_per_author", "experiments",
    ]
    /// Ranking weights multiply features in [0, ~10]; anything larger is a typo. Never negative:
    /// penalties have their own fields, which lets the ranker stop scanning early.
    static let weightRange: ClosedRange<Double> = 0...100
    static let keywordsMax = 10_000
    static let testsMax = 1_000

    static func validate(_ declaration: Declaration, source: PluginSource) -> (ValidatedCircle?, [PluginProblem]) {
        var reader = SchemaReader(source: source, declarationLine: declaration.location.line)
        guard let table = declaration.value.tableValue else {
            reader.report([], "quanzi.circle expects a table")
            return (nil, reader.problems)
        }
        reader.rejectUnknownFields(table, at: [], known: topLevelFields)
        let idText = reader.string(table, "id", at: [], required: true)
        if let idText, !CircleID.isWellFormed(idText) {
            reader.report([.key("id")], "field 'id' must be 1–64 lowercase letters, digits or dashes, got '\(idText)'")
        }
        let title = reader.string(table, "title", at: [], required: true)
        if let title, title.isEmpty { reader.report([.key("title")], "field 'title' must not be empty") }
        let description = reader.string(table, "description", at: [], required: false)
        let rules = readRules(table, &reader)
        let moderation = readModeration(table, &reader)
        let ranking = readRanking(table, &reader)
        let audience = readAudience(table, &reader)
        let circleID = CircleID(idText ?? "")
        let tests = RuleTestSchema.read(table, circle: circleID, &reader)

        guard reader.problems.isEmpty, let idText, let title else { return (nil, reader.problems) }
        let definition = CircleDefinition(
            id: CircleID(idText), title: title, description: description, location: declaration.location,
            ruleLocations: rules.compactMapValues(\.location), moderation: moderation, ranking: ranking,
            audience: audience)
        let ruleTexts = rules.mapValues { $0.lines.map(source.text(ofLines:)) ?? "" }
        return (ValidatedCircle(definition: definition, rules: rules, ruleTexts: ruleTexts, tests: tests), [])
    }

    private static func readAudience(_ table: LuaTable, _ reader: inout SchemaReader) -> CircleAudience {
        guard let text = reader.string(table, "audience", at: [], required: false) else { return .everyone }
        guard let audience = CircleAudience(rawValue: text) else {
            let known = CircleAudience.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            reader.report([.key("audience")], "field 'audience' must be one of \(known), got '\(text)'")
            return .everyone
        }
        return audience
    }

    private static func readRules(_ table: LuaTable, _ reader: inout SchemaReader) -> [CircleAction: LuaFunction] {
        guard let rules = reader.table(table, "rules", at: [], required: true) else { return [:] }
        reader.rejectUnknownFields(rules, at: [.key("rules")], known: CircleAction.allCases.map(\.rawValue))
        var functions: [CircleAction: LuaFunction] = [:]
        for action in CircleAction.allCases {
            guard let value = rules[action.rawValue], value != .null else { continue }
            guard case .function(let function) = value else {
                reader.report([.key("rules"), .key(action.rawValue)],
                              "rule 'rules.\(action.rawValue)' must be a function, got \(value.typeName)")
                continue
            }
            functions[action] = function
        }
        if functions.isEmpty && rules.entries.isEmpty {
            reader.report([.key("rules")], "field 'rules' declares no rule (known: \(CircleAction.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return functions
    }

    private static func readModeration(_ table: LuaTable, _ reader: inout SchemaReader) -> ModerationPolicy {
        var policy = ModerationPolicy()
        guard let moderation = reader.table(table, "moderation", at: [], required: false) else { return policy }
        let path: SchemaReader.Path = [.key("moderation")]
        reader.rejectUnknownFields(moderation, at: path, known: moderationFields)
        if let threshold = reader.integer(moderation, "report_threshold", at: path, in: 1...1_000_000) {
            policy.reportThreshold = Int(threshold)
        }
        if let keywords = reader.table(moderation, "keywords", at: path, required: false) {
            let items = keywords.sequence
            if !keywords.isSequence {
                reader.report(path + [.key("keywords")], "field 'moderation.keywords' must be a list of strings")
            }
            if items.count > keywordsMax {
                reader.report(path + [.key("keywords")], "field 'moderation.keywords' has \(items.count) entries; at most \(keywordsMax)")
            }
            for (offset, item) in items.enumerated() {
                guard let word = item.stringValue, !word.isEmpty else {
                    reader.report(path + [.key("keywords"), .index(offset + 1)],
                                  "moderation.keywords[\(offset + 1)] must be a non-empty string, got \(item.stringValue == nil ? item.typeName : "an empty string")")
                    continue
                }
                policy.keywords.append(word)
            }
        }
        return policy
    }

    private static func readRanking(_ table: LuaTable, _ reader: inout SchemaReader) -> RankingWeights {
        var weights = RankingWeights()
        guard let ranking = reader.table(table, "ranking", at: [], required: false) else { return weights }
        let path: SchemaReader.Path = [.key("ranking")]
        reader.rejectUnknownFields(ranking, at: path, known: rankingFields)
        if let value = reader.number(ranking, "half_life_hours", at: path, in: 0.01...8_760) { weights.halfLifeHours = value }
        if let value = reader.number(ranking, "w_engagement", at: path, in: weightRange) { weights.engagementWeight = value }
        if let value = reader.number(ranking, "w_tips", at: path, in: weightRange) { weights.tipsWeight = value }
        if let value = reader.number(ranking, "w_credit", at: path, in: weightRange) { weights.creditWeight = value }
        if let value = reader.number(ranking, "w_affinity", at: path, in: weightRange) { weights.affinityWeight = value }
        if let value = reader.number(ranking, "report_penalty", at: path, in: 0...100) { weights.reportPenalty = value }
        if let value = reader.number(ranking, "seen_penalty", at: path, in: 0...100) { weights.seenPenalty = value }
        if let value = reader.number(ranking, "show_less_penalty", at: path, in: 0...100) { weights.showLessPenalty = value }
        if let value = reader.number(ranking, "show_less_kind_penalty", at: path, in: 0...100) { weights.showLessKindPenalty = value }
        if let value = reader.integer(ranking, "max_per_author", at: path, in: 1...1_000) { weights.maxPerAuthor = Int(value) }
        if let list = reader.table(ranking, "experiments", at: path, required: false) {
            for (offset, item) in list.sequence.enumerated() {
                guard let id = item.stringValue else {
                    reader.report(path + [.key("experiments"), .index(offset + 1)], "ranking.experiments[\(offset + 1)] must be an experiment id")
                    continue
                }
                weights.experiments.append(id)
            }
        }
        return weights
    }
}
