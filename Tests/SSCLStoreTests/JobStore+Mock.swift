import Foundation
import GRDB
import Logging
import Testing
@testable import SSCLStore

/// The engines the store suite runs on: every `JobStore` test takes one as its argument.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A server URL whose user may CREATE DATABASE (`scripts/postgres.sh` starts one).
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["SSCL_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// `SSCL_REQUIRE_POSTGRES=1` (CI): the PostgreSQL cases fail rather than being skipped
    /// when no server is given.
    static var postgresRequired: Bool { ProcessInfo.processInfo.environment["SSCL_REQUIRE_POSTGRES"] == "1" }

    static var postgresSkipped: Bool { postgresURL == nil && !postgresRequired }

    /// What the PostgreSQL-only suites say when they are skipped.
    static let skipNote: Comment = """
        SSCL_TEST_POSTGRES_URL is not set: every PostgreSQL case of the store suite is skipped \
        (start a server with: eval "$(bash scripts/postgres.sh start)")
        """

    /// The engines to test: PostgreSQL only with a server, or when it is required (then the
    /// missing server fails each case).
    static var available: [StoreEngine] { postgresSkipped ? [.sqlite] : allCases }
}

/// A fresh PostgreSQL database on the test server, dropped when the last reference goes.
final class TemporaryPostgresDatabase: Sendable {
    let name: String
    let url: String
    private let server: PostgresDatabase

    init() throws {
        guard let serverURL = StoreEngine.postgresURL else {
            throw PostgresError(sqlState: nil, message: "SSCL_REQUIRE_POSTGRES=1 but SSCL_TEST_POSTGRES_URL is not set (start one: eval \"$(bash scripts/postgres.sh start)\")")
        }
        let server = try PostgresDatabase(url: serverURL, maxConnections: 1)
        let name = "sscl_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard var components = URLComponents(string: serverURL) else { throw StoreError.unsupportedLocation(serverURL) }
        components.path = "/" + name
        guard let url = components.string else { throw StoreError.unsupportedLocation(serverURL) }
        try server.withConnection { try $0.executeScript("CREATE DATABASE \(name)") }
        self.server = server
        self.name = name
        self.url = url
    }

    deinit {
        // FORCE: a store a test did not close still holds connections.
        _ = try? server.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        try? server.close()
    }
}

/// A folder under the system temp dir, removed when the last reference goes; with the
/// PostgreSQL engine also a fresh database. `location` is where the fixture's store lives.
final class TemporaryDirectory: Sendable {
    let url: URL
    let engine: StoreEngine
    let postgres: TemporaryPostgresDatabase?

    convenience init() {
        try! self.init(.sqlite)
    }

    init(_ engine: StoreEngine) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.engine = engine
        postgres = engine == .postgres ? try TemporaryPostgresDatabase() : nil
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    var location: StoreLocation {
        if let postgres { return .postgres(url: postgres.url) }
        return .sqlite(path: file("jobs.sqlite").path)
    }
}

extension JobStore {
    /// The package's own `migrations/` folder.
    static let repositoryMigrations = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")

    static let silentLogger = Logger(label: "sscl.store.tests") { _ in SwiftLogNoOpLogHandler() }

    /// A store at `directory.location` (`jobs.sqlite` in it, or its PostgreSQL database), with
    /// the real migrations.
    static func make(in directory: TemporaryDirectory, clock: @escaping @Sendable () -> Date = { Date() }) throws -> JobStore {
        try JobStore(location: directory.location, migrations: repositoryMigrations, logger: silentLogger, clock: clock)
    }

    /// GRDB's pool behind a SQLite store, for the SQLite-only tests.
    var sqlitePool: DatabasePool {
        get throws {
            guard let sqlite = database as? SQLiteDatabase else { throw StoreError.unsupportedLocation("\(location): not SQLite") }
            return sqlite.pool
        }
    }

    /// Creates a job with small valid documents; fails the test on anything but `.created`.
    func makeJob(name: String = "job", priority: Int = 0, maxRestarts: Int = 2) throws -> JobRecord {
        let outcome = try createJob(
            name: name, priority: priority, maxRestarts: maxRestarts,
            submittedJSON: #"{"name":"\#(name)"}"#, resolvedJSON: #"{"name":"\#(name)","epochs":1}"#)
        guard case .created(let job) = outcome else { throw StoreError.jobNotFound(name) }
        return job
    }
}
