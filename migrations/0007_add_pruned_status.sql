-- migrate: foreign_keys off
-- ASHA early stopping (issue 10): the job status `pruned` (a sweep trial stopped at a rung,
-- its checkpoint and metrics kept), and every trial's metric at each rung it reached.
--
-- SQLite cannot change a CHECK constraint in place, so `job` is rebuilt (the 12 steps of
-- https://sqlite.org/lang_altertable.html#otheralter): the Migrator runs this file with foreign
-- keys off (the marker line above), so dropping the old table deletes no metric, event, log or
-- idempotency key through their ON DELETE CASCADE, and checks every foreign key before it
-- commits. Columns are listed by name, as 0001 and 0006 made them.
CREATE TABLE job_new (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) > 4),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'pruned')),
    priority INTEGER NOT NULL DEFAULT 0,
    submitted_json TEXT NOT NULL CHECK (json_valid(submitted_json)),
    resolved_json TEXT NOT NULL CHECK (json_valid(resolved_json)),
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_restarts INTEGER NOT NULL DEFAULT 0 CHECK (max_restarts >= 0),
    restarts_used INTEGER NOT NULL DEFAULT 0 CHECK (restarts_used >= 0 AND restarts_used <= max_restarts),
    progress_json TEXT CHECK (progress_json IS NULL OR json_valid(progress_json)),
    result_json TEXT CHECK (result_json IS NULL OR json_valid(result_json)),
    error_code TEXT,
    error_message TEXT,
    resume_from_checkpoint INTEGER NOT NULL DEFAULT 0 CHECK (resume_from_checkpoint IN (0, 1)),
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    sweep_id TEXT REFERENCES sweep (id) ON DELETE SET NULL,
    sweep_configuration INTEGER CHECK (sweep_configuration IS NULL OR sweep_configuration >= 0),
    -- A job has a finish time exactly when it is finished.
    CHECK ((status IN ('succeeded', 'failed', 'cancelled', 'pruned')) = (finished_at IS NOT NULL))
);

INSERT INTO job_new (id, name, status, priority, submitted_json, resolved_json, created_at, started_at, finished_at,
                     attempt, max_restarts, restarts_used, progress_json, result_json, error_code, error_message,
                     resume_from_checkpoint, cancel_requested, sweep_id, sweep_configuration)
SELECT id, name, status, priority, submitted_json, resolved_json, created_at, started_at, finished_at,
       attempt, max_restarts, restarts_used, progress_json, result_json, error_code, error_message,
       resume_from_checkpoint, cancel_requested, sweep_id, sweep_configuration
FROM job;

DROP TABLE job;
ALTER TABLE job_new RENAME TO job;

CREATE INDEX job_by_status_priority ON job (status, priority DESC, created_at, id);
CREATE INDEX job_by_sweep ON job (sweep_id, sweep_configuration) WHERE sweep_id IS NOT NULL;

-- A trial's value of the sweep metric at an ASHA rung (the first evaluation at or after the
-- rung's epoch), in arrival order (sequence, per sweep). A configuration's rung value is the
-- mean over its trials' rows; sweep_decision holds what was decided from them.
CREATE TABLE sweep_rung_result (
    sweep_id TEXT NOT NULL REFERENCES sweep (id) ON DELETE CASCADE,
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    configuration INTEGER NOT NULL CHECK (configuration >= 0),
    rung INTEGER NOT NULL CHECK (rung >= 0),
    -- The epoch of the evaluation that gave the value.
    epoch INTEGER NOT NULL CHECK (epoch >= 1),
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    value REAL NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (job_id, rung),
    UNIQUE (sweep_id, sequence)
);

CREATE INDEX sweep_rung_result_by_configuration ON sweep_rung_result (sweep_id, configuration, rung);
