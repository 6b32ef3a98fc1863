import Experiments
import Service

/// `GET /v1/me/experiments`: what the app applies, one entry per experiment the caller gets a
/// variant in (running and in it, forced, or shipped), sorted by experiment id.
struct AppExperimentsView: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        let experimentID: String
        let variant: String
        let params: [String: ParameterJSON]
        let phase: Int
        let version: String?
        let forced: Bool
        let shipped: Bool

        init(_ assignment: AppAssignment) {
            experimentID = assignment.experimentID
            variant = assignment.variant.name
            params = assignment.variant.parameters.mapValues(ParameterJSON.init)
            phase = assignment.phase
            version = assignment.version
            forced = assignment.isForced
            shipped = assignment.isShipped
        }

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id", variant, params, phase, version, forced, shipped
        }
    }

    let experiments: [Entry]

    init(_ assignments: [AppAssignment]) {
        experiments = assignments.map(Entry.init)
    }
}

/// A variant's parameter as its JSON type: a boolean, a number (integers exactly) or a string.
struct ParameterJSON: Encodable, Sendable {
    let value: ParameterValue

    init(_ value: ParameterValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .boolean(let flag): try container.encode(flag)
        case .integer(let number): try container.encode(number)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }
}

/// `POST /v1/me/exposures`: whether the report logged the caller's first exposure, why not when
/// it did not, and the variant the app applies (absent when it applies none).
struct AppExposureView: Encodable, Sendable {
    let experimentID: String
    let variant: String?
    let logged: Bool
    let reason: String?

    init(_ exposure: AppExposure) {
        experimentID = exposure.experimentID
        variant = exposure.variant?.name
        logged = exposure.outcome == .logged
        reason = exposure.outcome == .logged ? nil : exposure.outcome.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id", variant, logged, reason
    }
}
