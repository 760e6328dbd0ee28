-- The wrk script of `make bench` (see bench/scenarios.py for the plan it reads).
--
-- BENCH_PLAN names a tab-separated plan: `area <province> <district>`, `name <first> <last>`
-- and `req <weight> <method> <body kind> <token> <path>` lines. Each request picks a `req`
-- line by weight; intake bodies are made fresh for every request. BENCH_OUT names the JSON
-- file written at the end: requests, duration, latency percentiles, statuses, socket errors.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

local requests_plan = {}
local cumulative = {}
local total_weight = 0
local names = {}
local province, district = "10", "1001"
statuses = {}

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_number * 7919 + math.floor(os.clock() * 1e6))
  for _ = 1, 10 do math.random() end
  local file = assert(io.open(os.getenv("BENCH_PLAN"), "r"))
  for line in file:lines() do
    local f = split(line)
    if f[1] == "area" then
      province, district = f[2], f[3]
    elseif f[1] == "name" then
      table.insert(names, {f[2], f[3]})
    elseif f[1] == "req" then
      total_weight = total_weight + tonumber(f[2])
      table.insert(cumulative, total_weight)
      table.insert(requests_plan, {method = f[3], body = f[4], token = f[5], path = f[6]})
    end
  end
  file:close()
  assert(#requests_plan > 0, "the plan has no requests")
end

local function pick()
  local target = math.random() * total_weight
  local low, high = 1, #cumulative
  while low < high do
    local middle = math.floor((low + high) / 2)
    if cumulative[middle] < target then low = middle + 1 else high = middle end
  end
  return requests_plan[low]
end

local function hex16()
  return string.format("%04x", math.random(0, 0xffff))
end

local function uuid4()
  return hex16() .. hex16() .. "-" .. hex16() .. "-" ..
    string.format("4%03x", math.random(0, 0xfff)) .. "-" ..
    string.format("%04x", 0x8000 + math.random(0, 0x3fff)) .. "-" ..
    hex16() .. hex16() .. hex16()
end

-- A valid Thai id: 12 digits (the first 1 to 8) and the mod-11 check digit.
local function thai_id()
  local digits, sum = {}, 0
  for i = 1, 12 do
    local d = (i == 1) and math.random(1, 8) or math.random(0, 9)
    digits[i] = d
    sum = sum + d * (14 - i)
  end
  digits[13] = (11 - sum % 11) % 10
  return table.concat(digits)
end

local function mobile()
  return string.format("08%d-%03d-%04d", math.random(0, 9), math.random(0, 999),
    math.random(0, 9999))
end

local categories = {"older_person", "income_livelihood", "homeless_destitute", "disability",
  "family_relationship", "health_mental_health"}
local urgencies = {"normal", "normal", "high", "low"}
local sequence = 0

local function intake_body()
  local name = names[math.random(#names)] or {"สมชาย", "ใจดี"}
  return string.format(
    '{"summary":"ผู้สูงอายุอยู่บ้านลำพัง ไม่มีรายได้ ขาดอาหาร เพื่อนบ้านแจ้ง",' ..
    '"categories":["%s"],"urgency":"%s","channel":"mobile","client_reference":"%s",' ..
    '"client":{"first_name":"%s","last_name":"%s","id_type":"thai_id","id_number":"%s",' ..
    '"birth_year":%d,"phone":"%s"},"reporter":{"relationship":"neighbour"},' ..
    '"location":{"province_code":"%s","district_code":"%s"},' ..
    '"consent":{"data_collection":"given","share_with_agencies":true}}',
    categories[math.random(#categories)], urgencies[math.random(#urgencies)], uuid4(),
    name[1], name[2], thai_id(), math.random(2480, 2560), mobile(), province, district)
end

local function limit_body()
  local name = names[math.random(#names)] or {"สมชาย", "ใจดี"}
  return string.format(
    '{"summary":"ผู้สูงอายุอยู่บ้านลำพัง ไม่มีรายได้ ขาดอาหาร เพื่อนบ้านแจ้ง",' ..
    '"category":"%s","priority":"%s","province":"%s","client_name":"%s %s",' ..
    '"client_phone":"%s"}',
    categories[math.random(#categories)], urgencies[math.random(#urgencies)], province,
    name[1], name[2], mobile())
end

function request()
  local r = pick()
  local headers = {["Authorization"] = "Bearer " .. r.token}
  local body = nil
  if r.body ~= "-" then
    headers["Content-Type"] = "application/json"
    sequence = sequence + 1
    if r.body == "intake" then
      headers["Idempotency-Key"] = uuid4()
      body = intake_body()
    elseif r.body == "limit_intake" then
      body = limit_body()
    elseif r.body == "patch" then
      headers["If-Match"] = "*"
      body = string.format('{"summary":"ติดตามเยี่ยมบ้านครั้งที่ %d %s"}', sequence, uuid4())
    elseif r.body == "note" then
      body = string.format('{"body":"โทรติดตามแล้ว นัดเยี่ยมบ้าน (%d)"}', sequence)
    end
  end
  return wrk.format(r.method, r.path, headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%s":%d', status, count))
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"latency_us":{"p50":%d,"p95":%d,"p99":%d,"mean":%.1f,"max":%d},' ..
    '"statuses":{%s},"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max, table.concat(parts, ","), e.connect, e.read, e.write, e.timeout))
  out:close()
end
