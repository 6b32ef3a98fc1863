-- wrk: 1-fen transfers between many users. Each request comes from the next token of TOKENS_FILE
-- (users FIRST_USER, FIRST_USER+1, ... in file order) to the following user, with a fresh
-- Idempotency-Key so that none is a replay.
local tokens = {}
local index = 0
local counter = 0
local prefix = ""
local first_user = tonumber(os.getenv("FIRST_USER") or "2")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
  index = (thread_id * 97) % #tokens
  prefix = os.getenv("RUN_ID") .. "-" .. thread_id .. "-"
end

function request()
  index = index % #tokens + 1
  counter = counter + 1
  local to = first_user + (index % #tokens)
  local body = string.format('{"to_user_id":%d,"amount_fen":1}', to)
  return wrk.format("POST", "/v1/wallet/transfers", {
    ["Authorization"] = "Bearer " .. tokens[index],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. counter,
  }, body)
end
