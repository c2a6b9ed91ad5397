-- What walkers contribute (reviews, trail reports, corrections), their photos as the
-- media pipeline re-encoded them, each moderation decision, and the answers given to
-- requests that carried an Idempotency-Key (a repeat gets the same answer). Times are
-- Unix seconds; `email` is erased after the retention period or on request.
CREATE TABLE contributions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('review', 'report', 'correction')),
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    circuit TEXT,
    target TEXT,
    field TEXT,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    name TEXT,
    text TEXT NOT NULL DEFAULT '',
    category TEXT,
    lon REAL,
    lat REAL,
    commune TEXT,
    email TEXT,
    token_hash TEXT,
    flag_reasons TEXT NOT NULL DEFAULT '[]',
    photos INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contributions_queue ON contributions (kind, status, created_at);
CREATE INDEX contributions_by_circuit ON contributions (circuit, kind, status);
CREATE INDEX contributions_by_email ON contributions (email) WHERE email IS NOT NULL;

CREATE TABLE contribution_photos (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (contribution_id, n)
);

CREATE TABLE contribution_log (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    decision TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL
);
CREATE UNIQUE INDEX contribution_log_by_item ON contribution_log (contribution_id, n);

CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    at INTEGER NOT NULL
);
