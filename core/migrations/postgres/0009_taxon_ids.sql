-- Every identifier a source gives a taxon (GBIF taxonKey and speciesKey, TAXREF CD_NOM
-- and CD_REF…), as a JSON list: a sensitivity list may name a taxon by any of them.
ALTER TABLE taxa ADD COLUMN ids TEXT NOT NULL DEFAULT '[]';
