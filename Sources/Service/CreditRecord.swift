import Credit
import LuaHost

/// A credit report as Lua sees it through `quanzi.credit.explain(id)`:
/// `{ score = 781, dimensions = { { name = "identity", points = 80, reasons = { { code = ..., message = ..., points = ... } } } } }`.
enum CreditRecord {
    static func make(_ report: CreditReport) -> ScriptValue {
        .record([
            .init("score", .integer(Int64(report.score))),
            .init("dimensions", .list(report.dimensions.map { dimension in
                .record([
                    .init("name", .string(dimension.dimension.rawValue)),
                    .init("points", .integer(Int64(dimension.points))),
                    .init("max_points", .integer(Int64(dimension.dimension.maximumPoints))),
                    .init("reasons", .list(dimension.reasons.map(reason))),
                ])
            })),
            .init("reasons", .list(report.reasons.map(reason))),
        ])
    }

    static func reason(_ reason: CreditReason) -> ScriptValue {
        .record([.init("code", .string(reason.code.rawValue)), .init("message", .string(reason.message)), .init("points", .integer(Int64(reason.points)))])
    }
}
