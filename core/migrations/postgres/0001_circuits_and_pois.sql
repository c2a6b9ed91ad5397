-- Circuits and their points of interest, with PostGIS geometries (SRID 4326) under GiST
-- indexes for the spatial queries. The exact trace (with its missing elevations) is kept
-- as JSON beside the geometry, which is what spatial SQL works on.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE circuits (
    id              text PRIMARY KEY,
    source          text NOT NULL UNIQUE,
    name            text NOT NULL,
    summary         text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    practice        text NOT NULL,
    themes          jsonb NOT NULL DEFAULT '[]',
    communes        jsonb NOT NULL DEFAULT '[]',
    trace           jsonb NOT NULL,
    -- NULL only for a trace with no segment of two points.
    geom            geometry(MultiLineString, 4326),
    start           geometry(Point, 4326) NOT NULL,
    length_m        double precision NOT NULL,
    ascent_m        double precision NOT NULL,
    descent_m       double precision NOT NULL,
    min_elevation_m double precision,
    max_elevation_m double precision,
    duration_min    bigint NOT NULL,
    difficulty      text NOT NULL,
    circuit_type    text NOT NULL,
    published       boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX circuits_geom ON circuits USING gist (geom);
CREATE INDEX circuits_start ON circuits USING gist (start);

CREATE TABLE pois (
    id          text PRIMARY KEY,
    source      text NOT NULL UNIQUE,
    kind        text NOT NULL,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    geom        geometry(Point, 4326) NOT NULL,
    ele         double precision,
    circuit_id  text REFERENCES circuits (id) ON DELETE CASCADE,
    commune     text,
    insee       text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pois_geom ON pois USING gist (geom);
-- Distances in metres go through geography: index that expression too.
CREATE INDEX pois_geog ON pois USING gist ((geom::geography));
CREATE INDEX pois_by_circuit ON pois (circuit_id);

-- Bumped by every committed import; a NOTIFY on `balade_changes` goes with it.
CREATE TABLE revision (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);
