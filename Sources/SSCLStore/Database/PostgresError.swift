/// An error from PostgreSQL or libpq: the SQLSTATE (`23505` unique violation, `40001`
/// serialization failure, `08006` connection failure...) and the server's message.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The five-character SQLSTATE; nil when libpq failed without one (e.g. out of memory).
    public var sqlState: String?
    public var message: String
    /// The statement that failed, if any (for logs: never holds parameter values).
    public var sql: String?

    public init(sqlState: String?, message: String, sql: String? = nil) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "PostgreSQL error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let sql { text += " (\(sql.count > 300 ? String(sql.prefix(300)) + "..." : sql))" }
        return text
    }

    /// A transaction that lost a race (serialization failure, deadlock): running it again is
    /// correct and will usually succeed.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The connection is gone (SQLSTATE class 08, or libpq lost it without a code).
    public var isConnectionFailure: Bool { sqlState?.hasPrefix("08") ?? false }
}
