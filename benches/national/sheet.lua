-- Circuit sheets among the first thousand circuits (BALADE_SHEETS: fewer) (benches/national/run.sh).
math.randomseed(13)
local n = tonumber(os.getenv("BALADE_SHEETS") or "1000")
request = function()
  return wrk.format("GET", string.format("/api/v1/circuits/national-n%d", math.random(0, n - 1)))
end
