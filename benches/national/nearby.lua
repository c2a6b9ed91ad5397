-- Nearby POIs at random places of metropolitan France (benches/national/run.sh).
math.randomseed(7)
request = function()
  local lon = -4.5 + math.random() * 12.0
  local lat = 42.6 + math.random() * 8.3
  return wrk.format("GET", string.format("/api/v1/pois/nearby?lon=%.5f&lat=%.5f&radius=2000&limit=20", lon, lat))
end
