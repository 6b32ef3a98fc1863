-- The feed ranking in pure Lua, run inside the embedded host (ScriptConsole, the plugin sandbox):
-- the baseline feed-compare sets the Swift ranker against (issue 5: Swift at least 100x faster).
--
-- feed-compare prepends `local P = { ... }` (sizes, weights, runs) and runs this as one chunk:
-- it builds the candidate arrays once (untimed), then times only the ranking functions with
-- os.clock (CPU time) and returns the medians and the posts each variant ranked first.
--
-- Two variants:
--   same   the Swift ranker's algorithm, line for line: features precomputed per post (as the
--          window keeps them, rounded to Float), one scan newest first with the decay bound and
--          the early stop, a bounded heap, diversity while walking the heap. Same top 50, same
--          scores to the last bit.
--   plain  what one would write first: score every post from its counters, sort them all with
--          table.sort, take posts in order with at most max_per_author per author.

-- The data: FeedBenchData.swift's generator, draw for draw (SplitMix64; Lua's integers wrap).
local state = P.seed
local function next64()
  state = state + 0x9E3779B97F4A7C15
  local z = state
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  return z ~ (z >> 31)
end
local function draw(bound) return (next64() >> 1) % bound end
local function f32(x) return (string.unpack("f", string.pack("f", x))) end

local memory_before_kb = collectgarbage("count")
local n, now = P.count, P.now
local authors = math.max(100, n // 10)
local created, author, likes, comments, tips, reports, status = {}, {}, {}, {}, {}, {}, {}
for i = 1, n do  -- post id i
  created[i] = now - P.span + (i - 1) * P.span // n
  author[i] = 1 + draw(authors)
  local l = draw(1 << draw(13))
  likes[i] = l
  comments[i] = l // 10 + draw(3)
  tips[i] = (draw(5) == 0) and draw(1 << draw(17)) or 0
  reports[i] = (draw(20) == 0) and (1 + draw(5)) or 0
  local roll = draw(100)
  status[i] = (roll < 3 and 1) or (roll == 3 and 2) or 0
end
local credit = {}
for a = 1, authors do credit[a] = 350 + draw(601) end
local memory_raw_kb = collectgarbage("count")

-- What the window precomputes when a counter changes (CandidateFeatures.swift).
local eng, tipf, repf, creditf = {}, {}, {}, {}
local eng_max, tip_max = 0.0, 0.0
for i = 1, n do
  eng[i] = f32(math.log(1 + (likes[i] + 2.0 * comments[i])))
  tipf[i] = f32(math.log(1 + tips[i]))
  repf[i] = f32(math.log(1 + reports[i]))
  if eng[i] > eng_max then eng_max = eng[i] end
  if tipf[i] > tip_max then tip_max = tipf[i] end
end
for a = 1, authors do creditf[a] = f32((math.min(math.max(credit[a], 350), 950) - 350) / 600) end

-- The viewer (FeedBench.viewer).
state = P.seed ~ 0x5EED
local affinity, friend, seen = {}, {}, {}
for _ = 1, 200 do
  local a = 1 + draw(authors)
  affinity[a] = draw(1000) / 1000
end
for _ = 1, 100 do friend[1 + draw(authors)] = true end
for _ = 1, 300 do seen[n - draw(math.min(n, 5000))] = true end

local we, wt, wc, wa, wf, rp, sp = P.we, P.wt, P.wc, P.wa, P.wf, P.rp, P.sp
local page, max_per_author = P.page, P.max_per_author

-- Per request, as Scorer.viewerTerms: friends first, then affinities.
local function viewer_terms()
  local terms, largest = {}, 0.0
  for a in pairs(friend) do terms[a] = wa * 0 + wf end
  for a, value in pairs(affinity) do
    terms[a] = wa * math.min(math.max(value, 0.0), 1.0) + (terms[a] and wf or 0)
  end
  for _, term in pairs(terms) do if term > largest then largest = term end end
  return terms, largest
end

-- First post young enough to rank (created > now - age_max): a binary search, as the window does.
local function first_rankable()
  local low, high, oldest = 1, n + 1, now - P.age_max
  while low < high do
    local middle = (low + high) // 2
    if created[middle] <= oldest then low = middle + 1 else high = middle end
  end
  return low
end

local function ranks_above(s1, id1, s2, id2) return s1 > s2 or (s1 == s2 and id1 > id2) end

local function rank_same()
  local terms, term_max = viewer_terms()
  local rate = 1 / (P.half_life_hours * 3600)
  local bound_span = math.max(1, math.floor(P.half_life_hours * 3600 / 64))
  local base_max = 1.0 + we * eng_max + wt * tip_max + wc * 1 + term_max
  local first = first_rankable()
  local shown, result = {}, {}
  local capacity = page + page // 2 + 8
  local bound_score, bound_id = nil, nil
  while true do
    -- The scan: a min-heap of (score, id) in two arrays.
    local hs, hi, count, lowest = {}, {}, 0, -math.huge
    local bound_created, bound_decay = math.maxinteger, 1.0
    for i = n, first, -1 do
      if status[i] == 0 then
        local a = author[i]
        if (shown[a] or 0) < max_per_author then
          local c = created[i]
          if c < bound_created - bound_span then
            bound_created = c
            local age = now - c
            if age < 0 then age = 0 end
            bound_decay = 2.0 ^ (-age * rate)
            if count == capacity and bound_decay * base_max < lowest then break end
          end
          local base = 1.0 + we * eng[i] + wt * tipf[i] + wc * creditf[a] + (terms[a] or 0.0)
          local penalty_seen = seen[i] and sp or 0
          if bound_decay * base - rp * repf[i] - penalty_seen >= lowest then
            local decay = bound_decay
            if c ~= bound_created then
              local age = now - c
              if age < 0 then age = 0 end
              decay = 2.0 ^ (-age * rate)
            end
            local score = decay * base - rp * repf[i] - penalty_seen
            if score >= lowest and (bound_score == nil or ranks_above(bound_score, bound_id, score, i)) then
              if count < capacity then  -- sift up
                count = count + 1
                local child = count
                while child > 1 do
                  local parent = child // 2
                  if not ranks_above(hs[parent], hi[parent], score, i) then break end
                  hs[child], hi[child] = hs[parent], hi[parent]
                  child = parent
                end
                hs[child], hi[child] = score, i
              elseif ranks_above(score, i, hs[1], hi[1]) then  -- replace the lowest, sift down
                local parent = 1
                while true do
                  local left = parent * 2
                  if left > count then break end
                  local lower = left
                  if left + 1 <= count and ranks_above(hs[left], hi[left], hs[left + 1], hi[left + 1]) then lower = left + 1 end
                  if not ranks_above(score, i, hs[lower], hi[lower]) then break end
                  hs[parent], hi[parent] = hs[lower], hi[lower]
                  parent = lower
                end
                hs[parent], hi[parent] = score, i
              end
              if count == capacity then lowest = hs[1] end
            end
          end
        end
      end
    end
    -- The walk: best first, diversity, every post visible.
    local order = {}
    for k = 1, count do order[k] = k end
    table.sort(order, function(x, y) return ranks_above(hs[x], hi[x], hs[y], hi[y]) end)
    for k = 1, count do
      local score, id = hs[order[k]], hi[order[k]]
      bound_score, bound_id = score, id
      local a = author[id]
      if (shown[a] or 0) < max_per_author then
        shown[a] = (shown[a] or 0) + 1
        result[#result + 1] = id
        if #result == page then return result end
      end
    end
    if count < capacity then return result end
    capacity = capacity * 2
  end
end

local function rank_plain()
  local terms = viewer_terms()
  local rate = 1 / (P.half_life_hours * 3600)
  local oldest = now - P.age_max
  local score, order = {}, {}
  for i = 1, n do
    if status[i] == 0 and created[i] > oldest then
      local a = author[i]
      local age = now - created[i]
      if age < 0 then age = 0 end
      local credit_feature = (math.min(math.max(credit[a], 350), 950) - 350) / 600
      score[i] = 2.0 ^ (-age * rate)
          * (1.0 + we * math.log(1 + (likes[i] + 2.0 * comments[i])) + wt * math.log(1 + tips[i])
             + wc * credit_feature + (terms[a] or 0.0))
        - rp * math.log(1 + reports[i]) - (seen[i] and sp or 0)
      order[#order + 1] = i
    end
  end
  table.sort(order, function(x, y) return ranks_above(score[x], x, score[y], y) end)
  local shown, result = {}, {}
  for k = 1, #order do
    local id = order[k]
    local a = author[id]
    if (shown[a] or 0) < max_per_author then
      shown[a] = (shown[a] or 0) + 1
      result[#result + 1] = id
      if #result == page then break end
    end
  end
  return result
end

-- Median (lower) and fastest of `runs` timed calls after one untimed warm-up, in microseconds.
local function measure(rank, runs)
  local result = rank()
  local samples = {}
  for r = 1, runs do
    local start = os.clock()
    result = rank()
    samples[r] = (os.clock() - start) * 1e6
  end
  table.sort(samples)
  return samples[(runs - 1) // 2 + 1], samples[1], table.concat(result, ",")
end

local out = { raw_bytes_per_candidate = (memory_raw_kb - memory_before_kb) * 1024 / n }
if P.same_runs > 0 then
  out.same_median_us, out.same_fastest_us, out.same_ids = measure(rank_same, P.same_runs)
end
if P.plain_runs > 0 then
  out.plain_median_us, out.plain_fastest_us, out.plain_ids = measure(rank_plain, P.plain_runs)
end
return out
