-- The back-office's import jobs, and the records of their plans (one row per change,
-- vanished record or rejection; unchanged records are only counted).
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    committed_by TEXT,
    committed_at BIGINT
);
CREATE INDEX import_jobs_by_date ON import_jobs (created_at);

CREATE TABLE import_job_records (
    job_id TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    n BIGINT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    label TEXT NOT NULL,
    commune TEXT,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    detail TEXT NOT NULL,
    PRIMARY KEY (job_id, n)
);
