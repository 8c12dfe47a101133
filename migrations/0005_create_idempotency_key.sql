-- Idempotency-Key of a job submission: the same key with the same body replays the job;
-- with another body it is a conflict. The response columns are filled by the caller if it
-- wants to replay its original response byte for byte.
CREATE TABLE idempotency_key (
    key TEXT NOT NULL PRIMARY KEY CHECK (length(key) > 0),
    body_sha256 TEXT NOT NULL CHECK (length(body_sha256) > 0),
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    status_code INTEGER,
    response_json TEXT CHECK (response_json IS NULL OR json_valid(response_json)),
    created_at TEXT NOT NULL
);

CREATE INDEX idempotency_key_by_job ON idempotency_key (job_id);
