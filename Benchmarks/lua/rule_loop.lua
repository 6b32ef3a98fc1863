-- The campus-diary rules run in a loop inside a standalone lua5.4: the in-interpreter cost that
-- rule-eval-compare sets one evaluation from Swift against (issue 3: at most 2x this).
--
-- usage: lua5.4 rule_loop.lua [calls_per_run] [runs]
-- prints one line per case: name <TAB> median ns per call <TAB> fastest run's ns per call
-- Times with os.clock (this process's CPU time), after one untimed warm-up run per case.

local calls = math.tointeger(tonumber(arg[1])) or 1000000
local runs = math.tointeger(tonumber(arg[2])) or 9

-- What the host binds: a global `quanzi`, reached through _ENV as in a plugin. The score is a
-- constant, as the Swift side's FixedCreditScores answers.
quanzi = { credit = { score = function(id) return 800 end } }

-- The rule bodies of plugins/campus-diary.lua, unchanged.
local rules = {
  post = function(user, circle, post)
    if not user.verified then
      return false, "real-name verification required"
    end
    return user.gender == "female" and user.occupation == "student",
      "only verified female students may post here"
  end,
  comment = function(user, circle, post)
    local min_credit = 750
    return quanzi.credit.score(user.id) >= min_credit, "credit score " .. min_credit .. "+ required to comment"
  end,
}

-- The fields the host's user record has for RuleBench.student (UserRecord.make), and the
-- circle's proxy fields.
local student = {
  id = 20160001, name = "林晓", verified = true, verified_at = 1470000000, gender = "female",
  birth_year = 1997, age = 29, occupation = "student", school = "复旦大学", city = "上海",
  created_at = 1460000000, account_age_days = 3800,
}
local circle = { id = "campus-diary", title = "校园日记 · Campus diary", report_threshold = 3 }

-- The host hands users over read-only; here a metatable does it, for comparison.
local function read_only(fields)
  return setmetatable({}, {
    __index = fields,
    __newindex = function() error("read-only", 2) end,
  })
end

local function ns_per_call(rule, user)
  local start = os.clock()
  for _ = 1, calls do
    local allowed, reason = rule(user, circle, nil)
  end
  return (os.clock() - start) * 1e9 / calls
end

local function measure(name, rule, user)
  assert(rule(user, circle, nil) == true, name .. ": the rule should allow the student")
  ns_per_call(rule, user) -- warm-up
  local samples = {}
  for i = 1, runs do samples[i] = ns_per_call(rule, user) end
  table.sort(samples)
  print(string.format("%s\t%.1f\t%.1f", name, samples[(runs + 1) // 2], samples[1]))
end

measure("post", rules.post, student)
measure("post-readonly", rules.post, read_only(student))
measure("comment", rules.comment, student)
