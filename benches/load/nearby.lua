-- wrk request generator: `GET /api/v1/pois/nearby` around random points of
-- Seine-et-Marne, the same sequence on every run. The requests are formatted once at
-- start so that wrk spends its CPU sending them, not building them.
math.randomseed(42)
local requests = {}
for i = 1, 4096 do
  local lon = 2.39 + math.random() * (3.56 - 2.39)
  local lat = 48.12 + math.random() * (49.12 - 48.12)
  local path = string.format("/api/v1/pois/nearby?lon=%.5f&lat=%.5f&radius=2000&limit=20", lon, lat)
  requests[i] = wrk.format("GET", path)
end
local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
