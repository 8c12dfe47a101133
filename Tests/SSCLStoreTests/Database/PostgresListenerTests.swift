import Foundation
import Testing
@testable import SSCLStore

/// Events cross processes on PostgreSQL: a store's listener wakes its observers for the
/// events other stores (other nodes) append, and not twice for its own.
@Suite(.enabled(if: !StoreEngine.postgresSkipped, StoreEngine.skipNote))
struct PostgresListenerTests {
    /// Polls `condition` every 20 ms for up to `seconds`.
    private func eventually(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    @Test func anEventAppendedByOneStoreWakesTheOthersObservers() throws {
        let directory = try TemporaryDirectory(.postgres)
        let writer = try JobStore.make(in: directory)
        let reader = try JobStore.make(in: directory)
        defer { try? writer.close(); try? reader.close() }
        let heard = Collector()
        reader.observeEvents { heard.record($0) }
        let job = try writer.makeJob()
        #expect(eventually { heard.items.contains(job.id) }, "the reader heard of the writer's job")
        try writer.appendLog(jobID: job.id, lines: ["a", "b", "c"])
        #expect(eventually { heard.items.filter { $0 == job.id }.count >= 2 })

        // The reader's own write: its observers are called once, by the writing thread, not
        // again when its own notification comes back.
        let own = try reader.makeJob(name: "own")
        let marker = try writer.makeJob(name: "marker")
        #expect(eventually { heard.items.contains(marker.id) })
        #expect(heard.items.filter { $0 == own.id }.count == 1)
    }

    @Test func theListenerReconnectsWhenItsConnectionIsCut() throws {
        let directory = try TemporaryDirectory(.postgres)
        let writer = try JobStore.make(in: directory)
        let reader = try JobStore.make(in: directory)
        defer { try? writer.close(); try? reader.close() }
        let heard = Collector()
        reader.observeEvents { heard.record($0) }
        let job = try writer.makeJob()
        #expect(eventually { heard.items.contains(job.id) })
        // Cut every listening connection of this database (the server closes them).
        let admin = try PostgresDatabase(url: try #require(directory.postgres?.url), maxConnections: 1)
        defer { try? admin.close() }
        let cut = try admin.write { db in
            try db.column(Bool.self, """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()
                """)
        }
        #expect(cut == [true, true], "both stores' listeners")
        // Notifications sent while it reconnects are lost: keep writing until one is heard.
        let before = heard.items.count
        #expect(try eventually {
            try writer.updateProgress(id: job.id, progressJSON: "{}")
            return heard.items.count > before
        }, "the reader listens again")
    }
}
