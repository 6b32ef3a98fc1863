-- wrk: feed requests from many users. Each request uses the next bearer token of TOKENS_FILE
-- (one per line) and asks for FEED_PATH.
local tokens = {}
local index = 0
local path = os.getenv("FEED_PATH") or "/v1/circles/campus-diary/feed?limit=20"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
  index = (thread_id * 97) % #tokens
end

function request()
  index = index % #tokens + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[index] })
end
