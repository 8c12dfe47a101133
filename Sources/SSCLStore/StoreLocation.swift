import Foundation

/// Where the store lives, as given to `--store`: `sqlite:PATH` or a plain path (the embedded
/// default, one machine), or `postgres://user@host:port/db` (a server shared by many nodes).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A libpq connection URI (`postgres://` or `postgresql://`, query options allowed).
    case postgres(url: String)

    /// The one machine default, relative to the working directory.
    public static let defaultSQLitePath = ".sscl/sscl.db"

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var value: String
        public var reason: String
        public var description: String { "--store \(value): \(reason)" }
    }

    public init(parsing value: String) throws {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ParseError(value: value, reason: "empty; give sqlite:PATH, a path, or postgres://user@host:port/db") }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty else {
                throw ParseError(value: value, reason: "a PostgreSQL URL needs a host: postgres://user@host:port/db")
            }
            let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !database.isEmpty else {
                throw ParseError(value: value, reason: "a PostgreSQL URL needs a database name: postgres://user@host:port/db")
            }
            self = .postgres(url: trimmed)
        } else if lower.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }  // sqlite:///abs/path
            guard !path.isEmpty else { throw ParseError(value: value, reason: "sqlite: needs a file path, e.g. sqlite:.sscl/sscl.db") }
            self = .sqlite(path: path)
        } else if let colon = trimmed.firstIndex(of: ":"), !trimmed[..<colon].contains("/"),
                  trimmed[..<colon].count > 1 {
            throw ParseError(value: value, reason: "unknown scheme \(trimmed[..<colon]); use sqlite:PATH or postgres://")
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// For logs: a PostgreSQL URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "***"
            return components.string ?? "postgres://***"
        }
    }
}
