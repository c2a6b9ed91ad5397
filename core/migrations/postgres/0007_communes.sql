-- Commune boundaries with their intercommunality, and each circuit's intercommunalities
-- (computed with its communes from the trace when boundaries are known).
CREATE TABLE communes (
    code             text PRIMARY KEY,
    name             text NOT NULL,
    intercommunality text,
    polygons         jsonb NOT NULL,
    geom             geometry(MultiPolygon, 4326) NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX communes_geom ON communes USING gist (geom);
ALTER TABLE circuits ADD COLUMN intercommunalities jsonb NOT NULL DEFAULT '[]';
