import CLuaShim
import Core
import Experiments
import Social

/// One user to place in an experiment's segments: as they were when first exposed (their
/// account age, their age), not as they are when the report is made.
public struct SegmentSubject: Sendable {
    public var user: UserProfile
    public var atEpochSeconds: Int64

    public init(user: UserProfile, atEpochSeconds: Int64) {
        self.user = user
        self.atEpochSeconds = atEpochSeconds
    }
}

extension ExperimentEngine {
    /// Each subject's value of each of `experimentID`'s segments, in the spec's segment order:
    /// the function's string, number or boolean as text, nil for nil. A function that raises,
    /// runs past its limits or returns anything else (a table, a function) fails the whole
    /// breakdown with its file:line, as a rule would.
    ///
    /// Called by an analysis (`ab analyze`, the experiment routes), never per request: one call
    /// per user and segment, each with a rule's limits.
    public func segmentValues(_ subjects: [SegmentSubject], experiment experimentID: String) throws(QuanziError) -> [[String?]] {
        let spec = try spec(experimentID)
        guard !spec.segments.isEmpty, !subjects.isEmpty else { return subjects.map { _ in [] } }
        return try pool.withState { pooled throws(QuanziError) -> [[String?]] in
            let functions = pooled.segments[experimentID] ?? []
            var values: [[String?]] = []
            values.reserveCapacity(subjects.count)
            for subject in subjects {
                var row: [String?] = []
                row.reserveCapacity(functions.count)
                for (segment, function) in zip(spec.segments, functions) {
                    do throws(ScriptError) {
                        row.append(try pooled.state.segmentValue(function, segment: segment.name, user: subject.user, at: subject.atEpochSeconds))
                    } catch {
                        throw error.quanziError
                    }
                }
                values.append(row)
            }
            return values
        }
    }
}

extension LuaState {
    /// Calls one segment function for `user` as of `at`, and reads its value as text.
    func segmentValue(_ function: LuaFunction, segment: String, user: UserProfile, at: Int64) throws(ScriptError) -> String? {
        try call(
            push: {
                pushReference(function.reference)
                push(UserRecord.make(user, nowEpochSeconds: at))
                return 1
            },
            read: { count throws(ScriptError) -> String? in
                let value = count >= 1 ? readValue(at: -count) : .null
                guard Self.isSegmentValue(value) else {
                    throw ScriptError(
                        kind: .invalidResult,
                        message: "segment '\(segment)' must return a string, number, boolean or nil; it returned a \(value.typeName) for user \(user.id)",
                        location: function.location?.description)
                }
                return Self.segmentText(value)
            })
    }

    static func isSegmentValue(_ value: LuaValue) -> Bool {
        switch value {
        case .null, .boolean, .integer, .number, .string: true
        case .table, .function, .other: false
        }
    }

    /// A segment's value as the report shows it (nil for nil). Text is cut to `segmentTextMax`
    /// bytes at a character boundary and cleared of control characters, since it lands in HTML,
    /// JSON and terminals.
    static func segmentText(_ value: LuaValue) -> String? {
        switch value {
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number):
            return number.isFinite && number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text):
            var kept = ""
            for character in text where !character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                guard kept.utf8.count + character.utf8.count <= segmentTextMax else { break }
                kept.append(character)
            }
            return kept
        case .null, .table, .function, .other: return nil
        }
    }

    /// Bytes of a segment's text value kept.
    static let segmentTextMax = 64
}
