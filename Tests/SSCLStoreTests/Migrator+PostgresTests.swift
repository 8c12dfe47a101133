import Foundation
import Testing
@testable import SSCLStore

/// The PostgreSQL migrator: `migrations/postgres` builds the same tables as SQLite's
/// migrations, each file once even when nodes start together.
@Suite(.enabled(if: !StoreEngine.postgresSkipped, StoreEngine.skipNote))
struct MigratorPostgresTests {
    static let postgresMigrations = JobStore.repositoryMigrations.appendingPathComponent("postgres")

    /// A migrations folder in `directory` holding `files` (name → SQL).
    private func folder(_ directory: TemporaryDirectory, _ files: [String: String]) throws -> URL {
        let url = directory.file("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    @Test func buildsTheSameTablesAsSQLite() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url)
        defer { try? database.close() }
        let applied = try Migrator.migrate(database, directory: Self.postgresMigrations)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.postgresMigrations.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(applied == files && applied.first == "0001_schema.sql")
        #expect(try Migrator.migrate(database, directory: Self.postgresMigrations) == [], "a second run applies nothing")

        // The SQLite schema, read from a database its own migrator built.
        let sqliteDirectory = TemporaryDirectory()
        let sqlite = try JobStore.make(in: sqliteDirectory)
        let sqliteColumns = try sqlite.sqlitePool.read { db in
            try Dictionary(grouping: String.fetchAll(db, sql: """
                SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                """), by: { String($0.split(separator: ".")[0]) }).mapValues(Set.init)
        }
        try database.read { db throws in
            let columns = try db.column(String.self, """
                SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'
                """)
            let postgresColumns = Dictionary(grouping: columns, by: { String($0.split(separator: ".")[0]) }).mapValues(Set.init)
            // The nodes' later migrations may add tables of their own to both; the shared ones match.
            for (table, expected) in sqliteColumns {
                #expect(postgresColumns[table] == expected, "\(table)")
            }
            #expect(Set(sqliteColumns.keys).isSuperset(of: ["job", "metric", "event", "log", "idempotency_key", "sweep",
                                                            "sweep_decision", "sweep_rung_result", "schema_migration"]))
            let links = try db.column(String.self, """
                SELECT tc.table_name || ' -> ' || ccu.table_name || ' ' || rc.delete_rule
                FROM information_schema.table_constraints tc
                JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
                JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.unique_constraint_name
                WHERE tc.constraint_type = 'FOREIGN KEY'
                """)
            #expect(Set(links).isSuperset(of: ["metric -> job CASCADE", "event -> job CASCADE", "log -> job CASCADE",
                                               "idempotency_key -> job CASCADE", "job -> sweep SET NULL",
                                               "sweep_decision -> sweep CASCADE", "sweep_rung_result -> sweep CASCADE",
                                               "sweep_rung_result -> job CASCADE"]))
            let indexes = try db.column(String.self, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
            #expect(Set(indexes).isSuperset(of: ["event_by_job", "event_histogram_by_job", "log_by_job", "job_by_status_priority",
                                                 "job_by_sweep", "idempotency_key_by_job", "sweep_rung_result_by_configuration"]))
        }
    }

    @Test func nodesMigratingTogetherApplyEachFileOnce() throws {
        let directory = TemporaryDirectory()
        let url = try folder(directory, [
            // Slow enough that, without the lock, the second node would try it too and fail.
            "0001_a.sql": "CREATE TABLE a (id integer PRIMARY KEY); SELECT pg_sleep(0.5);",
            "0002_b.sql": "CREATE TABLE b (id integer PRIMARY KEY); INSERT INTO b VALUES (1);",
        ])
        let fresh = try TemporaryPostgresDatabase()
        let nodes = try (0..<3).map { _ in try PostgresDatabase(url: fresh.url, maxConnections: 1) }
        defer { nodes.forEach { try? $0.close() } }
        let applied = Collector()
        let failures = Collector()
        DispatchQueue.concurrentPerform(iterations: nodes.count) { i in
            do {
                for name in try Migrator.migrate(nodes[i], directory: url) { applied.record(name) }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items)")
        #expect(applied.items.sorted() == ["0001_a.sql", "0002_b.sql"], "each file applied by exactly one node")
        #expect(try nodes[0].read { try $0.column(String.self, "SELECT name FROM schema_migration ORDER BY version") }
                == ["0001_a.sql", "0002_b.sql"])
        #expect(try nodes[1].read { try $0.scalar(Int.self, "SELECT count(*) FROM b") } == 1)
    }

    @Test func aBrokenMigrationRollsBackAndNamesTheFile() throws {
        let directory = TemporaryDirectory()
        let url = try folder(directory, [
            "0001_good.sql": "CREATE TABLE good (id integer PRIMARY KEY);",
            "0002_broken.sql": "CREATE TABLE half (id integer PRIMARY KEY);\nCREATE TABLE oops (;",
            "0003_later.sql": "CREATE TABLE later (id integer PRIMARY KEY);",
        ])
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url)
        defer { try? database.close() }
        let failure = try #require(throws: MigrationError.self) { try Migrator.migrate(database, directory: url) }
        guard case .failed(let file, let reason) = failure else { Issue.record("unexpected \(failure)"); return }
        #expect(file == "0002_broken.sql" && reason.contains("42601"))
        let tables = try database.read { db in
            try db.column(String.self, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        }
        #expect(tables == ["good", "schema_migration"])
        #expect(throws: MigrationError.renamed(version: 1, applied: "0001_good.sql", file: "0001_other.sql")) {
            try Migrator.migrate(database, directory: try folder(directory, ["0001_other.sql": "SELECT 1;"]))
        }
    }
}
