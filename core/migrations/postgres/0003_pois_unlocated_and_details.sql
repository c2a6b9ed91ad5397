-- Inventory notices without a usable location are kept, with no position (searchable,
-- never on the map), and every POI gains its details (heritage, tourism, provenance).
ALTER TABLE pois ALTER COLUMN geom DROP NOT NULL;
ALTER TABLE pois ADD COLUMN details jsonb NOT NULL DEFAULT '{}';
