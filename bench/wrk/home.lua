-- GET /api/v1/timelines/home as a random user from $TOKENS (one token per line).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  non200 = 0
end

-- The same script (and so the same client-side cost) drives the nginx baseline: PATH selects
-- the file it serves instead.
local path = os.getenv("WRK_PATH") or "/api/v1/timelines/home"

function request()
  local t = tokens[math.random(#tokens)]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. t})
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  io.write(string.format("non-200 responses: %d\n", bad))
end
