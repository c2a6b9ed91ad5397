-- Circuits and their points of interest. Lists (themes, communes) and traces are JSON
-- text: they are read whole, never queried inside.
CREATE TABLE circuits (
    id              TEXT PRIMARY KEY,
    source          TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    practice        TEXT NOT NULL,
    themes          TEXT NOT NULL DEFAULT '[]',
    communes        TEXT NOT NULL DEFAULT '[]',
    trace           TEXT NOT NULL,
    start_lon       REAL NOT NULL,
    start_lat       REAL NOT NULL,
    length_m        REAL NOT NULL,
    ascent_m        REAL NOT NULL,
    descent_m       REAL NOT NULL,
    min_elevation_m REAL,
    max_elevation_m REAL,
    duration_min    INTEGER NOT NULL,
    difficulty      TEXT NOT NULL,
    circuit_type    TEXT NOT NULL,
    published       INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE pois (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    ele         REAL,
    circuit_id  TEXT REFERENCES circuits (id) ON DELETE CASCADE,
    commune     TEXT,
    insee       TEXT,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX pois_by_circuit ON pois (circuit_id);

-- Bumped by every committed import: servers poll it to know when to rebuild their index.
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);
