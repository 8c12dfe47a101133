-- The PostgreSQL schema of the store: what SQLite's migrations 0001-0008 build, in one file.
-- The store's SQL is written once and runs on both engines, so the values are stored alike:
-- times are RFC 3339 UTC text with milliseconds ("2025-01-31T12:00:00.123Z", they sort as
-- text), flags are integers 0/1 (not boolean), metric values double precision (NULL for NaN,
-- as in SQLite). Ids, names and times compare byte by byte (COLLATE "C", SQLite's BINARY),
-- whatever the database's locale: pages by id and the queue order must not depend on it.
-- JSON documents are text checked by a cast to json (SQLite's json_valid).
-- Migrations are never edited once merged: a change is a new numbered file in this folder.

-- A hyperparameter sweep (issue 10): its document and state. Its trials are ordinary jobs
-- tagged with the sweep and the configuration they run.
CREATE TABLE sweep (
    id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(id) > 4),
    name text NOT NULL,
    status text COLLATE "C" NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'cancelled')),
    submitted_json text NOT NULL CHECK ((submitted_json::json) IS NOT NULL),
    -- The sweep document with every trial's configuration, as the API validated it.
    resolved_json text NOT NULL CHECK ((resolved_json::json) IS NOT NULL),
    max_concurrent integer NOT NULL CHECK (max_concurrent >= 1),
    created_at text COLLATE "C" NOT NULL,
    finished_at text COLLATE "C",
    CHECK ((status = 'running') = (finished_at IS NULL))
);

-- A training job: the submitted and resolved job documents and its lifecycle.
-- Ids are "job_" + time-ordered base32, so they sort by creation.
CREATE TABLE job (
    id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(id) > 4),
    name text NOT NULL,
    status text COLLATE "C" NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'pruned')),
    priority bigint NOT NULL DEFAULT 0,
    submitted_json text NOT NULL CHECK ((submitted_json::json) IS NOT NULL),
    resolved_json text NOT NULL CHECK ((resolved_json::json) IS NOT NULL),
    created_at text COLLATE "C" NOT NULL,
    started_at text COLLATE "C",
    finished_at text COLLATE "C",
    -- 0 before the first run; every run (first, restart or retry) adds one.
    attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_restarts integer NOT NULL DEFAULT 0 CHECK (max_restarts >= 0),
    restarts_used integer NOT NULL DEFAULT 0 CHECK (restarts_used >= 0 AND restarts_used <= max_restarts),
    progress_json text CHECK (progress_json IS NULL OR (progress_json::json) IS NOT NULL),
    result_json text CHECK (result_json IS NULL OR (result_json::json) IS NOT NULL),
    error_code text,
    error_message text,
    resume_from_checkpoint integer NOT NULL DEFAULT 0 CHECK (resume_from_checkpoint IN (0, 1)),
    cancel_requested integer NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    sweep_id text COLLATE "C" REFERENCES sweep (id) ON DELETE SET NULL,
    -- The index of the configuration in the sweep's expansion (NULL when sweep_id is).
    sweep_configuration integer CHECK (sweep_configuration IS NULL OR sweep_configuration >= 0),
    -- A job has a finish time exactly when it is finished.
    CHECK ((status IN ('succeeded', 'failed', 'cancelled', 'pruned')) = (finished_at IS NOT NULL))
);

-- The queue: queued jobs by priority, then submission time.
CREATE INDEX job_by_status_priority ON job (status, priority DESC, created_at, id);
CREATE INDEX job_by_sweep ON job (sweep_id, sweep_configuration) WHERE sweep_id IS NOT NULL;

-- Metric points of a job's training curves. One point per (job, name, step): a run resumed
-- from a checkpoint re-records the steps after the checkpoint, replacing the old values.
CREATE TABLE metric (
    job_id text COLLATE "C" NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    name text COLLATE "C" NOT NULL CHECK (length(name) > 0),
    step bigint NOT NULL CHECK (step >= 0),
    value double precision,
    time text COLLATE "C" NOT NULL,
    PRIMARY KEY (job_id, name, step)
);

-- The event stream of every job. Identity ids never repeat, even after deletes, so an id is a
-- safe Server-Sent Events id for Last-Event-ID. A writer holds its job's row lock before it
-- takes an id, so a job's ids grow in commit order.
CREATE TABLE event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id text COLLATE "C" NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    type text COLLATE "C" NOT NULL CHECK (type IN ('status', 'progress', 'metric', 'log', 'similarity_histogram')),
    data_json text NOT NULL CHECK ((data_json::json) IS NOT NULL),
    time text COLLATE "C" NOT NULL
);

CREATE INDEX event_by_job ON event (job_id, id);
-- GET /v1/jobs/{id}/similarity_histograms reads a job's histograms without the other events.
CREATE INDEX event_histogram_by_job ON event (job_id, id) WHERE type = 'similarity_histogram';

-- Log lines written by a job's worker process.
CREATE TABLE log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id text COLLATE "C" NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    time text COLLATE "C" NOT NULL,
    line text NOT NULL
);

CREATE INDEX log_by_job ON log (job_id, id);

-- Idempotency-Key of a job submission: the same key with the same body replays the job;
-- with another body it is a conflict.
CREATE TABLE idempotency_key (
    key text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(key) > 0),
    body_sha256 text COLLATE "C" NOT NULL CHECK (length(body_sha256) > 0),
    job_id text COLLATE "C" NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    status_code integer,
    response_json text CHECK (response_json IS NULL OR (response_json::json) IS NOT NULL),
    created_at text COLLATE "C" NOT NULL
);

CREATE INDEX idempotency_key_by_job ON idempotency_key (job_id);

-- ASHA's decisions in the order the rung results arrived (sequence): each configuration is
-- judged at most once per rung.
CREATE TABLE sweep_decision (
    sweep_id text COLLATE "C" NOT NULL REFERENCES sweep (id) ON DELETE CASCADE,
    configuration integer NOT NULL CHECK (configuration >= 0),
    rung integer NOT NULL CHECK (rung >= 0),
    sequence integer NOT NULL CHECK (sequence >= 0),
    value double precision NOT NULL,
    decision text COLLATE "C" NOT NULL CHECK (decision IN ('promote', 'prune')),
    decided_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (sweep_id, configuration, rung),
    UNIQUE (sweep_id, sequence)
);

-- A trial's value of the sweep metric at an ASHA rung, in arrival order (sequence, per sweep).
CREATE TABLE sweep_rung_result (
    sweep_id text COLLATE "C" NOT NULL REFERENCES sweep (id) ON DELETE CASCADE,
    job_id text COLLATE "C" NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    configuration integer NOT NULL CHECK (configuration >= 0),
    rung integer NOT NULL CHECK (rung >= 0),
    -- The epoch of the evaluation that gave the value.
    epoch integer NOT NULL CHECK (epoch >= 1),
    sequence integer NOT NULL CHECK (sequence >= 0),
    value double precision NOT NULL,
    recorded_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (job_id, rung),
    UNIQUE (sweep_id, sequence)
);

CREATE INDEX sweep_rung_result_by_configuration ON sweep_rung_result (sweep_id, configuration, rung);
