import Foundation
import Logging

extension Migrator {
    /// The session advisory lock every node takes while it migrates (the bytes of "sscl").
    static let postgresLockKey: Int64 = 0x7373_636C

    /// Applies the pending migrations of `directory` (`migrations/postgres`) to PostgreSQL, in
    /// numeric order, each file in its own transaction with its `schema_migration` row. The
    /// whole run holds a session advisory lock, so nodes starting together wait for the first
    /// one instead of racing: each file is applied once, and a node that got the lock second
    /// finds nothing left to do. Returns the names applied.
    @discardableResult
    public static func migrate(_ database: PostgresDatabase, directory: URL, logger: Logger? = nil) throws -> [String] {
        let files = try migrationFiles(in: directory)
        return try database.withConnection { connection in
            try connection.execute("SELECT pg_advisory_lock(?)", arguments: [.integer(postgresLockKey)])
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock(?)", arguments: [.integer(postgresLockKey)]) }
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version integer NOT NULL PRIMARY KEY,
                    name text NOT NULL,
                    applied_at text NOT NULL
                )
                """)
            var appliedNames: [Int: String] = [:]
            for row in try connection.query("SELECT version, name FROM schema_migration") {
                appliedNames[try row["version"]] = try row["name"]
            }
            var applied: [String] = []
            for (file, sql) in try pending(files, applied: appliedNames) {
                do {
                    try connection.executeScript("BEGIN")
                    try connection.executeScript(sql)
                    try connection.execute("INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                                           file.version, file.name, RFC3339.string(from: Date()))
                    try connection.executeScript("COMMIT")
                } catch {
                    if connection.inTransaction { try? connection.executeScript("ROLLBACK") }
                    let reason = (error as? PostgresError).map { e in
                        "\(e.sqlState.map { "SQLSTATE \($0): " } ?? "")\(e.message)"
                    } ?? "\(error)"
                    throw MigrationError.failed(file: file.name, reason: reason)
                }
                logger?.info("applied migration", metadata: ["migration": "\(file.name)"])
                applied.append(file.name)
            }
            return applied
        }
    }
}
