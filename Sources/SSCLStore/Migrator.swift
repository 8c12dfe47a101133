import Foundation
import GRDB
import Logging

/// Applies the numbered SQL files of `migrations/` (0001_create_job.sql, ...) in order, each in
/// its own transaction, and records them in `schema_migration`. Migrations are plain SQL, never
/// app types, and are never edited once merged: a change is a new file.
public enum Migrator {
    /// One migration file.
    struct File: Equatable {
        var version: Int
        var name: String
        var url: URL
    }

    /// Applies every migration of `directory` not applied yet, in numeric order; returns the
    /// names applied (empty when the database is up to date). A failing file is rolled back and
    /// reported by name; the ones before it stay applied.
    @discardableResult
    public static func migrate(_ writer: any DatabaseWriter, directory: URL, logger: Logger? = nil) throws -> [String] {
        let files = try migrationFiles(in: directory)
        try writer.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """)
        }
        let appliedNames = try writer.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT version, name FROM schema_migration").map {
                (($0["version"] as Int), ($0["name"] as String))
            })
        }
        var applied: [String] = []
        for (file, sql) in try pending(files, applied: appliedNames) {
            do {
                let record = { (db: Database) throws in
                    try db.execute(sql: sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                        arguments: [file.version, file.name, RFC3339.string(from: Date())])
                }
                if sql.contains(Self.foreignKeysOffMarker) {
                    try withForeignKeysOff(writer, file: file.name, record)
                } else {
                    try writer.write(record)
                }
            } catch {
                throw MigrationError.failed(file: file.name, reason: Self.reason(error))
            }
            logger?.info("applied migration", metadata: ["migration": "\(file.name)"])
            applied.append(file.name)
        }
        return applied
    }

    /// The files not applied yet, each with its SQL, in order (both engines). A version applied
    /// under another name is an error: migrations are never renamed or edited once merged.
    static func pending(_ files: [File], applied: [Int: String]) throws -> [(file: File, sql: String)] {
        var result: [(file: File, sql: String)] = []
        for file in files {
            if let name = applied[file.version] {
                guard name == file.name else { throw MigrationError.renamed(version: file.version, applied: name, file: file.name) }
                continue
            }
            do {
                result.append((file, try String(contentsOf: file.url, encoding: .utf8)))
            } catch {
                throw MigrationError.failed(file: file.name, reason: "unreadable: \(error)")
            }
        }
        return result
    }

    /// A migration holding this line runs with foreign keys off: SQLite's way to rebuild a
    /// table that others reference (https://sqlite.org/lang_altertable.html, "Making Other
    /// Kinds Of Table Schema Changes"). With them on, `DROP TABLE job` would delete every
    /// job's metrics, events and logs through their ON DELETE CASCADE.
    static let foreignKeysOffMarker = "-- migrate: foreign_keys off"

    /// Runs `body` in a transaction with foreign keys off (the pragma is a no-op inside a
    /// transaction), checks every foreign key before committing, and turns them on again.
    private static func withForeignKeysOff(_ writer: any DatabaseWriter, file: String,
                                           _ body: @escaping (Database) throws -> Void) throws {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction {
                try body(db)
                let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                if let first = broken.first {
                    throw MigrationError.failed(file: file, reason: "\(broken.count) broken foreign key(s), first in table \(first[0] as String? ?? "?")")
                }
                return .commit
            }
        }
    }

    /// The `<number>_<name>.sql` files of `directory`, by version. Other files are ignored.
    static func migrationFiles(in directory: URL) throws -> [File] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadableDirectory(path: directory.path, reason: "\(error)")
        }
        var files: [File] = []
        for name in names where name.hasSuffix(".sql") {
            let digits = name.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, name.dropFirst(digits.count).first == "_",
                  name.count > digits.count + 1 + ".sql".count, let version = Int(digits)
            else { throw MigrationError.badFileName(name) }
            files.append(File(version: version, name: name, url: directory.appendingPathComponent(name)))
        }
        files.sort { ($0.version, $0.name) < ($1.version, $1.name) }
        for (a, b) in zip(files, files.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version, files: [a.name, b.name])
        }
        guard !files.isEmpty else { throw MigrationError.noMigrations(path: directory.path) }
        return files
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.message ?? "SQLite error \(error.resultCode)") (\(error.sql ?? ""))"
        }
        return "\(error)"
    }
}
