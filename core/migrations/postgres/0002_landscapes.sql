-- Landscape units (Atlas des Paysages): a MultiPolygon geometry for spatial SQL, and the
-- exact rings as JSON.
CREATE TABLE landscapes (
    id          text PRIMARY KEY,
    source      text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    polygons    jsonb NOT NULL,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX landscapes_geom ON landscapes USING gist (geom);
