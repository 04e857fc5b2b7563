-- POST /api/v1/statuses/:id/favourite as a random user from $TOKENS on a random status from
-- $STATUS_IDS (one id per line): a durable write (the favourite, the counter, a notification for
-- the author) per request. Pairs repeat rarely with thousands of users and statuses; a repeat is
-- answered without a write, as Mastodon does.
local tokens, ids = {}, {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
for line in io.lines(os.getenv("STATUS_IDS")) do ids[#ids + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

function request()
  local t = tokens[math.random(#tokens)]
  local path = "/api/v1/statuses/" .. ids[math.random(#ids)] .. "/favourite"
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. t})
end
