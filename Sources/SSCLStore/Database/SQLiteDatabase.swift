import Foundation
import GRDB

/// The embedded default: one SQLite file in WAL mode through GRDB's `DatabasePool` (reads run
/// beside the single writer; a 5 s busy timeout; foreign keys on).
public final class SQLiteDatabase: SQLDatabase {
    public let path: String
    public let pool: DatabasePool
    public var dialect: SQLDialect { .sqlite }

    public init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.label = "sscl.store"
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    @discardableResult
    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try pool.write { db in try body(Connection(db: db)) }
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try pool.read { db in try body(Connection(db: db)) }
    }

    public func close() throws {
        try pool.close()
    }

    /// A GRDB `Database` seen as an `SQLConnection`; statements are cached per connection.
    struct Connection: SQLConnection {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        @discardableResult
        func execute(_ sql: String, arguments: [SQLValue]) throws -> Int {
            let statement = try db.cachedStatement(sql: sql)
            try statement.execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow] {
            let statement = try db.cachedStatement(sql: sql)
            let columns = statement.columnNames
            return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { row in
                SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
            }
        }

        static func arguments(_ values: [SQLValue]) -> StatementArguments {
            StatementArguments(values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let v): v.databaseValue
                case .real(let v): v.databaseValue
                case .text(let v): v.databaseValue
                }
            })
        }

        static func value(_ value: DatabaseValue) -> SQLValue {
            switch value.storage {
            case .null: .null
            case .int64(let v): .integer(v)
            case .double(let v): .real(v)
            case .string(let v): .text(v)
            case .blob(let data): .text(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
