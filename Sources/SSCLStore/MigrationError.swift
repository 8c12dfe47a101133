import Foundation

/// Why the schema could not be brought up to date. Every case names the file concerned.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableDirectory(path: String, reason: String)
    case noMigrations(path: String)
    /// A `.sql` file whose name is not `<number>_<name>.sql`.
    case badFileName(String)
    case duplicateVersion(Int, files: [String])
    /// The database records version `version` under another file name: migrations were
    /// renumbered or renamed after being applied.
    case renamed(version: Int, applied: String, file: String)
    /// A migration failed and was rolled back.
    case failed(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason): "cannot read migrations in \(path): \(reason)"
        case .noMigrations(let path): "no migrations (0001_*.sql) in \(path)"
        case .badFileName(let name): "migration \(name) is not named <number>_<name>.sql"
        case .duplicateVersion(let version, let files): "migration version \(version) is used by \(files.joined(separator: ", "))"
        case .renamed(let version, let applied, let file): "migration \(version) was applied as \(applied) but is now \(file)"
        case .failed(let file, let reason): "migration \(file) failed and was rolled back: \(reason)"
        }
    }
}
