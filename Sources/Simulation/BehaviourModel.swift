import Core
import Foundation
import LuaHost
import Social

/// One user's propensities for one simulated day, as the Lua behaviour model returns them.
struct Propensities: Sendable {
    var sessions = 0.0
    /// (circle, weight), sorted by circle id so sampling never depends on Lua table order.
    var circles: [(CircleID, Double)] = []
    var hours: [Double] = []
    /// Chance to post per session in a circle that allows it: per circle, else `post`.
    var post = 0.0
    var postIn: [CircleID: Double] = [:]
    var like = 0.0
    var comment = 0.0
    var tip = 0.0
    var tipFen: Int64 = 0
    /// Spread of one tip around `tipFen`: the amount is tipFen·exp(spread·N(0, 1)), in 10 fen.
    var tipSpread = 0.0
    /// Chance a tip is a big one ("whales"), and its amount.
    var tipLarge = 0.0
    var tipLargeFen: Int64 = 0
    var report = 0.0
    var reportBad = 0.0
    var showLess = 0.0
    var showLessBad = 0.0
    var blockBad = 0.0
    var badActor = false

    func postChance(in circle: CircleID) -> Double { postIn[circle] ?? post }
}

/// The Lua behaviour model: `day(user, ctx)` called once per user-day in its own sandboxed
/// console. It reads the service through the preview data source, so asking it about a user
/// never logs an exposure.
final class BehaviourModel {
    private let console: ScriptConsole
    private let function: LuaFunction
    let path: String

    init(path: String, dataSource: any ScriptDataSource, clock: any Clock, limits: ScriptLimits) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulationError("\(path): cannot read the behaviour model") }
        self.path = path
        console = try QuanziError.wrapping { try ScriptConsole(dataSource: dataSource, clock: clock, limits: limits) }
        let result: ScriptConsole.Result
        do throws(ScriptError) {
            result = try console.run(String(decoding: data, as: UTF8.self), chunkName: "@" + path)
        } catch {
            throw SimulationError("\(path): \(error.message)")
        }
        guard let table = result.values.first?.tableValue, case .function(let day)? = table["day"] else {
            throw SimulationError("\(path): the behaviour model must return a table with a function `day(user, ctx)`")
        }
        function = day
    }

    func day(_ user: UserProfile, now: Int64, day: Int, weekday: Int, credit: Int, friends: Int) throws -> Propensities {
        let context = ScriptValue.record([
            .init("day", .integer(Int64(day))), .init("weekday", .integer(Int64(weekday))),
            .init("credit", .integer(Int64(credit))), .init("friends", .integer(Int64(friends))),
        ])
        let values: [LuaValue]
        do throws(ScriptError) {
            values = try console.call(function, arguments: [.user(user, nowEpochSeconds: now), context])
        } catch {
            throw SimulationError("\(path): day(user \(user.id)): \(error.message)")
        }
        guard let table = values.first?.tableValue else { throw SimulationError("\(path): day() must return a table") }
        func number(_ key: String) -> Double {
            guard let value = table[key]?.numberValue, value.isFinite else { return 0 }
            return max(0, value)
        }
        var result = Propensities()
        result.sessions = number("sessions")
        if let perCircle = table["post"]?.tableValue {
            for field in perCircle.fields {
                guard let chance = field.value.numberValue, chance.isFinite else { continue }
                if field.name == "default" { result.post = max(0, chance) } else { result.postIn[CircleID(field.name)] = max(0, chance) }
            }
        } else {
            result.post = number("post")
        }
        result.like = number("like")
        result.comment = number("comment")
        result.tip = number("tip")
        result.tipFen = Int64(number("tip_fen").rounded())
        result.tipSpread = min(max(0, number("tip_spread")), 3)
        result.tipLarge = number("tip_large")
        result.tipLargeFen = Int64(min(max(0, number("tip_large_fen")), 10_000_000).rounded())
        result.report = number("report")
        result.reportBad = number("report_bad")
        result.showLess = number("show_less")
        result.showLessBad = number("show_less_bad")
        result.blockBad = number("block_bad")
        if case .boolean(let flag)? = table["bad_actor"] { result.badActor = flag }
        if let circles = table["circles"]?.tableValue {
            result.circles = circles.fields.compactMap { field in
                guard let weight = field.value.numberValue, weight > 0 else { return nil }
                return (CircleID(field.name), weight)
            }.sorted { $0.0.rawValue < $1.0.rawValue }
        }
        if let hours = table["hours"]?.tableValue?.sequence.compactMap(\.numberValue), hours.count == 24 {
            result.hours = hours.map { max(0, $0) }
        }
        return result
    }
}

extension Propensities {
    /// One tip's amount: a big one with `tipLarge`, else `tipFen` spread log-normally, rounded to
    /// 10 fen and at least 10 fen. Drawn from its own stream, so every other draw is as before.
    func tipAmount(_ random: inout SeededGenerator) -> Int64 {
        if tipLargeFen > 0, random.chance(tipLarge) { return tipLargeFen }
        guard tipSpread > 0 else { return tipFen }
        let u1 = max(random.unit(), Double.leastNonzeroMagnitude), u2 = random.unit()
        let gaussian = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        let amount = (Double(tipFen) * exp(tipSpread * gaussian) / 10).rounded() * 10
        return Int64(min(max(10, amount), 10_000_000))
    }
}

extension SeededGenerator {
    /// A Poisson draw (Knuth's method; means here are small).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-min(mean, 30))
        var product = unit()
        var count = 0
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }

    /// An index drawn with the given weights (the last one when they are all zero).
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return max(0, weights.count - 1) }
        var roll = unit() * total
        for (index, weight) in weights.enumerated() {
            roll -= weight
            if roll < 0 { return index }
        }
        return weights.count - 1
    }
}
