-- POST /api/v1/statuses as a random user from $TOKENS: each author has ~100 followers, so every
-- request is screening + a durable commit + fan-out to ~100 home feeds. Non-2xx answers are
-- counted by wrk itself (see home.lua for why there is no response callback).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

function request()
  counter = counter + 1
  local t = tokens[math.random(#tokens)]
  local body = string.format('{"status":"benchmark post %d from thread %d #bench","visibility":"public"}', counter, id)
  return wrk.format("POST", "/api/v1/statuses",
                    {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}, body)
end
