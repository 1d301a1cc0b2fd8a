-- wrk script for GLPI's requests with one header rotating over many values
-- (see bench/run.sh), sent with the headers GLPI 10.0 sends.
--
-- Usage: wrk ... -s rotate.lua URL -- MODE ARGS... [THREADS]
--   keys KEYFILE FIRST COUNT   GET /api/registration/info with the keys of
--                              lines FIRST to FIRST+COUNT-1 of KEYFILE (one
--                              key per line, as "glpinetd key bulk-issue"
--                              or bench/keygen write them); each key gets
--                              its own 40-character X-Glpi-Network-Uid, as
--                              if every key belonged to another GLPI
--   ranges COUNT KEY           GET /api/marketplace/plugins (gzip) with
--                              X-Range over COUNT ranges of 200 items that
--                              do not start at a multiple of 200: 7-206,
--                              13-212, 19-218… (start 7 + 6i)
--   hosts COUNT KEY            the same with X-Range 0-199 and a Host header
--                              over COUNT made-up names (h000001.example…)
--   THREADS                    wrk's -t, to spread the threads' starting
--                              offsets (default 2)
--
-- Each thread cycles over all the values, starting at a different offset,
-- so every value is used early in the run. Requests are formatted once in
-- init(), so that request() costs wrk almost nothing and the load generator
-- stays as cheap as with plain -H headers.

-- setup() runs in wrk's main Lua state before each thread's init().
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

local reqs = {}
local n = 0
local i = 0
local ua = "GLPI/10.0.16 (installation-mode:TARBALL)"

local function info(key, line)
   return wrk.format("GET", "/api/registration/info", {
      ["Accept"] = "application/json",
      ["Accept-Language"] = "en",
      ["Content-Type"] = "application/json",
      ["User-Agent"] = ua,
      ["X-Registration-Key"] = key,
      -- 40 characters in [0-9a-zA-Z]
      ["X-Glpi-Network-Uid"] = string.format("benchInstance%027d", line),
   })
end

local function plugins(key, range, host)
   return wrk.format("GET", "/api/marketplace/plugins", {
      ["X-Range"] = range,
      ["User-Agent"] = ua,
      ["X-Registration-Key"] = key,
      ["Accept"] = "application/json",
      ["Accept-Encoding"] = "gzip",
      ["Host"] = host,
   })
end

function init(args)
   local mode, nthreads = args[1], 2
   if mode == "keys" then
      local file, first, count = args[2], tonumber(args[3] or "1"), tonumber(args[4] or "10000")
      if not file then
         error("rotate.lua keys needs: KEYFILE FIRST COUNT")
      end
      nthreads = tonumber(args[5] or "2")
      local line = 0
      for key in io.lines(file) do
         line = line + 1
         if line >= first then
            if n >= count then break end
            n = n + 1
            reqs[n] = info(key, line)
         end
      end
      if n < count then
         error(string.format("rotate.lua: %s has only %d keys from line %d", file, n, first))
      end
   elseif mode == "ranges" or mode == "hosts" then
      local count, key = tonumber(args[2] or "0"), args[3]
      if count < 1 or not key then
         error("rotate.lua " .. mode .. " needs: COUNT KEY")
      end
      nthreads = tonumber(args[4] or "2")
      for k = 0, count - 1 do
         n = n + 1
         if mode == "ranges" then
            local s = 7 + 6 * k
            reqs[n] = plugins(key, string.format("%d-%d", s, s + 199), nil)
         else
            reqs[n] = plugins(key, "0-199", string.format("h%06d.example", k + 1))
         end
      end
   else
      error("rotate.lua: the first argument is keys, ranges or hosts")
   end
   -- spread the threads over the list
   i = math.floor(n * ((id or 0) % nthreads) / nthreads)
end

function request()
   i = i + 1
   if i > n then i = 1 end
   return reqs[i]
end
