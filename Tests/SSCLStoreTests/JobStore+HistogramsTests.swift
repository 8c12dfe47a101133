import Foundation
import GRDB
import Testing
@testable import SSCLStore

@Suite struct JobStoreHistogramsTests {
    @Test(arguments: StoreEngine.available) func histogramsAreEventsOfTheirOwnTypeReadWithoutTheOthers(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.markStarted(id: try store.makeJob().id)
        let other = try store.markStarted(id: try store.makeJob(name: "other").id)
        try store.appendLog(jobID: job.id, lines: ["before"])
        try store.appendSimilarityHistogram(jobID: job.id, dataJSON: #"{"step":2}"#)
        try store.appendSimilarityHistogram(jobID: other.id, dataJSON: #"{"step":9}"#)
        try store.appendLog(jobID: job.id, lines: ["between"])
        try store.appendSimilarityHistogram(jobID: job.id, dataJSON: #"{"step":4}"#)
        #expect(try store.similarityHistograms(jobID: job.id) == [#"{"step":2}"#, #"{"step":4}"#])
        let events = try store.events(jobID: job.id, limit: 100).filter { $0.type == "similarity_histogram" }
        #expect(events.map(\.dataJSON) == [#"{"step":2}"#, #"{"step":4}"#])
        #expect(throws: (any Error).self, "data must be JSON") {
            try store.appendSimilarityHistogram(jobID: job.id, dataJSON: "not json")
        }
        #expect(throws: StoreError.self) { try store.appendSimilarityHistogram(jobID: "job_missing", dataJSON: "{}") }
    }

    /// 0008 rebuilds the event table (SQLite cannot change a CHECK): the rows keep their ids and
    /// the AUTOINCREMENT counter survives, so an id handed out before, even of a deleted event,
    /// is never handed out again (ids are Last-Event-IDs).
    @Test func theRebuildKeepsIdsAndTheCounter() throws {
        let directory = TemporaryDirectory()
        let older = directory.file("migrations-0007")
        try FileManager.default.createDirectory(at: older, withIntermediateDirectories: true)
        let all = try FileManager.default.contentsOfDirectory(atPath: JobStore.repositoryMigrations.path).filter { $0.hasSuffix(".sql") }
        for name in all where name < "0008" {
            try FileManager.default.copyItem(at: JobStore.repositoryMigrations.appendingPathComponent(name),
                                            to: older.appendingPathComponent(name))
        }
        let pool = try DatabasePool(path: directory.file("old.sqlite").path)
        try Migrator.migrate(pool, directory: older)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO job (id, name, submitted_json, resolved_json, created_at) VALUES ('job_a', 'a', '{}', '{}', 't');
                INSERT INTO event (job_id, type, data_json, time) VALUES ('job_a', 'log', '{"n":1}', 't'), ('job_a', 'log', '{"n":2}', 't'),
                    ('job_a', 'log', '{"n":3}', 't');
                DELETE FROM event WHERE id = 3;
                """)
        }
        #expect(try Migrator.migrate(pool, directory: JobStore.repositoryMigrations).first == "0008_event_similarity_histogram.sql")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO event (job_id, type, data_json, time) VALUES ('job_a', 'similarity_histogram', '{}', 't')")
            #expect(throws: (any Error).self, "other types are still refused") {
                try db.execute(sql: "INSERT INTO event (job_id, type, data_json, time) VALUES ('job_a', 'bogus', '{}', 't')")
            }
        }
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, data_json FROM event ORDER BY id") }
        #expect(rows.map { $0["id"] as Int64 } == [1, 2, 4], "id 3 was deleted before the rebuild and is not reused")
        #expect(rows.map { $0["data_json"] as String } == [#"{"n":1}"#, #"{"n":2}"#, "{}"])
        let indexes = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' ORDER BY name")
        }
        #expect(indexes == ["event_by_job", "event_histogram_by_job"])
    }
}
