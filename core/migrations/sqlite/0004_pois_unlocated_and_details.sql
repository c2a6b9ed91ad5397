-- Inventory notices without a usable location are kept, with no position (searchable,
-- never on the map), and every POI gains its details (heritage, tourism, provenance) as
-- JSON. SQLite cannot drop NOT NULL in place: the table is rebuilt.
CREATE TABLE pois_new (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    lon         REAL,
    lat         REAL,
    ele         REAL,
    circuit_id  TEXT REFERENCES circuits (id) ON DELETE CASCADE,
    commune     TEXT,
    insee       TEXT,
    details     TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
INSERT INTO pois_new (id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee, updated_at)
    SELECT id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee, updated_at FROM pois;
DROP TABLE pois;
ALTER TABLE pois_new RENAME TO pois;
CREATE INDEX pois_by_circuit ON pois (circuit_id);
CREATE INDEX pois_by_position ON pois (lat, lon);
