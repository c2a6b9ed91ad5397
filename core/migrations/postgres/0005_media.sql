-- Photos, videos and audio attached to circuits and POIs. A photo's derivatives (JPEG
-- at a few widths) are stored here too, so that every server of an installation serves
-- the same bytes and an attachment is all or nothing.
CREATE TABLE media (
    id         text NOT NULL,
    owner_kind text NOT NULL CHECK (owner_kind IN ('circuit', 'poi')),
    owner_id   text NOT NULL,
    kind       text NOT NULL,
    url        text,
    title      text,
    author     text,
    license    text,
    alt        text,
    width      integer,
    height     integer,
    position   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_kind, owner_id, id)
);

CREATE TABLE media_files (
    media_id text NOT NULL,
    width    integer NOT NULL,
    bytes    bytea NOT NULL,
    PRIMARY KEY (media_id, width)
);
