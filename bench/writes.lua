-- wrk script for bench/writes.sh: one writer per wrk thread (run with -t8 -c8), so each thread
-- owns one connection and its own articles, and sends its next write when the previous one
-- has been answered. Configured through the environment, because wrk hands script arguments
-- to the threads only, not to setup():
--
--   WRITES_MODE         append | patch
--   WRITES_TOKEN        bearer access token
--   WRITES_IDS          file with one line per writer: the ids of that writer's articles
--   WRITES_PER_ARTICLE  append only: how many children to append to an article before moving
--                       on to the writer's next one (room left under the 200-per-kind limit)
--
-- Only 2xx answers count as writes. Anything else is counted apart, and the first such answer
-- of each writer is kept so that the caller can show it and fail.

local mode = os.getenv("WRITES_MODE")
local token = os.getenv("WRITES_TOKEN")
local per_article = tonumber(os.getenv("WRITES_PER_ARTICLE") or "0")

local function read_writers()
  local lines = {}
  for line in io.lines(os.getenv("WRITES_IDS")) do
    if line:match("%S") then table.insert(lines, line) end
  end
  return lines
end

-- In the main Lua state: hand each thread its writer number and its articles.
local writers = read_writers()
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  local n = #threads
  if writers[n] == nil then
    error("writes.lua: more wrk threads than lines in " .. os.getenv("WRITES_IDS"))
  end
  thread:set("writer", n)
  thread:set("id_line", writers[n])
end

-- In each thread's Lua state.
local ids = {}
local current = 1     -- index into ids of the article being written
local on_current = 0  -- appends sent to it so far
local sent = 0
local headers = {}
ok = 0
bad = 0

function init(args)
  for id in id_line:gmatch("%S+") do table.insert(ids, id) end
  headers["Authorization"] = "Bearer " .. token
  if mode == "append" then
    headers["Content-Type"] = "application/json"
  elseif mode == "patch" then
    headers["Content-Type"] = "application/merge-patch+json"
  else
    error("writes.lua: WRITES_MODE must be append or patch")
  end
end

function request()
  sent = sent + 1
  if mode == "append" then
    -- Move to the next article when this one is full. When a writer has no article left, it
    -- keeps writing to its last one, which answers 422: counted as failures, never as writes.
    if on_current >= per_article and current < #ids then
      current = current + 1
      on_current = 0
    end
    on_current = on_current + 1
    local body = string.format(
      '{"text": "Desk %d, note %d: the clerk added another item to the council minutes."}',
      writer, sent)
    return wrk.format("POST", "/api/v1/articles/" .. ids[current] .. "/key-takeaways",
      headers, body)
  else
    -- A new value on every request, so that every PATCH really changes the article.
    local body = string.format(
      '{"dek": "The council summary as revised by desk %d, edit number %d."}', writer, sent)
    return wrk.format("PATCH", "/api/v1/articles/" .. ids[1], headers, body)
  end
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == nil then
      first_bad = status .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
    end
  end
end

-- Back in the main state: one line for the shell script to read.
--   RESULT <2xx> <non-2xx> <socket errors> <duration µs> <p99 µs>
--   BAD <writer> <status> <start of body>
function done(summary, latency, requests)
  local total_ok, total_bad = 0, 0
  for i, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("bad")
    local fb = t:get("first_bad")
    if fb ~= nil then io.write(string.format("BAD %d %s\n", i, fb)) end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\n", total_ok, total_bad,
    e.connect + e.read + e.write + e.timeout, summary.duration, latency:percentile(99)))
end
