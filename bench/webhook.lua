-- wrk script: POSTs real Telegram Update JSON to the bot's webhook, as Telegram would.
--
-- Every request carries a new update_id, except every BENCH_RETRY_EVERY-th one, which sends
-- an update of this thread again (a redelivery: the bot must not reply twice). Ids decide the
-- rest, so nc_reply_check can recompute what was expected from the handled ids alone:
--   user (= chat)  1000000 + id % BENCH_USERS
--   id % 3 == 0    "/start"        id % 3 == 1   "/balance"      id % 3 == 2   button "m:balance"
-- Settings come from the environment (delay() must be known when the script loads):
--   BENCH_SECRET       X-Telegram-Bot-Api-Secret-Token (required)
--   BENCH_USERS        distinct users (10000)
--   BENCH_BASE_ID      first update id; thread t uses BASE + t * 100000000 + n (1)
--   BENCH_RETRY_EVERY  every n-th request is a redelivery; 0 for none (20)
--   BENCH_UNIQUE       new updates per thread; after that only redeliveries; 0: no limit (0)
--   BENCH_RATE         requests per second in total, paced; 0: as fast as answers come (0)
--   BENCH_THREADS      wrk's -t, needed for pacing (1)
-- done() prints one machine-readable line: "WRK requests=… p50_us=… p99_us=… …".

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } nc_bench_timespec;
int clock_gettime(int clock_id, nc_bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("nc_bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local function setting(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then return default end
  return value
end

local secret = setting("BENCH_SECRET", nil)
local users = tonumber(setting("BENCH_USERS", "10000"))
local base_id = tonumber(setting("BENCH_BASE_ID", "1"))
local retry_every = tonumber(setting("BENCH_RETRY_EVERY", "20"))
local unique_limit = tonumber(setting("BENCH_UNIQUE", "0"))
local rate = tonumber(setting("BENCH_RATE", "0"))
local threads = tonumber(setting("BENCH_THREADS", "1"))
local kThreadStride = 100000000
local kFirstUser = 1000000

if secret == nil then error("BENCH_SECRET is not set") end

local headers = {
  ["Content-Type"] = "application/json",
  ["X-Telegram-Bot-Api-Secret-Token"] = secret,
}

local text_update = '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,'
  .. '"first_name":"Bench","language_code":"en"},"chat":{"id":%d,"first_name":"Bench",'
  .. '"type":"private"},"date":1735689600,"text":"%s","entities":[{"offset":0,"length":%d,'
  .. '"type":"bot_command"}]}}'
local button_update = '{"update_id":%d,"callback_query":{"id":"cb%d","from":{"id":%d,'
  .. '"is_bot":false,"first_name":"Bench","language_code":"en"},"message":{"message_id":1,'
  .. '"chat":{"id":%d,"type":"private"},"date":1735689600,"text":"menu"},'
  .. '"chat_instance":"1","data":"m:balance"}}'

local function update_body(id)
  local user = kFirstUser + id % users
  local kind = id % 3
  if kind == 2 then return string.format(button_update, id, id, user, user) end
  local command = kind == 0 and "/start" or "/balance"
  return string.format(text_update, id, id % 1000000000, user, user, command, #command)
end

-- Main state: keeps the threads so done() can add up their counters.
local all_threads = {}
local thread_count = 0
function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(all_threads, thread)
end

-- Thread states.
created = 0   -- new update ids sent
retried = 0   -- redeliveries sent
sent = 0
local first_id = nil

function init(args)
  first_id = base_id + thread_index * kThreadStride
end

function request()
  sent = sent + 1
  local id
  local exhausted = unique_limit > 0 and created >= unique_limit
  if created > 0 and (exhausted or (retry_every > 0 and sent % retry_every == 0)) then
    -- The latest update again, or (once the new ones are used up) each earlier one in turn.
    id = first_id + (exhausted and (sent % created) or (created - 1))
    retried = retried + 1
  else
    id = first_id + created
    created = created + 1
  end
  return wrk.format("POST", "/tg/webhook", headers, update_body(id))
end

if rate > 0 then
  -- Pacing per thread on a fixed schedule: request k goes out at start + k * interval on
  -- whichever of the thread's connections is free, so a slow answer does not shift the ones
  -- after it. wrk measures each latency from the actual send.
  local interval = threads * 1000.0 / rate
  local next_slot = nil
  function delay()
    local now = now_ms()
    if next_slot == nil then next_slot = now end
    local wait = next_slot - now
    next_slot = next_slot + interval
    if wait < 0 then return 0 end
    return math.floor(wait)
  end
end

function done(summary, latency, requests)
  local new_updates, redeliveries = 0, 0
  for _, thread in ipairs(all_threads) do
    new_updates = new_updates + thread:get("created")
    redeliveries = redeliveries + thread:get("retried")
  end
  local errors = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d rps=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f "
      .. "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d "
      .. "new_updates=%d redeliveries=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    new_updates, redeliveries))
end
