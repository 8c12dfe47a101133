-- A fifth event type (issue 11): `similarity_histogram`, a SimilarityHistogram of one training
-- batch, every eval.diagnostics_every steps on a thinning schedule. SQLite cannot change a CHECK
-- constraint, so the table is rebuilt with the same ids; the AUTOINCREMENT counter is carried
-- over, so no id is ever handed out twice (ids are Last-Event-IDs).
CREATE TABLE event_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('status', 'progress', 'metric', 'log', 'similarity_histogram')),
    data_json TEXT NOT NULL CHECK (json_valid(data_json)),
    time TEXT NOT NULL
);

INSERT INTO event_new (id, job_id, type, data_json, time) SELECT id, job_id, type, data_json, time FROM event;
INSERT INTO sqlite_sequence (name, seq) SELECT 'event_keep', seq FROM sqlite_sequence WHERE name = 'event';
DROP TABLE event;
ALTER TABLE event_new RENAME TO event;
-- The rename took event_new's counter (the highest id copied); the old counter may be higher.
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'event_keep'), 0))
    WHERE name = 'event';
DELETE FROM sqlite_sequence WHERE name = 'event_keep';

CREATE INDEX event_by_job ON event (job_id, id);
-- GET /v1/jobs/{id}/similarity_histograms reads a job's histograms without the other events.
CREATE INDEX event_histogram_by_job ON event (job_id, id) WHERE type = 'similarity_histogram';
