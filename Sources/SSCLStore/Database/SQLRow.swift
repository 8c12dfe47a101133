/// One result row, read by column name: `let id: String = try row["id"]`.
public struct SQLRow: Sendable {
    /// Column names in select order.
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "one value per column")
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`; `StoreError.corruptValue` when the row has no such column.
    public func value(_ column: String) throws -> SQLValue {
        guard let index = columns.firstIndex(of: column) else {
            throw StoreError.corruptValue(column: column, value: "(no such column)")
        }
        return values[index]
    }

    /// The value of `column` decoded as `T` (an optional type for nullable columns).
    public subscript<T: SQLDecodable>(_ column: String) -> T {
        get throws { try T.decode(try value(column), column: column) }
    }

    /// The first column decoded as `T`: `SELECT count(*) ...`.
    public func first<T: SQLDecodable>(as type: T.Type = T.self) throws -> T {
        guard let value = values.first, let name = columns.first else {
            throw StoreError.corruptValue(column: "(first)", value: "(empty row)")
        }
        return try T.decode(value, column: name)
    }
}
