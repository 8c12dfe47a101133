import Foundation
import GRDB
import Testing
@testable import SSCLStore

@Suite struct MigratorTests {
    let directory = TemporaryDirectory()

    private func emptyDatabase() throws -> DatabasePool {
        try DatabasePool(path: directory.file("db.sqlite").path)
    }

    private func schema(_ db: some DatabaseReader) throws -> [String] {
        try db.read { db in try String.fetchAll(db, sql: "SELECT type || ' ' || name || ': ' || ifnull(sql, '') FROM sqlite_master ORDER BY name") }
    }

    /// A migrations folder in the temp dir holding `files` (name → SQL).
    private func folder(_ files: [String: String]) throws -> URL {
        let url = directory.file("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    @Test func migratesAnEmptyDatabaseToTheLatestVersion() throws {
        let pool = try emptyDatabase()
        let applied = try Migrator.migrate(pool, directory: JobStore.repositoryMigrations)
        let files = try FileManager.default.contentsOfDirectory(atPath: JobStore.repositoryMigrations.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(applied == files)
        #expect(applied.first == "0001_create_job.sql")

        let expected: [String: Set<String>] = [
            "job": ["id", "name", "status", "priority", "submitted_json", "resolved_json", "created_at", "started_at",
                    "finished_at", "attempt", "max_restarts", "restarts_used", "progress_json", "result_json",
                    "error_code", "error_message", "resume_from_checkpoint", "cancel_requested", "sweep_id", "sweep_configuration",
                    "lease_owner", "lease_generation", "lease_expires_at"],
            "lease": ["job_id", "generation", "node", "acquired_at", "ended_at", "end_reason"],
            "sweep": ["id", "name", "status", "submitted_json", "resolved_json", "max_concurrent", "created_at", "finished_at"],
            "sweep_decision": ["sweep_id", "configuration", "rung", "sequence", "value", "decision", "decided_at"],
            "sweep_rung_result": ["sweep_id", "job_id", "configuration", "rung", "epoch", "sequence", "value", "recorded_at"],
            "metric": ["job_id", "name", "step", "value", "time"],
            "event": ["id", "job_id", "type", "data_json", "time"],
            "log": ["id", "job_id", "time", "line"],
            "idempotency_key": ["key", "body_sha256", "job_id", "status_code", "response_json", "created_at"],
            "schema_migration": ["version", "name", "applied_at"],
        ]
        try pool.read { db throws in
            for (table, columns) in expected {
                let found = try Set(Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { $0["name"] as String })
                #expect(found == columns, "\(table)")
            }
            let foreignKeys = try Row.fetchAll(db, sql: """
                SELECT m.name AS child, f."table" AS parent, f.on_delete AS action
                FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'
                """)
            let links = Set(foreignKeys.map { "\($0["child"] as String) -> \($0["parent"] as String) \($0["action"] as String)" })
            #expect(links == ["metric -> job CASCADE", "event -> job CASCADE", "log -> job CASCADE", "idempotency_key -> job CASCADE",
                              "job -> sweep SET NULL", "sweep_decision -> sweep CASCADE",
                              "sweep_rung_result -> sweep CASCADE", "sweep_rung_result -> job CASCADE", "lease -> job CASCADE"])
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            #expect(Set(indexes).isSuperset(of: ["event_by_job", "log_by_job", "job_by_status_priority", "job_by_sweep"]))
            let versions = try Int.fetchAll(db, sql: "SELECT version FROM schema_migration ORDER BY version")
            #expect(versions == Array(1...applied.count))
        }
    }

    @Test func aSecondRunAppliesAndChangesNothing() throws {
        let pool = try emptyDatabase()
        try Migrator.migrate(pool, directory: JobStore.repositoryMigrations)
        let before = try schema(pool)
        let recorded = try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM schema_migration ORDER BY version") }
        #expect(try Migrator.migrate(pool, directory: JobStore.repositoryMigrations) == [])
        #expect(try schema(pool) == before)
        #expect(try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM schema_migration ORDER BY version") } == recorded)
    }

    @Test func appliesInNumericOrder() throws {
        // Lexically "10_" sorts before "2_"; 10 needs the table 2 creates.
        let url = try folder([
            "1_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
            "10_c.sql": "ALTER TABLE b ADD COLUMN c TEXT;",
            "2_b.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);",
            "README.md": "not a migration",
        ])
        #expect(try Migrator.migrate(try emptyDatabase(), directory: url) == ["1_a.sql", "2_b.sql", "10_c.sql"])
    }

    @Test func aBrokenMigrationRollsBackAndNamesTheFile() throws {
        let url = try folder([
            "0001_good.sql": "CREATE TABLE good (id INTEGER PRIMARY KEY);",
            "0002_broken.sql": "CREATE TABLE half (id INTEGER PRIMARY KEY);\nCREATE TABLE oops (;",
            "0003_later.sql": "CREATE TABLE later (id INTEGER PRIMARY KEY);",
        ])
        let pool = try emptyDatabase()
        let failure = #expect(throws: MigrationError.self) { try Migrator.migrate(pool, directory: url) }
        guard let failure, case .failed(let file, _) = failure else { Issue.record("unexpected \(String(describing: failure))"); return }
        #expect(file == "0002_broken.sql")
        let message = failure.description
        #expect(message.contains("0002_broken.sql"))
        try pool.read { db throws in
            #expect(try db.tableExists("good"))
            #expect(try !db.tableExists("half"))
            #expect(try !db.tableExists("later"))
            #expect(try String.fetchAll(db, sql: "SELECT name FROM schema_migration") == ["0001_good.sql"])
        }
    }

    @Test func refusesRenamedDuplicatedAndMisnamedFiles() throws {
        let pool = try emptyDatabase()
        try Migrator.migrate(pool, directory: try folder(["0001_a.sql": "CREATE TABLE a (x);"]))
        #expect(throws: MigrationError.renamed(version: 1, applied: "0001_a.sql", file: "0001_b.sql")) {
            try Migrator.migrate(pool, directory: try folder(["0001_b.sql": "CREATE TABLE a (x);"]))
        }
        #expect(throws: MigrationError.duplicateVersion(2, files: ["0002_a.sql", "0002_b.sql"])) {
            try Migrator.migrate(pool, directory: try folder(["0002_a.sql": "", "0002_b.sql": ""]))
        }
        #expect(throws: MigrationError.badFileName("create.sql")) {
            try Migrator.migrate(pool, directory: try folder(["create.sql": ""]))
        }
        #expect(throws: MigrationError.noMigrations(path: directory.url.path)) {
            try Migrator.migrate(pool, directory: directory.url)
        }
    }

    @Test func theStoreRunsInWALWithForeignKeysAndABusyTimeout() throws {
        let store = try JobStore.make(in: directory)
        try store.sqlitePool.read { db throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            // GRDB gives its WAL readers a longer timeout of their own (10 s).
            #expect(try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0 >= 5000)
        }
        try store.sqlitePool.write { db throws in
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            #expect(try Int.fetchOne(db, sql: "PRAGMA busy_timeout") == 5000)
        }
    }
}
