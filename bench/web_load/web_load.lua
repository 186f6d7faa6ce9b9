-- wrk script of bench/web_load.py (see docs/benchmarks.md).
--
--   WEBLOAD_MODE=get      wrk ... -s web_load.lua URL -- <threads> <path> <sessions file or ->
--   WEBLOAD_MODE=transfer wrk ... -s web_load.lua URL -- <threads> <customers file> <origin>
--
-- get: every request GETs <path>, round-robin over the session keys in the file (one a line;
-- "-" sends no cookie). Anything but 200 counts as an error.
--
-- transfer: the 行内转账 flow as a browser runs it, three requests per transfer:
--   1. POST /transfers/intra (the form)         → 302 to /confirm/<id>/
--   2. GET  /confirm/<id>/  (the confirm page)  → 200
--   3. POST /confirm/<id>/  (交易密码 + USBKey 证书密码) → 302 to /confirm/<id>/result with a
--      rotated session key (the step-up rotates it only when the transfer was executed)
-- wrk keeps one Lua state per thread, not per connection, and does not say which connection a
-- response belongs to; so each customer (one live session each) is a small state machine,
-- found again from the response itself: the session key in Set-Cookie (Django sets it on every
-- response: SESSION_SAVE_EVERY_REQUEST), or, after the rotation, the operation id in Location.
-- A thread owns twice as many customers as it has connections, so one is always free.

local mode = os.getenv("WEBLOAD_MODE") or "get"
local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

-- queues ------------------------------------------------------------------------------------

local function queue()
   return {first = 1, last = 0, items = {}}
end

local function push(q, item)
   q.last = q.last + 1
   q.items[q.last] = item
end

local function pop(q)
   if q.first > q.last then
      return nil
   end
   local item = q.items[q.first]
   q.items[q.first] = nil
   q.first = q.first + 1
   return item
end

local function lines(path)
   local out = {}
   for line in io.lines(path) do
      if line ~= "" then
         table.insert(out, line)
      end
   end
   return out
end

local function split(line)
   local out = {}
   for field in string.gmatch(line, "[^\t]+") do
      table.insert(out, field)
   end
   return out
end

-- state (per thread) ----------------------------------------------------------------------------

errors = 0     -- responses that are not what the flow expects
flows = 0      -- transfers confirmed and executed (rotated session seen)
failed = 0     -- confirmations answered with a result page but no rotation (not executed)
idle = 0       -- requests sent because every customer of the thread was busy (should be 0)

local path, keys, rr
local free, toget, topost
local by_key, by_operation = {}, {}
local csrf, origin
local base_headers

function init(args)
   local nthreads = tonumber(args[1])
   if mode == "get" then
      path = args[2]
      keys = {}
      if args[3] ~= "-" then
         for i, key in ipairs(lines(args[3])) do
            keys[#keys + 1] = key
         end
      end
      rr = 0
      return
   end
   -- transfer: customers file, one a line, tab-separated:
   -- session key, csrf token, form body (url-encoded, without the token), confirm body
   origin = args[3]
   free, toget, topost = queue(), queue(), queue()
   for i, line in ipairs(lines(args[2])) do
      if (i - 1) % nthreads == tid then
         local f = split(line)
         local c = {key = f[1], csrf = f[2], form = f[3], confirm = f[4], step = nil}
         by_key[c.key] = c
         push(free, c)
      end
   end
end

local function get_headers(key)
   local h = {["X-Forwarded-Proto"] = "https"}
   if key then
      h["Cookie"] = "__Host-sessionid=" .. key
   end
   return h
end

local function post_headers(c)
   return {
      ["X-Forwarded-Proto"] = "https",
      ["Origin"] = origin,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "__Host-csrftoken=" .. c.csrf .. "; __Host-sessionid=" .. c.key,
   }
end

function request()
   if mode == "get" then
      local key = nil
      if #keys > 0 then
         rr = rr % #keys + 1
         key = keys[rr]
      end
      return wrk.format("GET", path, get_headers(key))
   end
   local c = pop(topost)
   if c then
      c.step = "confirm"
      by_operation[c.operation] = c
      return wrk.format("POST", c.path, post_headers(c),
                        "csrfmiddlewaretoken=" .. c.csrf .. "&" .. c.confirm)
   end
   c = pop(toget)
   if c then
      c.step = "page"
      return wrk.format("GET", c.path, get_headers(c.key))
   end
   c = pop(free)
   if c then
      c.step = "form"
      return wrk.format("POST", "/transfers/intra", post_headers(c),
                        "csrfmiddlewaretoken=" .. c.csrf .. "&" .. c.form)
   end
   idle = idle + 1
   return wrk.format("GET", "/healthz", get_headers(nil))
end

local function session_of(headers)
   local cookie = headers["Set-Cookie"]
   if cookie then
      return string.match(cookie, "__Host%-sessionid=([^;]+)")
   end
   return nil
end

local function rekey(c, key)
   by_key[c.key] = nil
   c.key = key
   by_key[key] = c
end

function response(status, headers, body)
   if mode == "get" then
      if status ~= 200 then
         errors = errors + 1
      end
      return
   end
   local key = session_of(headers)
   local location = headers["Location"] or ""
   local result_of = string.match(location, "/confirm/([^/]+)/result$")
   if result_of and by_operation[result_of] then
      -- 3. the confirmation answered: executed when the step-up rotated the session key.
      local c = by_operation[result_of]
      by_operation[result_of] = nil
      if status == 302 and key and key ~= c.key then
         rekey(c, key)
         flows = flows + 1
      else
         failed = failed + 1
      end
      c.step = nil
      push(free, c)
      return
   end
   local c = key and by_key[key]
   if not c then
      if status ~= 200 or key then   -- /healthz answers 200 without a cookie
         errors = errors + 1
      end
      return
   end
   if c.step == "form" then
      local operation = string.match(location, "/confirm/([^/]+)/$")
      if status == 302 and operation then
         c.path = "/confirm/" .. operation .. "/"
         c.operation = operation
         push(toget, c)
      else
         errors = errors + 1
         push(free, c)
      end
   elseif c.step == "page" then
      if status == 200 then
         push(topost, c)
      else
         errors = errors + 1
         push(free, c)
      end
   elseif c.step == "confirm" then
      -- the confirm page again (a refused credential) instead of the result
      by_operation[c.operation] = nil
      errors = errors + 1
      push(free, c)
   else
      errors = errors + 1
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local totals = {errors = 0, flows = 0, failed = 0, idle = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   io.write(string.format(
      "WEBLOAD {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p90_us\": %d, " ..
      "\"p99_us\": %d, \"max_us\": %d, \"socket_errors\": %d, \"status_errors\": %d, " ..
      "\"timeouts\": %d, \"bad\": %d, \"flows\": %d, \"failed\": %d, \"idle\": %d}\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect + e.read + e.write, e.status, e.timeout,
      totals.errors, totals.flows, totals.failed, totals.idle))
end
