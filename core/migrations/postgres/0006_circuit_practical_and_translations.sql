-- A circuit's practical information (access, parking, transport, season, advice,
-- accessibility, directions) and its texts in other languages, as JSON objects.
ALTER TABLE circuits ADD COLUMN practical jsonb NOT NULL DEFAULT '{}';
ALTER TABLE circuits ADD COLUMN translations jsonb NOT NULL DEFAULT '{}';
