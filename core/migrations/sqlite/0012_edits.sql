-- Staff edits: the fields a person set on a record (a JSON object, applied again over
-- each import of its source), and every change's entry in the record's audit log, with
-- the editable view after it and the overrides then (what a revert restores).
CREATE TABLE record_edits (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

CREATE TABLE audit_log (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    changes TEXT NOT NULL,
    view TEXT NOT NULL,
    overrides TEXT NOT NULL,
    PRIMARY KEY (kind, key, version)
);
