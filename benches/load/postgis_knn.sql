-- Raw PostGIS k-NN for benches/load/nearby.sh: the 20 POIs nearest a random point of the
-- Seine-et-Marne box within 2 km (the box and radius of nearby.lua), through the GiST
-- index on geom::geography, as the PostGIS store asks it. pgbench script.
\set lon 2.39 + random(0, 1000000) * 0.00000117
\set lat 48.12 + random(0, 1000000) * 0.000001
SELECT id, kind, name,
  ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS distance_m
FROM pois
WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 2000)
ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
LIMIT 20;
