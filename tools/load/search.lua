-- wrk script: searches as professionals type them, over /api/v1/search.
--
--   wrk -t2 -c50 -d30s -s tools/load/search.lua http://127.0.0.1:8080
--
-- LOAD_MODE=cold adds a random offset (0-499) to each request so that
-- requests rarely repeat and the result cache seldom answers; the default
-- mix repeats the same searches, as real use does.
local queries = {
  "terapia", "seksuaaliterapia", "lastensuojelu", "lastensuojelun", "perheneuvola",
  "Tampere", "Tammerfors", "Oulussa", "rikos", "seksuaalirikos", "seksuaalit",
  "lastensuojleu", "psykoterapia Tampere", "RISE", "child welfare", "barnskydd",
  "nuorisopsykiatria", "kriisipuhelin", "vankila", "Anne Saarinen",
}
local filters = { "", "&type=service", "&municipality=837", "&target_group=worried-about-own-thoughts" }
local cold = os.getenv("LOAD_MODE") == "cold"

math.randomseed(os.time())

local function escape(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  local q = queries[math.random(#queries)]
  local path = "/api/v1/search?q=" .. escape(q) .. filters[math.random(#filters)]
  if cold then
    path = path .. "&offset=" .. math.random(0, 499)
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d (status %d, timeout %d), %.0f req/s\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.errors.timeout, summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("p%d %.1f ms\n", p, latency:percentile(p) / 1000))
  end
end
