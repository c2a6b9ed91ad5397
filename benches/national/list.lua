-- The circuit list with filters (benches/national/run.sh).
math.randomseed(11)
local filters = {
  "/api/v1/circuits?difficulty=easy&limit=20",
  "/api/v1/circuits?theme=patrimoine&duration_max=240&limit=20",
  "/api/v1/circuits?q=national&type=loop&limit=20",
  "/api/v1/circuits?near=2.35,48.85&radius=50000&limit=20",
  "/api/v1/circuits?practice=walk&difficulty=medium&theme=eau&limit=20",
}
request = function()
  return wrk.format("GET", filters[math.random(#filters)])
end
