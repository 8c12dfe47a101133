-- The event stream of every job. AUTOINCREMENT keeps ids increasing even after deletes,
-- so an id is a safe Server-Sent Events id for Last-Event-ID.
CREATE TABLE event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('status', 'progress', 'metric', 'log')),
    data_json TEXT NOT NULL CHECK (json_valid(data_json)),
    time TEXT NOT NULL
);

CREATE INDEX event_by_job ON event (job_id, id);
