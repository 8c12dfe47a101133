import Foundation
import Testing
@testable import SSCLStore

/// `PostgresDatabase` on a real server (`SSCL_TEST_POSTGRES_URL`): values, errors,
/// transactions, retries and reconnection.
@Suite(.enabled(if: !StoreEngine.postgresSkipped, StoreEngine.skipNote))
struct PostgresDatabaseTests {
    @Test func theStoreSuiteRunsOnPostgreSQLToo() throws {
        #expect(StoreEngine.available == [.sqlite, .postgres])
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url)
        #expect(try database.read { try $0.scalar(String.self, "SELECT current_database()") } == fresh.name)
        try database.close()
    }

    @Test func theURLOverridesTheConnectionDefaults() throws {
        let fresh = try TemporaryPostgresDatabase()
        let plain = try PostgresDatabase(url: fresh.url)
        let named = try PostgresDatabase(url: fresh.url + "?application_name=node-7")
        defer { try? plain.close(); try? named.close() }
        #expect(try plain.read { try $0.scalar(String.self, "SELECT current_setting('application_name')") } == "sscl")
        #expect(try named.read { try $0.scalar(String.self, "SELECT current_setting('application_name')") } == "node-7")
    }

    @Test func anUnreachableServerIsAClearErrorWithoutThePassword() throws {
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresDatabase(url: "postgres://someone:secret-word@127.0.0.1:1/sscl")
        }
        #expect(error.sqlState == "08001")
        #expect(error.description.contains("127.0.0.1") && !error.description.contains("secret-word"), "\(error)")
    }

    @Test func valuesRoundTripThroughTheServer() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url)
        defer { try? database.close() }
        let row = try #require(try database.read { db in
            try db.queryOne("""
                SELECT ?::bigint AS big, ?::double precision AS real, ?::text AS text, ?::integer AS null_int,
                       true AS yes, 2::smallint AS small, 1.25::numeric AS num, 'x'::varchar AS chars, ? AS untyped
                """, Int64.min, 0.1 + 0.2, "é 'quoted' ?", nil, "untyped")
        })
        #expect(try row.value("big") == .integer(.min))
        #expect(try row.value("real") == .real(0.1 + 0.2))
        #expect(try row.value("text") == .text("é 'quoted' ?"))
        #expect(try row.value("null_int") == .null)
        #expect(try row.value("yes") == .integer(1))
        #expect(try row.value("small") == .integer(2))
        #expect(try row.value("num") == .real(1.25))
        #expect(try row.value("chars") == .text("x"))
        #expect(try row.value("untyped") == .text("untyped"))
        #expect(row.columns == ["big", "real", "text", "null_int", "yes", "small", "num", "chars", "untyped"])
    }

    @Test func errorsCarryTheSQLStateAndRollBack() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url, maxConnections: 1)
        defer { try? database.close() }
        try database.write { db in try db.execute("CREATE TABLE t (id integer PRIMARY KEY)") }
        let duplicate = try #require(throws: PostgresError.self) {
            try database.write { db in
                try db.execute("INSERT INTO t VALUES (?)", 1)
                try db.execute("INSERT INTO t VALUES (?)", 1)
            }
        }
        #expect(duplicate.sqlState == "23505" && duplicate.description.contains("duplicate key"))
        #expect(try database.read { try $0.scalar(Int.self, "SELECT count(*) FROM t") } == 0, "the first insert was rolled back")
        let syntax = try #require(throws: PostgresError.self) { try database.read { try $0.query("SELEC 1") } }
        #expect(syntax.sqlState == "42601" && syntax.sql == "SELEC 1")
        // A Swift error from the body rolls back too, and comes out unchanged.
        #expect(throws: StoreError.missingBodyHash) {
            try database.write { db in
                try db.execute("INSERT INTO t VALUES (?)", 2)
                throw StoreError.missingBodyHash
            }
        }
        #expect(try database.read { try $0.scalar(Int.self, "SELECT count(*) FROM t") } == 0)
        let readOnly = try #require(throws: PostgresError.self) { try database.read { try $0.execute("INSERT INTO t VALUES (3)") } }
        #expect(readOnly.sqlState == "25006", "reads run read-only")
        #expect(try database.write { try $0.execute("INSERT INTO t VALUES (?), (?)", 4, 5) } == 2, "execute counts the rows")
    }

    @Test func aTransactionThatLostARaceRunsAgain() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url)
        defer { try? database.close() }
        try database.write { db in try db.execute("CREATE TABLE t (n integer)") }
        var runs = 0
        try database.write { db in
            runs += 1
            try db.execute("INSERT INTO t VALUES (?)", runs)
            if runs == 1 {
                try db.execute("DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40001'; END $$")
            }
        }
        #expect(runs == 2)
        #expect(try database.read { try $0.column(Int.self, "SELECT n FROM t") } == [2], "only the second run committed")
        runs = 0
        #expect(throws: PostgresError.self) {
            try database.write { db in
                runs += 1
                try db.execute("DO $$ BEGIN RAISE EXCEPTION 'other' USING ERRCODE = '23514'; END $$")
            }
        }
        #expect(runs == 1, "other errors are not retried")
    }

    @Test func aConnectionTheServerClosedIsReopened() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url, maxConnections: 1)
        let admin = try PostgresDatabase(url: fresh.url, maxConnections: 1)
        defer { try? database.close(); try? admin.close() }
        let before = try #require(try database.read { try $0.scalar(Int.self, "SELECT pg_backend_pid()") })
        #expect(try admin.write { try $0.scalar(Bool.self, "SELECT pg_terminate_backend(?)", before) } == true)
        let after = try #require(try database.read { try $0.scalar(Int.self, "SELECT pg_backend_pid()") })
        #expect(after != before)
        #expect(database.isOwnBackend(Int32(after)) && !database.isOwnBackend(Int32(before)))
    }

    @Test func manyThreadsShareTheSmallPool() throws {
        let fresh = try TemporaryPostgresDatabase()
        let database = try PostgresDatabase(url: fresh.url, maxConnections: 2)
        defer { try? database.close() }
        try database.write { db in try db.execute("CREATE TABLE t (n integer)") }
        let failures = Collector()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                for j in 0..<20 { try database.write { db in try db.execute("INSERT INTO t VALUES (?)", i * 100 + j) } }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items)")
        #expect(try database.read { try $0.scalar(Int.self, "SELECT count(DISTINCT n) FROM t") } == 160)
        try database.close()
        #expect(throws: PostgresError.self) { try database.read { try $0.query("SELECT 1") } }
    }
}
