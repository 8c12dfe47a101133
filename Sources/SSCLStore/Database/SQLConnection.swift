/// The two engines the store runs on; statements differ only where this says (row locks).
public enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// A connection inside one transaction (`SQLDatabase.write` or `read`). Statements use `?`
/// (or `?1`, `?2`, ... to repeat one) for parameters on both engines; the PostgreSQL backend
/// rewrites them to `$n`. Every call blocks.
public protocol SQLConnection {
    var dialect: SQLDialect { get }

    /// Runs one statement; returns the number of rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, arguments: [SQLValue]) throws -> Int

    /// Runs one query and returns all of its rows.
    func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow]
}

extension SQLConnection {
    /// `try db.execute("UPDATE job SET name = ? WHERE id = ?", name, id)`; `nil` binds NULL.
    @discardableResult
    public func execute(_ sql: String, _ arguments: (any SQLBindable)?...) throws -> Int {
        try execute(sql, arguments: arguments.map { $0?.sqlValue ?? .null })
    }

    public func query(_ sql: String, _ arguments: (any SQLBindable)?...) throws -> [SQLRow] {
        try query(sql, arguments: arguments.map { $0?.sqlValue ?? .null })
    }

    /// The first row, or nil.
    public func queryOne(_ sql: String, _ arguments: (any SQLBindable)?...) throws -> SQLRow? {
        try query(sql, arguments: arguments.map { $0?.sqlValue ?? .null }).first
    }

    /// The first column of the first row (nil when there is no row or the value is NULL).
    public func scalar<T: SQLDecodable>(_ type: T.Type = T.self, _ sql: String, _ arguments: (any SQLBindable)?...) throws -> T? {
        guard let row = try query(sql, arguments: arguments.map { $0?.sqlValue ?? .null }).first else { return nil }
        return try row.first(as: T?.self)
    }

    /// The first column of every row.
    public func column<T: SQLDecodable>(_ type: T.Type = T.self, _ sql: String, _ arguments: (any SQLBindable)?...) throws -> [T] {
        try query(sql, arguments: arguments.map { $0?.sqlValue ?? .null }).map { try $0.first(as: T.self) }
    }
}
