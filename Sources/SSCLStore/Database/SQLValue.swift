import Foundation

/// One SQL value as both engines store it. Times are RFC 3339 text and flags are 0/1 integers
/// in both schemas, so one statement reads and writes the same values on SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A Swift value that binds to a statement parameter.
public protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { isNaN ? .null : .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }

/// A Swift value that a result column decodes to; throws `StoreError.corruptValue` naming the
/// column when the stored value does not fit.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue, column: String) throws -> Self
}

extension SQLValue {
    func corrupt(_ column: String) -> StoreError {
        let shown: String = switch self {
        case .null: "NULL"
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): v
        }
        return StoreError.corruptValue(column: column, value: shown)
    }
}

extension Int64: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int64 {
        switch value {
        case .integer(let v): return v
        case .real(let v) where v.rounded() == v && abs(v) < 9e18: return Int64(v)
        case .text(let v): if let n = Int64(v) { return n }
        default: break
        }
        throw value.corrupt(column)
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int {
        Int(try Int64.decode(value, column: column))
    }
}

extension Double: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Double {
        switch value {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        case .text(let v): if let d = Double(v) { return d }
        default: break
        }
        throw value.corrupt(column)
    }
}

extension String: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> String {
        if case .text(let v) = value { return v }
        throw value.corrupt(column)
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Bool {
        switch try Int64.decode(value, column: column) {
        case 0: return false
        case 1: return true
        default: throw value.corrupt(column)
        }
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.decode(value, column: column)
    }
}
