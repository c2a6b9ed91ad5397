-- A circuit's practical information (access, parking, transport, season, advice,
-- accessibility, directions) and its texts in other languages, as JSON objects.
ALTER TABLE circuits ADD COLUMN practical TEXT NOT NULL DEFAULT '{}';
ALTER TABLE circuits ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
