-- Visits every user's home timeline in turn (threads interleave), so that the measured run finds
-- warm feeds: the budget is for warm timelines; a feed's first read after a restart rebuilds it.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  next_index = id + 1
  stride = tonumber(os.getenv("WRK_THREADS") or "2")
end

function request()
  local t = tokens[((next_index - 1) % #tokens) + 1]
  next_index = next_index + stride
  return wrk.format("GET", "/api/v1/timelines/home", {["Authorization"] = "Bearer " .. t})
end
