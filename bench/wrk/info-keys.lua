-- wrk script for GET /api/registration/info with many registration keys,
-- sent with the headers GLPI 10.0 sends (see bench/run.sh).
--
-- Usage: wrk ... -s info-keys.lua URL -- KEYFILE FIRST COUNT [THREADS]
--   KEYFILE  one key per line (from "glpinetd key bulk-issue")
--   FIRST    1-based line of the first key to use
--   COUNT    how many consecutive keys to rotate over
--   THREADS  wrk's -t, to spread the threads' starting offsets (default 2)
--
-- Each thread cycles over all COUNT keys, starting at a different offset,
-- so every key is used early in the run. Each key gets its own 40-character
-- X-Glpi-Network-Uid, as if every key belonged to a different GLPI instance.
-- Requests are formatted once in init(), so that request() costs wrk almost
-- nothing and the load generator stays as cheap as with plain -H headers.

-- setup() runs in wrk's main Lua state before each thread's init().
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

local reqs = {}
local n = 0
local i = 0

local function uid(k)
   -- 40 characters in [0-9a-zA-Z]
   return string.format("benchInstance%027d", k)
end

function init(args)
   local file, first, count = args[1], tonumber(args[2] or "1"), tonumber(args[3] or "10000")
   if not file then
      error("info-keys.lua needs: -- KEYFILE FIRST COUNT")
   end
   local line = 0
   for key in io.lines(file) do
      line = line + 1
      if line >= first then
         if n >= count then break end
         n = n + 1
         reqs[n] = wrk.format("GET", "/api/registration/info", {
            ["Accept"] = "application/json",
            ["Accept-Language"] = "en",
            ["Content-Type"] = "application/json",
            ["User-Agent"] = "GLPI/10.0.16 (installation-mode:TARBALL)",
            ["X-Registration-Key"] = key,
            ["X-Glpi-Network-Uid"] = uid(line),
         })
      end
   end
   if n < count then
      error(string.format("info-keys.lua: %s has only %d keys from line %d", file, n, first))
   end
   -- spread the threads over the key list
   local nthreads = tonumber(args[4] or "2")
   i = math.floor(n * ((id or 0) % nthreads) / nthreads)
end

function request()
   i = i + 1
   if i > n then i = 1 end
   return reqs[i]
end
