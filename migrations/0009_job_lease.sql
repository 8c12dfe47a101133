-- Leases (issue 12): a node runs a job only while it holds the job's lease, which it renews
-- every few seconds. `lease_generation` grows at every claim, so a node that lost its lease
-- (its expiry passed and another node took the job) is fenced: its late writes name an old
-- generation and are refused. On one machine (SQLite) the server renews its own leases and
-- nothing else takes them; the columns cost nothing there.
ALTER TABLE job ADD COLUMN lease_owner TEXT;
ALTER TABLE job ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job ADD COLUMN lease_expires_at TEXT;

-- Every lease ever granted, so that no job can be shown to have had two live leases at once:
-- a lease is live from acquired_at until ended_at (NULL while live).
CREATE TABLE lease (
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    generation INTEGER NOT NULL CHECK (generation >= 1),
    node TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    ended_at TEXT,
    -- succeeded, failed, cancelled, pruned (the job's end), queued (a restart, retry or
    -- shutdown), expired (taken back from a silent node), recovered (found running at a
    -- SQLite server's start).
    end_reason TEXT,
    PRIMARY KEY (job_id, generation)
);

-- requeueExpiredLeases looks only at running jobs, by expiry.
CREATE INDEX job_running_by_lease_expiry ON job (lease_expires_at) WHERE status = 'running';
