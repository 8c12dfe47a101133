-- Metric points of a job's training curves. One point per (job, name, step): a run resumed
-- from a checkpoint re-records the steps after the checkpoint, replacing the old values.
-- A NULL value stands for NaN (SQLite cannot store NaN).
CREATE TABLE metric (
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) > 0),
    step INTEGER NOT NULL CHECK (step >= 0),
    value REAL,
    time TEXT NOT NULL,
    PRIMARY KEY (job_id, name, step)
) WITHOUT ROWID;
