-- wrk request generator for abuse.sh: half `GET /api/v1/pois/nearby` around random
-- points of the demo's area, half `GET /api/v1/circuits` with a varying filter, the same
-- sequence on every run, formatted once at start.
math.randomseed(7)
local filters = { "", "?difficulty=easy", "?type=loop", "?q=moulin", "?theme=patrimoine",
  "?near=2.7,48.4&radius=20000", "?duration_min=60&duration_max=180", "?lang=en" }
local requests = {}
for i = 1, 4096 do
  if i % 2 == 0 then
    local lon = 2.5 + math.random() * 0.9
    local lat = 48.2 + math.random() * 0.8
    requests[i] = wrk.format("GET",
      string.format("/api/v1/pois/nearby?lon=%.5f&lat=%.5f&radius=2000&limit=20", lon, lat))
  else
    requests[i] = wrk.format("GET", "/api/v1/circuits" .. filters[math.random(#filters)])
  end
end
local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
