-- POST /api/v1/statuses as a random user from $TOKENS: each author has ~100 followers, so every
-- request is screening + a durable commit + fan-out to ~100 home feeds. Non-2xx answers are
-- counted by wrk itself (see home.lua for why there is no response callback).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = {}
-- Benign text of eight words drawn at random: like real posts, these are not near-duplicates of
-- each other, and no rule or model flags them (a numbered template would be one campaign, and
-- its counter reaches codes such as 1488 that a rule flags; docs/screening.md, "Campaigns").
local words = {"morning", "coffee", "river", "garden", "music", "train", "library", "bread",
  "weekend", "mountain", "bicycle", "window", "letter", "harbour", "market", "autumn", "violin",
  "kitchen", "meadow", "lantern", "pencil", "island", "orchard", "bridge", "blanket", "teapot",
  "sunset", "ferry", "museum", "picnic", "festival", "notebook"}
-- POST_TEXT (optional): every post is this text and one random word from the list, e.g. a text a
-- rule flags, to measure the flagged path of a campaign (every copy a notice joining one case).
local fixed = os.getenv("POST_TEXT")

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

function request()
  local t = tokens[math.random(#tokens)]
  local status
  if fixed then
    status = fixed .. " " .. words[math.random(#words)]
  else
    local text = {}
    for i = 1, 8 do text[i] = words[math.random(#words)] end
    status = table.concat(text, " ") .. " #bench"
  end
  local body = string.format('{"status":"%s","visibility":"public"}', status)
  return wrk.format("POST", "/api/v1/statuses",
                    {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}, body)
end
