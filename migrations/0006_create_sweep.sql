-- A hyperparameter sweep (issue 10): its document and state. Its trials are ordinary jobs
-- tagged with the sweep and the configuration they run; ASHA's decisions are rows of
-- sweep_decision, so a restarted server replays them instead of deciding again.
CREATE TABLE sweep (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) > 4),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'cancelled')),
    submitted_json TEXT NOT NULL CHECK (json_valid(submitted_json)),
    -- The sweep document with every trial's configuration, as the API validated it.
    resolved_json TEXT NOT NULL CHECK (json_valid(resolved_json)),
    max_concurrent INTEGER NOT NULL CHECK (max_concurrent >= 1),
    created_at TEXT NOT NULL,
    finished_at TEXT,
    CHECK ((status = 'running') = (finished_at IS NULL))
);

ALTER TABLE job ADD COLUMN sweep_id TEXT REFERENCES sweep (id) ON DELETE SET NULL;
-- The index of the configuration in the sweep's expansion (NULL when sweep_id is).
ALTER TABLE job ADD COLUMN sweep_configuration INTEGER CHECK (sweep_configuration IS NULL OR sweep_configuration >= 0);

CREATE INDEX job_by_sweep ON job (sweep_id, sweep_configuration) WHERE sweep_id IS NOT NULL;

-- ASHA's decisions in the order the rung results arrived (sequence): each configuration is
-- judged at most once per rung.
CREATE TABLE sweep_decision (
    sweep_id TEXT NOT NULL REFERENCES sweep (id) ON DELETE CASCADE,
    configuration INTEGER NOT NULL CHECK (configuration >= 0),
    rung INTEGER NOT NULL CHECK (rung >= 0),
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    value REAL NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('promote', 'prune')),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (sweep_id, configuration, rung),
    UNIQUE (sweep_id, sequence)
);
