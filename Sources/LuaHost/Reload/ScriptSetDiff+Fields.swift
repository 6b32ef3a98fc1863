import Core
import Experiments
import Social

/// Field-by-field comparisons of one circle or experiment in two sets, in words.
extension ScriptSetDiff {
    /// Said of a circle whose file changed while none of its rules or fields did.
    static let circleChangedElsewhere = "no rule or field changed: the edit is elsewhere in the file (a comment, or a local or helper a rule may call)"
    /// Said of an experiment whose file changed while none of its fields did.
    static let experimentChangedElsewhere = "no field changed: the edit is elsewhere in the file (a comment, or a local targeting may call)"

    static func circleEdit(old: CircleDefinition, in oldSet: PluginSet, new: CircleDefinition, in newSet: PluginSet) -> CircleEdit? {
        let oldRules = oldSet.ruleTexts[old.id] ?? [:]
        let newRules = newSet.ruleTexts[new.id] ?? [:]
        let actions = CircleAction.allCases
        let rulesChanged = actions.filter { action in oldRules[action].map { $0 != newRules[action] && newRules[action] != nil } ?? false }
        let rulesAdded = actions.filter { oldRules[$0] == nil && newRules[$0] != nil }
        let rulesRemoved = actions.filter { oldRules[$0] != nil && newRules[$0] == nil }

        var changes = FieldChanges()
        changes.compare("title", old.title, new.title, quoted)
        changes.compare("description", old.description, new.description) { $0.map(quoted) ?? "none" }
        changes.compare("audience", old.audience, new.audience, \.rawValue)
        changes.compare("moderation.report_threshold", old.moderation.reportThreshold, new.moderation.reportThreshold, String.init)
        let oldKeywords = Set(old.moderation.keywords)
        let newKeywords = Set(new.moderation.keywords)
        let keywordEdits = newKeywords.subtracting(oldKeywords).sorted().map { "+" + quoted($0) }
            + oldKeywords.subtracting(newKeywords).sorted().map { "-" + quoted($0) }
        if !keywordEdits.isEmpty { changes.append("moderation.keywords \(keywordEdits.joined(separator: " "))") }
        for (field, value) in rankingFields {
            changes.compare("ranking.\(field)", value(old.ranking), value(new.ranking)) { $0 }
        }
        changes.compare("ranking.experiments", old.ranking.experiments, new.ranking.experiments, list)
        let oldTests = oldSet.tests.filter { $0.circle == old.id }
        let newTests = newSet.tests.filter { $0.circle == new.id }
        if oldTests.map(withoutLocation) != newTests.map(withoutLocation) {
            changes.append("tests changed (\(oldTests.count) → \(newTests.count) cases)")
        }

        let unchanged = rulesChanged.isEmpty && rulesAdded.isEmpty && rulesRemoved.isEmpty && changes.items.isEmpty
        if unchanged {
            guard oldSet.version(ofCircle: old.id) != newSet.version(ofCircle: new.id) else { return nil }
            changes.append(circleChangedElsewhere)
        }
        return CircleEdit(id: new.id, location: new.location, rulesChanged: rulesChanged, rulesAdded: rulesAdded, rulesRemoved: rulesRemoved,
                          changes: changes.items)
    }

    static func experimentEdit(
        old: ExperimentSpec, in oldSet: ExperimentSet, new: ExperimentSpec, in newSet: ExperimentSet, isLive: (ExperimentSpec) -> Bool
    ) -> ExperimentEdit? {
        let moves = AssignmentEdit.movesUsers(from: old, to: new)
        let live = isLive(old)
        var changes = FieldChanges()
        changes.compare("title", old.title, new.title) { $0.map(quoted) ?? "none" }
        if old.ramp.isEmpty && new.ramp.isEmpty {
            changes.compare("traffic", old.traffic, new.traffic, ExperimentStatusText.percent)
        } else {
            changes.compare("ramp", ramp(old), ramp(new)) { $0 }
        }
        changes.compare("min_exposed_per_variant", old.minExposedPerVariant, new.minExposedPerVariant, String.init)
        for variant in new.variants {
            guard let before = old.variant(named: variant.name) else { continue }
            for key in Set(before.parameters.keys).union(variant.parameters.keys).sorted() {
                changes.compare("variants.\(variant.name).params.\(key)", before.parameters[key], variant.parameters[key]) {
                    $0.map(\.description) ?? "unset"
                }
            }
        }
        switch (oldSet.targetingTexts[old.id], newSet.targetingTexts[new.id]) {
        case (nil, .some): changes.append("targeting added (fewer users may enter; none moves between variants)")
        case (.some, nil): changes.append("targeting removed (more users may enter; none moves between variants)")
        case (let before?, let after?) where before != after: changes.append("targeting changed (who may enter; none moves between variants)")
        default: break
        }
        changes.compare("start", old.startAtEpochSeconds, new.startAtEpochSeconds) { $0.map(ExperimentStatusText.timestamp) ?? "none" }
        changes.compare("metrics.primary", old.primaryMetric, new.primaryMetric) { $0 }
        changes.compare("metrics.secondary", old.secondaryMetrics, new.secondaryMetrics, list)
        changes.compare("metrics.guardrails", old.guardrails, new.guardrails) { $0.isEmpty ? "none" : $0.map(guardrail).joined(separator: ", ") }
        changes.compare("sequential", old.sequential, new.sequential) { String($0) }
        changes.compare("alpha", old.alpha, new.alpha, SchemaReader.format)
        changes.compare("correction", old.correction, new.correction, \.rawValue)
        changes.compare("preperiod_days", old.preperiodDays, new.preperiodDays, String.init)
        let oldTests = oldSet.tests.filter { $0.experimentID == old.id }
        let newTests = newSet.tests.filter { $0.experimentID == new.id }
        if oldTests.map(withoutLocation) != newTests.map(withoutLocation) {
            changes.append("tests changed (\(oldTests.count) → \(newTests.count) cases)")
        }

        if moves.isEmpty && changes.items.isEmpty && old.phase == new.phase && old.status == new.status {
            guard oldSet.version(ofExperiment: old.id) != newSet.version(ofExperiment: new.id) else { return nil }
            changes.append(experimentChangedElsewhere)
        }
        return ExperimentEdit(
            id: new.id, location: SourceLocation(file: new.file, line: new.line), oldStatus: old.status, newStatus: new.status,
            oldPhase: old.phase, newPhase: new.phase, wasLive: live, movesUsers: moves,
            refusal: live ? AssignmentEdit.refusal(from: old, to: new) : nil, changes: changes.items)
    }

    /// Changes in words, `field old → new`, in the order compared.
    struct FieldChanges {
        private(set) var items: [String] = []

        mutating func append(_ item: String) { items.append(item) }

        mutating func compare<Value: Equatable>(_ field: String, _ old: Value, _ new: Value, _ show: (Value) -> String) {
            guard old != new else { return }
            items.append("\(field) \(show(old)) → \(show(new))")
        }
    }

    static let rankingFields: [(String, @Sendable (RankingWeights) -> String)] = [
        ("half_life_hours", { SchemaReader.format($0.halfLifeHours) }), ("w_engagement", { SchemaReader.format($0.engagementWeight) }),
        ("w_tips", { SchemaReader.format($0.tipsWeight) }), ("w_credit", { SchemaReader.format($0.creditWeight) }),
        ("w_affinity", { SchemaReader.format($0.affinityWeight) }), ("report_penalty", { SchemaReader.format($0.reportPenalty) }),
        ("seen_penalty", { SchemaReader.format($0.seenPenalty) }), ("show_less_penalty", { SchemaReader.format($0.showLessPenalty) }),
        ("show_less_kind_penalty", { SchemaReader.format($0.showLessKindPenalty) }),
        ("max_per_author", { String($0.maxPerAuthor) }),
    ]

    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    static func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }

    /// `1% for 2h, 5% for 6h, 50%`, or `none (traffic 10%)` without a ramp.
    static func ramp(_ spec: ExperimentSpec) -> String {
        guard !spec.ramp.isEmpty else { return "none (traffic \(ExperimentStatusText.percent(spec.traffic)))" }
        return spec.ramp.map { step in
            ExperimentStatusText.percent(step.traffic) + (step.holdSeconds.map { " for \(SchemaReader.format(Double($0) / 3_600))h" } ?? "")
        }.joined(separator: ", ")
    }

    static func guardrail(_ guardrail: Guardrail) -> String {
        let sign = guardrail.harmfulDirection == .increase ? "+" : "-"
        return "\(guardrail.metric) at most \(sign)\(ExperimentStatusText.percent(guardrail.maxRelativeChange))"
    }

    static func withoutLocation(_ test: RuleTestCase) -> RuleTestCase {
        var test = test
        test.location = SourceLocation(file: "", line: 0)
        return test
    }

    static func withoutLocation(_ test: ExperimentTestCase) -> ExperimentTestCase {
        var test = test
        test.location = SourceLocation(file: "", line: 0)
        return test
    }
}
