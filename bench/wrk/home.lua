-- GET /api/v1/timelines/home as a random user from $TOKENS (one token per line).
--
-- No response() callback: with one, wrk hands every response's headers and body to Lua, which
-- interns each 32 kB body as a string. nginx's bodies are all the same string (cheap to intern),
-- stoa's differ per user (a fresh allocation and copy each time), so the callback alone cost wrk
-- twice as much CPU per stoa response as per nginx response on the shared two cores: it measured
-- the load tool, not the servers. wrk counts non-2xx answers itself ("Non-2xx or 3xx responses"),
-- which bench/run.sh reports.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

-- The same script (and so the same client-side cost) drives the nginx baseline: PATH selects
-- the file it serves instead.
local path = os.getenv("WRK_PATH") or "/api/v1/timelines/home"

function request()
  local t = tokens[math.random(#tokens)]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. t})
end
