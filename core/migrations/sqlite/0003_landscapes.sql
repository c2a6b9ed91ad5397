-- Landscape units (Atlas des Paysages): polygons kept as JSON, with their box for
-- quick rejection.
CREATE TABLE landscapes (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    polygons    TEXT NOT NULL,
    west        REAL NOT NULL,
    south       REAL NOT NULL,
    east        REAL NOT NULL,
    north       REAL NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
