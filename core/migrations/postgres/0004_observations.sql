-- Species observations (Darwin Core), stored precisely; public outputs read only the
-- grid aggregates in species_cells. Taxa are kept once, with the sensitivity level
-- the sensitivity list gives them (0 none, 1 sensitive, 2 strict).
CREATE TABLE taxa (
    key             text PRIMARY KEY,
    scientific_name text NOT NULL,
    vernacular_name text,
    rank            text,
    kingdom         text,
    phylum          text,
    class           text,
    "order"         text,
    family          text,
    genus           text,
    sensitivity     smallint NOT NULL DEFAULT 0
);

CREATE TABLE observations (
    source        text PRIMARY KEY,
    taxon         text NOT NULL,
    event_start   text,
    event_end     text,
    months        integer NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    -- The 1 km Lambert 93 cell, computed at import.
    cell_x        integer NOT NULL,
    cell_y        integer NOT NULL,
    uncertainty_m double precision,
    count         bigint,
    basis         text,
    license       text
);

CREATE TABLE sensitive_taxa (
    key   text PRIMARY KEY,
    level smallint NOT NULL
);

CREATE TABLE species_cells (
    size_m       integer NOT NULL,
    x            integer NOT NULL,
    y            integer NOT NULL,
    taxon        text NOT NULL,
    months       integer NOT NULL,
    observations bigint NOT NULL,
    PRIMARY KEY (size_m, x, y, taxon, months)
);
