-- Species observations (Darwin Core), stored precisely; public outputs read only the
-- grid aggregates in species_cells. Taxa are kept once, with the sensitivity level
-- the sensitivity list gives them (0 none, 1 sensitive, 2 strict).
CREATE TABLE taxa (
    key             TEXT PRIMARY KEY,
    scientific_name TEXT NOT NULL,
    vernacular_name TEXT,
    rank            TEXT,
    kingdom         TEXT,
    phylum          TEXT,
    class           TEXT,
    "order"         TEXT,
    family          TEXT,
    genus           TEXT,
    sensitivity     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE observations (
    source        TEXT PRIMARY KEY,
    taxon         TEXT NOT NULL,
    event_start   TEXT,
    event_end     TEXT,
    months        INTEGER NOT NULL,
    lon           REAL NOT NULL,
    lat           REAL NOT NULL,
    -- The 1 km Lambert 93 cell, computed at import.
    cell_x        INTEGER NOT NULL,
    cell_y        INTEGER NOT NULL,
    uncertainty_m REAL,
    count         INTEGER,
    basis         TEXT,
    license       TEXT
) WITHOUT ROWID;

-- Taxon id or scientific name → level, as the sensitivity list gives them.
CREATE TABLE sensitive_taxa (
    key   TEXT PRIMARY KEY,
    level INTEGER NOT NULL
);

-- Observations per cell, taxon and months: 1 km cells, 10 km for strict taxa.
CREATE TABLE species_cells (
    size_m       INTEGER NOT NULL,
    x            INTEGER NOT NULL,
    y            INTEGER NOT NULL,
    taxon        TEXT NOT NULL,
    months       INTEGER NOT NULL,
    observations INTEGER NOT NULL,
    PRIMARY KEY (size_m, x, y, taxon, months)
) WITHOUT ROWID;
