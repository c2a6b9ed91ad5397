-- Commune boundaries with their intercommunality, and each circuit's intercommunalities
-- (computed with its communes from the trace when boundaries are known).
CREATE TABLE communes (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    intercommunality TEXT,
    polygons         TEXT NOT NULL,
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
ALTER TABLE circuits ADD COLUMN intercommunalities TEXT NOT NULL DEFAULT '[]';
