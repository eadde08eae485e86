-- wrk script: POST creates with a name unique per thread and request, so
-- every request is a real create (a repeated name would answer DLI.0006).
-- Classic connections by default; API=enhanced creates enhanced ones with
-- their required fields, as the classic ones are; API=enhanced-pool binds
-- each to an elastic resource pool too.
-- Usage (see README.md, "The mock server"):
--   wrk -t2 -c2 -d10s --latency -s scripts/wrk-create.lua http://127.0.0.1:8080
--   API=enhanced wrk -t2 -c2 -d10s --latency -s scripts/wrk-create.lua http://127.0.0.1:8080
-- thread_id and non201 are per-thread globals: setup() and done() reach
-- them through thread:set and thread:get.
local counter = 0
thread_id = 0
non201 = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local api = os.getenv("API") or "classic"
local enhanced = api == "enhanced" or api == "enhanced-pool"
local pool = ""
if api == "enhanced-pool" then
  pool = ',"elastic_resource_pools":["pool1"]'
end
local project = "0123456789abcdef0123456789abcdef"

function request()
  counter = counter + 1
  if enhanced then
    local body = string.format(
      '{"name":"w%d_%d","dest_vpc_id":"vpc","dest_network_id":"subnet"%s}',
      thread_id, counter, pool)
    return wrk.format("POST", "/v2.0/" .. project .. "/datasource/enhanced-connections",
      {["Content-Type"] = "application/json"}, body)
  end
  local body = string.format(
    '{"name":"w%d_%d","service":"RDS","security_group_id":"sg","network_id":"net","url":"192.168.12.148:3306"}',
    thread_id, counter)
  return wrk.format("POST", "/v2.0/" .. project .. "/datasource-connection",
    {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 then
    non201 = non201 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non201") or 0)
  end
  io.write(string.format("non-201 responses: %d\n", bad))
end
