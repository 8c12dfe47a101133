/// A database the store runs on: SQLite through GRDB on one machine (`SQLiteDatabase`), or a
/// shared PostgreSQL server for many (`PostgresDatabase`). The store's SQL is written once,
/// against `SQLConnection`, and runs on both.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in one read-write transaction: committed when it returns, rolled back when
    /// it throws. Blocks; call from dedicated threads, never Swift's cooperative pool.
    @discardableResult
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T

    /// Runs `body` with a consistent view of the database (a read transaction).
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T

    /// Closes every connection; later calls throw.
    func close() throws
}
