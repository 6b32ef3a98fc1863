import Core
import Social
import Testing

@testable import LuaHost

func source(_ code: String, path: String = "plugins/test.lua") -> PluginSource {
    PluginSource(path: path, code: code)
}

/// Loads `sources` expecting failure; returns the problems as text.
func problems(_ sources: [PluginSource]) -> [String] {
    do {
        _ = try PluginSet.load(sources)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

let minimalCircle = """
    return quanzi.circle {
      id = "ok",
      title = "OK",
      rules = { view = function(user, circle) return true end },
    }
    """

@Suite("plugin loading and validation")
struct PluginLoaderTests {
    @Test("a valid plugin loads with its rules' locations")
    func validPlugin() throws {
        let set = try PluginSet.load([source(minimalCircle)])
        let circle = try #require(set.circle(CircleID("ok")))
        #expect(circle.ruleLocations[.view] == SourceLocation(file: "plugins/test.lua", line: 4))
        #expect(circle.ranking == RankingWeights())
    }

    /// Each malformed plugin and the exact problem it must produce.
    static let malformed: [(String, String)] = [
        ("return quanzi.circle {\n  title = 'x',\n  rules = { view = function() return true end },\n}",
         "plugins/test.lua:1: missing required field 'id' (a string)"),
        ("return quanzi.circle {\n  id = 'Campus Diary',\n  title = 'x',\n  rules = { view = function() return true end },\n}",
         "plugins/test.lua:2: field 'id' must be 1–64 lowercase letters, digits or dashes, got 'Campus Diary'"),
        ("return quanzi.circle {\n  id = 'a',\n  title = 'x',\n  rulez = {},\n  rules = { view = function() return true end },\n}",
         "plugins/test.lua:4: unknown field 'rulez' (did you mean 'rules'?)"),
        ("return quanzi.circle {\n  id = 'a',\n  title = 'x',\n  rules = {\n    post = true,\n  },\n}",
         "plugins/test.lua:5: rule 'rules.post' must be a function, got boolean"),
        ("return quanzi.circle {\n  id = 'a',\n  title = 'x',\n  rules = {\n    delete = function() end,\n  },\n}",
         "plugins/test.lua:5: unknown field 'rules.delete' (known: view, post, comment, like, tip, report)"),
        ("return quanzi.circle {\n  id = 'a',\n  title = 42,\n  rules = { view = function() return true end },\n}",
         "plugins/test.lua:3: field 'title' must be a string, got number"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  ranking = {\n    half_life_hours = -1,\n  },\n}",
         "plugins/test.lua:5: field 'ranking.half_life_hours' must be between 0.01 and 8760, got -1"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  ranking = { w_tips = 'lots' },\n}",
         "plugins/test.lua:4: field 'ranking.w_tips' must be a number, got string"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  ranking = { max_per_author = 1.5 },\n}",
         "plugins/test.lua:4: field 'ranking.max_per_author' must be an integer, got 1.5"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  moderation = { report_threshold = 0 },\n}",
         "plugins/test.lua:4: field 'moderation.report_threshold' must be between 1 and 1000000, got 0"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  moderation = { keywords = { 'ok', 7 } },\n}",
         "plugins/test.lua:4: moderation.keywords[2] must be a non-empty string, got number"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  tests = {\n    { user = {}, action = 'view', expect = true },\n    { user = {}, action = 'fly', expect = true },\n  },\n}",
         "plugins/test.lua:6: unknown action 'fly' (known: view, post, comment, like, tip, report)"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { view = function() return true end },\n  tests = {\n    { user = { gender = 'robot' }, action = 'view', expect = true },\n  },\n}",
         "plugins/test.lua:5: unknown gender 'robot' (known: female, male, unspecified)"),
        ("return quanzi.circle {\n  id = 'a', title = 'x',\n  rules = { tip = function() return true end },\n  tests = {\n    { user = {}, action = 'tip', expect = true },\n  },\n}",
         "plugins/test.lua:5: a tip test needs 'amount_fen'"),
        ("local x =\n", "plugins/test.lua:2: unexpected symbol near <eof>"),
        ("local t = {}\nlocal y = t.x.y\n", "plugins/test.lua:2: attempt to index a nil value (field 'x')"),
        ("while true do end", "plugins/test.lua:1: instruction limit exceeded"),
        ("local data = {}", "plugins/test.lua:1: declares nothing: a plugin returns quanzi.circle { id = ..., title = ..., rules = { ... } }"),
        ("return quanzi.circle('campus')", "plugins/test.lua:1: bad argument #1 to 'circle' (table expected, got string)"),
        ("return quanzi.experiment { id = 'x' }", "plugins/test.lua:1: quanzi.experiment belongs in the experiments folder, not with the circle plugins"),
    ]

    @Test("each malformed plugin gets its own precise message", arguments: malformed)
    func malformedPlugin(code: String, expected: String) {
        #expect(problems([source(code)]).contains(expected), "\(problems([source(code)]))")
    }

    @Test("every problem of every file is reported, not just the first")
    func allProblems() {
        let found = problems([
            source("return quanzi.circle {\n  id = 'BAD',\n  title = 3,\n  rules = {},\n}", path: "plugins/a.lua"),
            source("local x =", path: "plugins/b.lua"),
            source("while true do end", path: "plugins/c.lua"),
        ])
        #expect(found.count >= 5)
        #expect(found.contains { $0.hasPrefix("plugins/a.lua:2:") })
        #expect(found.contains { $0.hasPrefix("plugins/a.lua:3:") })
        #expect(found.contains { $0.hasPrefix("plugins/a.lua:4:") })
        #expect(found.contains { $0.hasPrefix("plugins/b.lua:1:") })
        #expect(found.contains { $0 == "plugins/c.lua:1: instruction limit exceeded" })
    }

    @Test("two plugins declaring the same circle id are refused")
    func duplicateIDs() {
        let found = problems([source(minimalCircle, path: "plugins/a.lua"), source(minimalCircle, path: "plugins/b.lua")])
        #expect(found == ["plugins/b.lua:1: duplicate circle id 'ok' (first declared at plugins/a.lua:1)"])
    }

    @Test("a plugin cannot set globals once loaded, and plugins do not share globals")
    func frozenGlobals() throws {
        let writer = """
            helper_value = 7
            return quanzi.circle {
              id = "writer", title = "W",
              rules = {
                view = function(user) leaked = true return true end,
                post = function(user) return helper_value == 7, "top-level globals stay readable" end,
              },
            }
            """
        let reader = """
            return quanzi.circle {
              id = "reader", title = "R",
              rules = { view = function(user) return helper_value == nil and leaked == nil, "no leaks" end },
            }
            """
        let set = try PluginSet.load([source(writer, path: "plugins/w.lua"), source(reader, path: "plugins/r.lua")])
        let engine = RuleEngine(plugins: set, dataSource: EmptyDataSource())
        let user = UserProfile(id: UserID(1))
        #expect(throws: QuanziError.self) { try engine.evaluate(circle: CircleID("writer"), action: .view, user: user) }
        do {
            _ = try engine.evaluate(circle: CircleID("writer"), action: .view, user: user)
        } catch {
            #expect(error.message.contains("cannot set global 'leaked'"))
            #expect(error.message.hasPrefix("plugins/w.lua:5:"))
        }
        #expect(try engine.evaluate(circle: CircleID("writer"), action: .post, user: user).allowed)
        #expect(try engine.evaluate(circle: CircleID("reader"), action: .view, user: user).allowed)
    }
}
