import Foundation

/// A JSON value as the job document needs it: objects keep their members in document order
/// (so the resolved job prints in a readable order) and numbers keep their JSON text (so a
/// 64-bit seed survives exactly and `true` is never mistaken for `1`, as it can be after
/// `JSONSerialization`).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's JSON text, e.g. `"256"`, `"0.1"`, `"1e-08"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; keys are unique.
    case object([JSONMember])

    public static func number(_ value: Int) -> JSONValue { .number(String(value)) }
    public static func number(_ value: UInt64) -> JSONValue { .number(String(value)) }

    /// Float fields print as their shortest round-tripping text (`0.1`, not `0.10000000149011612`).
    public static func number(_ value: Float) -> JSONValue {
        value.isFinite ? .number(String(value)) : .null
    }

    public static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .number(String(value)) : .null
    }

    /// The member named `key` of an object (nil for other values or a missing key). Setting
    /// replaces the member in place or appends it, and nil removes it; setting on anything but
    /// an object does nothing.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }
        set {
            guard case .object(var members) = self else { return }
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(JSONMember(key, newValue))
            }
            self = .object(members)
        }
    }

    /// Objects compare as unordered maps, numbers by value.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return numbersEqual(x, y)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { member in y.contains { $0.key == member.key && $0.value == member.value } }
        default: return false
        }
    }

    /// `1`, `1.0` and `1e0` are the same number; integers compare exactly (no rounding through Double).
    private static func numbersEqual(_ x: String, _ y: String) -> Bool {
        if x == y { return true }
        if let i = Int(x), let j = Int(y) { return i == j }
        if let i = UInt64(x), let j = UInt64(y) { return i == j }
        guard let a = Double(x), let b = Double(y) else { return false }
        return a == b
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
}

extension JSONValue {
    /// Converts what `JSONSerialization` produces (or a hand-built `[String: Any]`) into a
    /// value; the failure names the first thing that is not JSON by its dotted path.
    static func from(any value: Any, path: String) -> Result<JSONValue, JobSpecSyntaxError> {
        switch value {
        case is NSNull: return .success(.null)
        case let s as String: return .success(.string(s))
        case let a as [Any]:
            var items: [JSONValue] = []
            for (i, item) in a.enumerated() {
                switch from(any: item, path: "\(path)[\(i)]") {
                case .success(let v): items.append(v)
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.array(items))
        case let d as [String: Any]:
            var members: [JSONMember] = []
            for key in d.keys.sorted() {
                switch from(any: d[key]!, path: path.isEmpty ? key : "\(path).\(key)") {
                case .success(let v): members.append(JSONMember(key, v))
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.object(members))
        default:
            if let number = numberText(value) { return number }
            let shown = path.isEmpty ? "the document" : "\"\(path)\""
            return .failure(JobSpecSyntaxError(message: "\(shown) holds a \(type(of: value)), not a JSON value"))
        }
    }

    /// Swift booleans and numbers, and Foundation's `NSNumber` (whose booleans are a distinct class).
    private static func numberText(_ value: Any) -> Result<JSONValue, JobSpecSyntaxError>? {
        switch value {
        case let b as Bool where type(of: value) == Bool.self: return .success(.bool(b))
        case let i as Int where type(of: value) == Int.self: return .success(.number(i))
        case let i as Int64 where type(of: value) == Int64.self: return .success(.number(String(i)))
        case let i as Int32 where type(of: value) == Int32.self: return .success(.number(String(i)))
        case let u as UInt64 where type(of: value) == UInt64.self: return .success(.number(u))
        case let u as UInt where type(of: value) == UInt.self: return .success(.number(String(u)))
        case let d as Double where type(of: value) == Double.self: return checkedFinite(d.isFinite, String(d))
        case let f as Float where type(of: value) == Float.self: return checkedFinite(f.isFinite, String(f))
        case let n as NSNumber:
            if String(describing: type(of: n)).contains("Boolean") { return .success(.bool(n.boolValue)) }
            switch String(cString: n.objCType) {
            case "f", "d": return checkedFinite(n.doubleValue.isFinite, String(n.doubleValue))
            default: return .success(.number(n.stringValue))
            }
        default: return nil
        }
    }

    /// NaN and infinity have no JSON text; carry them as a string so validation says "expected a number".
    private static func checkedFinite(_ finite: Bool, _ text: String) -> Result<JSONValue, JobSpecSyntaxError> {
        .success(finite ? .number(text) : .string(text))
    }

    /// The value as Foundation types (`[String: Any]`, `[Any]`, `Bool`, `Int`, `UInt64`,
    /// `Double`, `String`, `NSNull`), ready for `JSONSerialization`.
    public var anyValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let text):
            if let i = Int(text) { return i }
            if let u = UInt64(text) { return u }
            return Double(text) ?? 0
        case .string(let s): return s
        case .array(let items): return items.map(\.anyValue)
        case .object(let members):
            return Dictionary(members.map { ($0.key, $0.value.anyValue) }, uniquingKeysWith: { _, last in last })
        }
    }
}
