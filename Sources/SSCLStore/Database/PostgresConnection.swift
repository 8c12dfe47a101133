import CLibPQ
import Foundation

/// One libpq connection, used by one thread at a time (the pool hands it out). Statements go
/// through `PQexecParams` with every parameter as text of type OID 0, so the server infers
/// each type from where it is used, exactly as SQLite takes any value: `?`/`?N` become `$n`.
final class PostgresConnection: SQLConnection, @unchecked Sendable {
    private let url: String
    /// `PGconn *`.
    private let handle: OpaquePointer
    var dialect: SQLDialect { .postgres }

    /// Defaults the URL may override: a bounded connect, TCP keepalives that notice a cut
    /// network within about half a minute (the OS default is two hours: a listener would wait
    /// that long), a name in `pg_stat_activity`, and an end to a transaction left idle for 10 s:
    /// the store's transactions never wait between statements, so only a frozen node (a stopped
    /// process, a paused VM; its TCP keepalives still answer) leaves one idle, and its row locks
    /// must not keep the other nodes from taking its jobs back when its leases expire.
    static let defaultParameters: KeyValuePairs<String, String> = [
        "connect_timeout": "10", "keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5",
        "keepalives_count": "3", "application_name": "sscl",
        "options": "-c idle_in_transaction_session_timeout=10000",
    ]

    init(url: String) throws {
        // Parameters before `dbname` are overridden by the ones the URL (expanded) gives.
        let pairs = Self.defaultParameters.map { ($0.key, $0.value) } + [("dbname", url)]
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer { (keywords + values).forEach { free($0) } }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let handle = connection else {
            throw PostgresError(sqlState: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(handle)
            PQfinish(handle)
            throw PostgresError(sqlState: "08001", message: "cannot connect to \(StoreLocation.postgres(url: url)): \(message)")
        }
        self.url = url
        self.handle = handle
        backendPID = PQbackendPID(handle)
        // Notices ("relation already exists, skipping") would go to stderr by default.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// The server process serving this connection (what `LISTEN` sees as a notification's
    /// sender), kept while the connection is broken (libpq then says 0) until it reconnects.
    private(set) var backendPID: Int32

    var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Reconnects a connection the server or the network dropped; a no-op on a good one.
    func reconnectIfBroken() throws {
        guard !isOpen else { return }
        PQreset(handle)
        if isOpen { backendPID = PQbackendPID(handle) }
        guard isOpen else {
            throw PostgresError(sqlState: "08006", message: "lost the connection to \(StoreLocation.postgres(url: url)) and could not reconnect: \(Self.message(handle))")
        }
    }

    /// True inside a transaction block (including a failed one waiting for its ROLLBACK).
    var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    // MARK: - SQLConnection

    @discardableResult
    func execute(_ sql: String, arguments: [SQLValue]) throws -> Int {
        let result = try run(sql, arguments: arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, arguments: arguments)
        defer { PQclear(result) }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let types = (0..<columnCount).map { PQftype(result, $0) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            let values = (0..<columnCount).map { column -> SQLValue in
                if PQgetisnull(result, row, column) != 0 { return .null }
                return Self.decode(String(cString: PQgetvalue(result, row, column)), type: types[Int(column)])
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// Runs SQL text that may hold several statements and no parameters (a migration file,
    /// BEGIN, LISTEN), with the simple query protocol.
    func executeScript(_ sql: String) throws {
        guard let result = PQexec(handle, sql) else { throw failure(nil, sql: sql) }
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs one statement; the caller clears the result.
    private func run(_ sql: String, arguments: [SQLValue]) throws -> OpaquePointer {
        let (text, count) = Self.rewritePlaceholders(sql)
        guard count == arguments.count else {
            throw PostgresError(sqlState: "08P01", message: "the statement takes \(count) parameter(s), \(arguments.count) given", sql: sql)
        }
        let strings: [UnsafeMutablePointer<CChar>?] = arguments.map { value in Self.text(value).flatMap { strdup($0) } }
        defer { strings.forEach { free($0) } }
        let pointers = strings.map { UnsafePointer($0) }
        let result = pointers.withUnsafeBufferPointer { values in
            PQexecParams(handle, text, Int32(arguments.count), nil, values.baseAddress, nil, nil, 0)
        }
        guard let result else { throw failure(nil, sql: sql) }
        do {
            try check(result, sql: sql)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    private func check(_ result: OpaquePointer, sql: String) throws {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw failure(result, sql: sql)
        }
    }

    private func failure(_ result: OpaquePointer?, sql: String) -> PostgresError {
        var state: String?
        var message = Self.message(handle)
        if let result {
            if let code = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { state = String(cString: code) }
            if let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))) { message = String(cString: primary) }
        }
        if state == nil && !isOpen { state = "08006" }
        return PostgresError(sqlState: state, message: message, sql: sql)
    }

    private static func message(_ handle: OpaquePointer) -> String {
        guard let text = PQerrorMessage(handle) else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Notifications

    /// The socket to poll(2) for notifications.
    var socket: Int32 { PQsocket(handle) }

    /// Reads what arrived on the socket and returns the notifications received, as
    /// (sending backend pid, payload).
    func consumeNotifications() throws -> [(pid: Int32, payload: String)] {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(sqlState: "08006", message: Self.message(handle))
        }
        var received: [(pid: Int32, payload: String)] = []
        while let notification = PQnotifies(handle) {
            received.append((notification.pointee.be_pid, String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }
}

extension PostgresConnection {
    /// A parameter as text; nil for NULL. NaN and the infinities in PostgreSQL's spelling.
    /// PostgreSQL text cannot hold NUL characters: they become U+FFFD (a worker's log line
    /// with a stray NUL is stored rather than refused or cut short).
    static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
            return "\(v)"
        case .text(let v): return v.contains("\0") ? v.replacingOccurrences(of: "\0", with: "\u{FFFD}") : v
        }
    }

    /// A result value by its column's type OID: integers (int2, int4, int8, oid) as
    /// `.integer`, float4, float8 and numeric as `.real`, bool as 0/1, anything else as text.
    static func decode(_ text: String, type: UInt32) -> SQLValue {
        switch type {
        case 20, 21, 23, 26:
            if let v = Int64(text) { return .integer(v) }
        case 700, 701, 1700:
            if let v = Double(text) { return .real(v) }
            switch text {
            case "Infinity": return .real(.infinity)
            case "-Infinity": return .real(-.infinity)
            default: break
            }
        case 16:
            return .integer(text == "t" ? 1 : 0)
        default:
            break
        }
        return .text(text)
    }

    /// Rewrites SQLite's `?` and `?N` parameters to PostgreSQL's `$n`, leaving quoted strings,
    /// quoted identifiers, dollar-quoted strings and comments alone. As in SQLite, a bare `?`
    /// takes the number after the largest one used so far. Returns the SQL and the number of
    /// parameters it takes.
    static func rewritePlaceholders(_ sql: String) -> (sql: String, count: Int) {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var highest = 0
        var i = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isIdentifier(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F || b >= 0x80 }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // 'it''s' and "a""b": the doubled quote is inside; copy up to the closing one.
                var j = i + 1
                while j < bytes.count {
                    if bytes[j] == b {
                        if j + 1 < bytes.count && bytes[j + 1] == b { j += 2; continue }
                        break
                    }
                    j += 1
                }
                let end = min(j + 1, bytes.count)
                out.append(contentsOf: bytes[i..<end])
                i = end
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                var j = i
                while j < bytes.count && bytes[j] != UInt8(ascii: "\n") { j += 1 }
                out.append(contentsOf: bytes[i..<j])
                i = j
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                var j = i + 2
                while j + 1 < bytes.count && !(bytes[j] == UInt8(ascii: "*") && bytes[j + 1] == UInt8(ascii: "/")) { j += 1 }
                let end = min(j + 2, bytes.count)
                out.append(contentsOf: bytes[i..<end])
                i = end
            case UInt8(ascii: "$") where i == 0 || !isIdentifier(bytes[i - 1]):
                // $tag$ ... $tag$ (the tag may be empty); `$1` is not a tag.
                var j = i + 1
                if j < bytes.count && isDigit(bytes[j]) {
                    out.append(b)
                    i += 1
                    break
                }
                while j < bytes.count && isIdentifier(bytes[j]) { j += 1 }
                if j < bytes.count && bytes[j] == UInt8(ascii: "$") {
                    let tag = Array(bytes[i...j])
                    var k = j + 1
                    while k + tag.count <= bytes.count && !bytes[k..<(k + tag.count)].elementsEqual(tag) { k += 1 }
                    let end = k + tag.count <= bytes.count ? k + tag.count : bytes.count
                    out.append(contentsOf: bytes[i..<end])
                    i = end
                } else {
                    out.append(b)
                    i += 1
                }
            case UInt8(ascii: "?"):
                var j = i + 1
                while j < bytes.count && isDigit(bytes[j]) { j += 1 }
                let number: Int
                if j > i + 1, let n = Int(String(decoding: bytes[(i + 1)..<j], as: UTF8.self)) {
                    number = n
                } else {
                    number = highest + 1
                }
                highest = max(highest, number)
                out.append(contentsOf: Array("$\(number)".utf8))
                i = j
            default:
                out.append(b)
                i += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), highest)
    }
}
