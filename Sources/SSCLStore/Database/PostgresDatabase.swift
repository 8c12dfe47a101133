import Foundation

/// A shared PostgreSQL server, for many nodes, through libpq: a small pool of blocking
/// connections (the store is called from dedicated threads, never Swift's cooperative pool).
///
/// `write` runs in a READ COMMITTED transaction; the store takes row locks (`FOR UPDATE`) or
/// advisory locks where its logic reads before it writes. A transaction that loses a race
/// (serialization failure 40001, deadlock 40P01) is rolled back and run again, so its body
/// may run more than once and must only touch the database. `read` runs in a REPEATABLE READ
/// READ ONLY transaction, so several statements see one snapshot.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    /// The libpq connection URI.
    public let url: String
    public let maxConnections: Int
    public var dialect: SQLDialect { .postgres }

    /// How many times a transaction that lost a race is run again before its error is thrown.
    static let retries = 5

    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var closed = false
    /// Backend pids of this pool's connections: the listener skips their notifications (the
    /// writer already told the local observers).
    private var pids: Set<Int32> = []

    /// Connects once at once, so a wrong URL or an unreachable server fails here.
    public init(url: String, maxConnections: Int = 4) throws {
        self.url = url
        self.maxConnections = max(1, maxConnections)
        let first = try PostgresConnection(url: url)
        idle = [first]
        opened = 1
        pids = [first.backendPID]
    }

    @discardableResult
    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", body)
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func close() throws {
        condition.lock()
        closed = true
        let dropped = idle
        idle = []
        opened -= dropped.count
        condition.broadcast()
        condition.unlock()
        _ = dropped  // PQfinish in deinit
    }

    /// True when `pid` is the server process of one of this pool's connections.
    func isOwnBackend(_ pid: Int32) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return pids.contains(pid)
    }

    /// Runs `body` on a pooled connection outside any transaction (the migrator's session
    /// advisory lock and its own transactions).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkout()
        defer { checkin(connection) }
        return try body(connection)
    }

    private func transaction<T>(begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        var attempt = 0
        var reconnected = false
        while true {
            let connection = try checkout()
            defer { checkin(connection) }
            do {
                do {
                    try connection.executeScript(begin)
                } catch where !connection.isOpen && !reconnected {
                    // The server closed this idle connection (a restart, a terminated backend):
                    // libpq learns it only now. Nothing ran yet, so reconnect and begin again.
                    reconnected = true
                    continue
                }
                let value = try body(connection)
                try connection.executeScript("COMMIT")
                return value
            } catch let error as PostgresError where error.isRetryable && attempt < Self.retries {
                attempt += 1
                // A short random pause, so two losers do not collide again at once.
                usleep(UInt32.random(in: 1_000...(5_000 * UInt32(attempt))))
            }
        }
    }

    private func checkout() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw PostgresError(sqlState: "08003", message: "the store is closed")
            }
            if let connection = idle.popLast() {
                condition.unlock()
                let before = connection.backendPID
                do {
                    try connection.reconnectIfBroken()
                } catch {
                    drop(connection, pid: before)
                    throw error
                }
                if connection.backendPID != before { replacePID(before, with: connection.backendPID) }
                return connection
            }
            if opened < maxConnections {
                opened += 1
                condition.unlock()
                do {
                    let connection = try PostgresConnection(url: url)
                    condition.lock()
                    pids.insert(connection.backendPID)
                    condition.unlock()
                    return connection
                } catch {
                    condition.lock()
                    opened -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    /// Returns a connection to the pool, rolled back if a transaction was left open (its body
    /// threw). A connection that cannot be rolled back is reset at its next checkout.
    private func checkin(_ connection: PostgresConnection) {
        if connection.inTransaction {
            try? connection.executeScript("ROLLBACK")
        }
        condition.lock()
        if closed {
            opened -= 1
            pids.remove(connection.backendPID)
        } else {
            idle.append(connection)
        }
        condition.signal()
        condition.unlock()
    }

    private func drop(_ connection: PostgresConnection, pid: Int32) {
        condition.lock()
        opened -= 1
        pids.remove(pid)
        condition.signal()
        condition.unlock()
    }

    private func replacePID(_ old: Int32, with new: Int32) {
        condition.lock()
        pids.remove(old)
        pids.insert(new)
        condition.unlock()
    }
}
