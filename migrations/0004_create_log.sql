-- Log lines written by a job's worker process.
CREATE TABLE log (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    line TEXT NOT NULL
);

CREATE INDEX log_by_job ON log (job_id, id);
