-- The campus-diary rules run in a loop inside a standalone lua5.4: the in-interpreter cost that
-- rule-eval-compare sets one evaluation from Swift against (issue 3: at most 2x this).
--
-- usage: lua5.4 rule_loop.lua [calls_per_run] [runs] [path/to/campus-diary.lua] [batch_size]
-- prints one line per case: name <TAB> median ns per call <TAB> fastest run's ns per call
-- Times with os.clock (this process's CPU time), after one untimed warm-up run per case.

local calls = math.tointeger(tonumber(arg[1])) or 1000000
local runs = math.tointeger(tonumber(arg[2])) or 9
local batch_size = math.tointeger(tonumber(arg[4])) or 64

-- The rules are read from the plugin file itself (arg 3), so this baseline runs exactly the
-- rules the host runs. What the host binds, as plain Lua: `quanzi.circle` hands back its
-- declaration; the credit score is a constant, as the Swift side's FixedCreditScores answers;
-- `quanzi.ab.param` gives the default, as it does there (no experiment assigns the user).
local plugin_path = arg[3] or "../plugins/campus-diary.lua"
local quanzi = {
  circle = function(declaration) return declaration end,
  credit = { score = function(id) return 800 end },
  ab = { param = function(user, experiment, key, default) return default end },
}
local chunk = assert(loadfile(plugin_path, "t", setmetatable({ quanzi = quanzi }, { __index = _G })))
local rules = chunk().rules

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

-- What the host's batch driver does for one entry: call the rule once per subject of a
-- preallocated array and write each answer and reason into result arrays.
local function ns_per_decision_batched(rule, user)
  local subjects, allowed, reasons = {}, {}, {}
  for i = 1, batch_size do subjects[i] = user; allowed[i] = false; reasons[i] = false end
  local batches = calls // batch_size
  local start = os.clock()
  for _ = 1, batches do
    for i = 1, batch_size do
      local ok, reason = rule(subjects[i], circle, nil)
      allowed[i] = ok
      reasons[i] = reason or false
    end
  end
  return (os.clock() - start) * 1e9 / (batches * batch_size)
end

local function measure_batched(name, rule, user)
  ns_per_decision_batched(rule, user) -- warm-up
  local samples = {}
  for i = 1, runs do samples[i] = ns_per_decision_batched(rule, user) end
  table.sort(samples)
  print(string.format("%s\t%.1f\t%.1f", name, samples[(runs + 1) // 2], samples[1]))
end

-- What any sandbox of this rule pays inside the interpreter, for reference (the goal is set
-- against the plain loop above): the user read-only, and an instruction-count hook every 1,000
-- instructions, as the host's limits need (QZ_HOOK_INSTRUCTIONS).
local function measure_batched_sandboxed(name, rule, user)
  debug.sethook(function() end, "", 1000)
  measure_batched(name, rule, user)
  debug.sethook()
end

measure("post", rules.post, student)
measure("post-readonly", rules.post, read_only(student))
measure("comment", rules.comment, student)
measure_batched("post-batch", rules.post, student)
measure_batched("comment-batch", rules.comment, student)
measure_batched_sandboxed("post-batch-sandboxed", rules.post, read_only(student))
