-- Photos, videos and audio attached to circuits and POIs. A photo's derivatives (JPEG
-- at a few widths) are stored here too, so that every server of an installation serves
-- the same bytes and an attachment is all or nothing.
CREATE TABLE media (
    id         TEXT NOT NULL,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('circuit', 'poi')),
    owner_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    url        TEXT,
    title      TEXT,
    author     TEXT,
    license    TEXT,
    alt        TEXT,
    width      INTEGER,
    height     INTEGER,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_kind, owner_id, id)
);

CREATE TABLE media_files (
    media_id TEXT NOT NULL,
    width    INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (media_id, width)
);
