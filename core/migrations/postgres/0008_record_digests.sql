-- A checksum of every field of each imported record, as the importer saw it: planning a
-- re-import compares checksums, not whole records. NULL (rows written before, or moved by
-- something else than an import) means: compare the whole record.
ALTER TABLE circuits ADD COLUMN digest BIGINT;
ALTER TABLE pois ADD COLUMN digest BIGINT;
ALTER TABLE landscapes ADD COLUMN digest BIGINT;
ALTER TABLE communes ADD COLUMN digest BIGINT;
ALTER TABLE observations ADD COLUMN digest BIGINT;
