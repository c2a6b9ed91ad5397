-- What each commit changed, for servers to follow the records touched instead of
-- reloading everything: every commit writes a `commit` row, then one row per POI or
-- circuit it wrote (by public id), `ratings` when published reviews moved, or `*` when
-- it changed what only a whole reload covers. The last revisions only are kept.
CREATE TABLE changes (
    revision INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL
);
CREATE INDEX changes_by_revision ON changes (revision);
