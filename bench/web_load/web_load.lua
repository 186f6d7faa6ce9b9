-- wrk script of bench/web_load.py (see docs/benchmarks.md).
--
--   WEBLOAD_MODE=get      wrk ... -s web_load.lua URL -- <threads> <path> <sessions file or ->
--   WEBLOAD_MODE=transfer wrk -tN -cN ... -s web_load.lua URL -- <N> <customers file> <origin>
--
-- get: every request GETs <path>, round-robin over the sessions in the file (one a line: the
-- session key, a tab, the CSRF cookie's value — a logged-in browser holds both since its login;
-- "-" sends no cookie). Anything but 200 counts as an error.
--
-- transfer: the 行内转账 flow as a browser runs it, three requests per transfer:
--   1. POST /transfers/intra (the form)         → 302 to /confirm/<id>/
--   2. GET  /confirm/<id>/  (the confirm page)  → 200
--   3. POST /confirm/<id>/  (交易密码 + USBKey 证书密码) → 302 to /confirm/<id>/result with a
--      rotated session key (the step-up rotates it only when the transfer was executed)
-- Run with as many threads as connections: wrk keeps one Lua state per thread, so each
-- connection then has its own state and its requests and responses strictly alternate — a
-- browser tab. A thread owns the customers whose line number matches it and takes them in
-- turn, one transfer each.

local mode = os.getenv("WEBLOAD_MODE") or "get"
local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
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

-- state (per thread = per connection in transfer mode) -----------------------------------------

errors = 0     -- responses that are not what the flow expects
flows = 0      -- transfers confirmed and executed (rotated session seen)
failed = 0     -- confirmations answered with a result page but no rotation (not executed)

local path, keys, rr
local customers, turn, current
local origin

function init(args)
   local nthreads = tonumber(args[1])
   if mode == "get" then
      path = args[2]
      keys = {}
      if args[3] ~= "-" then
         for i, line in ipairs(lines(args[3])) do
            local f = split(line)
            keys[#keys + 1] = {key = f[1], csrf = f[2]}
         end
      end
      rr = 0
      return
   end
   -- transfer: customers file, one a line, tab-separated:
   -- session key, csrf token, form body (url-encoded, without the token), confirm body
   origin = args[3]
   customers, turn = {}, 0
   for i, line in ipairs(lines(args[2])) do
      if (i - 1) % nthreads == tid then
         local f = split(line)
         table.insert(customers, {key = f[1], csrf = f[2], form = f[3], confirm = f[4],
                                  step = "form"})
      end
   end
end

local function get_headers(key, csrf)
   local h = {["X-Forwarded-Proto"] = "https"}
   if key and csrf then
      h["Cookie"] = "__Host-csrftoken=" .. csrf .. "; __Host-sessionid=" .. key
   elseif key then
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
      if #keys > 0 then
         rr = rr % #keys + 1
         return wrk.format("GET", path, get_headers(keys[rr].key, keys[rr].csrf))
      end
      return wrk.format("GET", path, get_headers(nil, nil))
   end
   if current == nil then
      turn = turn % #customers + 1
      current = customers[turn]
      current.step = "form"
   end
   local c = current
   if c.step == "confirm" then
      return wrk.format("POST", c.path, post_headers(c),
                        "csrfmiddlewaretoken=" .. c.csrf .. "&" .. c.confirm)
   elseif c.step == "page" then
      return wrk.format("GET", c.path, get_headers(c.key, c.csrf))
   end
   return wrk.format("POST", "/transfers/intra", post_headers(c),
                     "csrfmiddlewaretoken=" .. c.csrf .. "&" .. c.form)
end

local function session_of(headers)
   local cookie = headers["Set-Cookie"]
   if cookie then
      return string.match(cookie, "__Host%-sessionid=([^;]+)")
   end
   return nil
end

function response(status, headers, body)
   if mode == "get" then
      if status ~= 200 then
         errors = errors + 1
      end
      return
   end
   local c = current
   local key = session_of(headers)
   local location = headers["Location"] or ""
   if c.step == "form" then
      local operation = string.match(location, "/confirm/([^/]+)/$")
      if status == 302 and operation then
         c.path = "/confirm/" .. operation .. "/"
         c.operation = operation
         c.step = "page"
         if key then c.key = key end   -- an idle-timeout refresh re-sends the same key
         return
      end
      errors = errors + 1
   elseif c.step == "page" then
      if status == 200 then
         c.step = "confirm"
         if key then c.key = key end
         return
      end
      errors = errors + 1
   elseif c.step == "confirm" then
      local result_of = string.match(location, "/confirm/([^/]+)/result$")
      if status == 302 and result_of == c.operation then
         -- executed when the step-up rotated the session key
         if key and key ~= c.key then
            c.key = key
            flows = flows + 1
         else
            failed = failed + 1
         end
      else
         errors = errors + 1   -- the confirm page again: a refused credential
      end
   end
   current = nil   -- next transfer: the thread's next customer
end

function done(summary, latency, requests)
   local e = summary.errors
   local totals = {errors = 0, flows = 0, failed = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   io.write(string.format(
      "WEBLOAD {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p90_us\": %d, " ..
      "\"p99_us\": %d, \"max_us\": %d, \"socket_errors\": %d, \"status_errors\": %d, " ..
      "\"timeouts\": %d, \"bad\": %d, \"flows\": %d, \"failed\": %d}\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect + e.read + e.write, e.status, e.timeout,
      totals.errors, totals.flows, totals.failed))
end
