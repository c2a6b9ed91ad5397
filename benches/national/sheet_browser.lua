-- Circuit sheets as a browser asks them, brotli accepted (benches/national/run.sh).
math.randomseed(13)
local n = tonumber(os.getenv("BALADE_SHEETS") or "1000")
request = function()
  return wrk.format("GET", string.format("/api/v1/circuits/national-n%d", math.random(0, n - 1)),
    { ["Accept-Encoding"] = "gzip, deflate, br, zstd" })
end
