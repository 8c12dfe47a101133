-- A training job: the submitted and resolved job documents and its lifecycle.
-- Times are RFC 3339 UTC with milliseconds ("2025-01-31T12:00:00.123Z"), so they sort as text.
-- Ids are "job_" + time-ordered base32, so they sort by creation.
CREATE TABLE job (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) > 4),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    priority INTEGER NOT NULL DEFAULT 0,
    submitted_json TEXT NOT NULL CHECK (json_valid(submitted_json)),
    resolved_json TEXT NOT NULL CHECK (json_valid(resolved_json)),
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    -- 0 before the first run; every run (first, restart or retry) adds one.
    attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_restarts INTEGER NOT NULL DEFAULT 0 CHECK (max_restarts >= 0),
    restarts_used INTEGER NOT NULL DEFAULT 0 CHECK (restarts_used >= 0 AND restarts_used <= max_restarts),
    progress_json TEXT CHECK (progress_json IS NULL OR json_valid(progress_json)),
    result_json TEXT CHECK (result_json IS NULL OR json_valid(result_json)),
    error_code TEXT,
    error_message TEXT,
    resume_from_checkpoint INTEGER NOT NULL DEFAULT 0 CHECK (resume_from_checkpoint IN (0, 1)),
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    -- A job has a finish time exactly when it is finished.
    CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);

-- The queue: queued jobs by priority, then submission time.
CREATE INDEX job_by_status_priority ON job (status, priority DESC, created_at, id);
