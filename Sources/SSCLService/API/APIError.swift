import Foundation
import SSCLEngine
import SSCLHTTP

/// The API's error shape: `{"error": {"code": "snake_case", "message": "...", "details": [{"path", "reason"}]}}`.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    var details: [(path: String, reason: String)] = []
    var headers: HTTPHeaders = HTTPHeaders()

    var response: HTTPResponse {
        let document = ErrorDocument(error: .init(
            code: code, message: message,
            details: details.isEmpty ? nil : details.map { ErrorDocument.Detail(path: $0.path, reason: $0.reason) }))
        // Strings and arrays of strings always encode.
        return .json(status, (try? JSONBody.data(document)) ?? Data(), headers: headers)
    }

    static func notFound(_ what: String) -> APIError {
        APIError(status: 404, code: "not_found", message: what)
    }

    static func conflict(_ message: String) -> APIError {
        APIError(status: 409, code: "conflict", message: message)
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: 400, code: "bad_request", message: message)
    }
}

/// JSON text stored by the service itself (resolved jobs, progress, results), embedded in a
/// response as it is, without a parse and re-encode.
struct RawJSON {
    let text: String
}

/// JSON encoding of response bodies. `Encodable` bodies (one type per body) go through
/// `encoder`; the hand-written writer of plain dictionaries below is left for the OpenAPI
/// document only: keys sorted by code point, numbers in their shortest form, no escaped slashes. Written by hand because Foundation's
/// `JSONSerialization` sorts keys with ICU collation, which made `GET /v1/jobs/{id}` cost
/// ~0.8 ms of CPU (measured with perf); this path is ~10x cheaper.
enum JSONBody {
    /// The one encoder of the API's `Encodable` bodies: keys sorted by code point (as the
    /// hand-written writer below sorts them), no escaped slashes. Integral doubles print as
    /// integers (`1`, not `1.0`) and others in their shortest form, as `writeDouble` does.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// An `Encodable` body (a `JobDocument`, a `SweepDocument`, ...) as JSON.
    static func data(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    /// Stored JSON text (a resolved job, progress, a result) as a value to embed in an
    /// `Encodable` body: null when absent or empty (or, which the service never stores, not JSON).
    static func value(_ text: String?) -> JSONValue {
        guard let text, !text.isEmpty else { return .null }
        return (try? JSONValue.parse(Data(text.utf8))) ?? .null
    }

    static func encode(_ object: Any) -> Data {
        var out = ""
        out.reserveCapacity(1024)
        write(object, to: &out)
        return Data(out.utf8)
    }

    /// Stored JSON text for embedding (null when absent).
    static func object(_ text: String?) -> Any {
        guard let text, !text.isEmpty else { return NSNull() }
        return RawJSON(text: text)
    }

    private static func write(_ value: Any, to out: inout String) {
        switch value {
        case let raw as RawJSON:
            out += raw.text
        case let string as String:
            writeString(string, to: &out)
        case let bool as Bool where !(value is NSNumber):
            out += bool ? "true" : "false"
        case let number as NSNumber:
            if CFGetTypeIDIsBool(number) {
                out += number.boolValue ? "true" : "false"
            } else if String(cString: number.objCType) == "f" {
                writeDouble(Double("\(number.floatValue)") ?? number.doubleValue, to: &out)
            } else if String(cString: number.objCType) == "d" {
                writeDouble(number.doubleValue, to: &out)
            } else {
                out += number.stringValue
            }
        case let int as Int:
            out += String(int)
        case let int as Int64:
            out += String(int)
        case let int as Int32:
            out += String(int)
        case let double as Double:
            writeDouble(double, to: &out)
        case let float as Float:
            writeDouble(Double("\(float)") ?? Double(float), to: &out)
        case let dictionary as [String: Any]:
            out += "{"
            for (i, key) in dictionary.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(key, to: &out)
                out += ":"
                write(dictionary[key]!, to: &out)
            }
            out += "}"
        case let array as [Any]:
            out += "["
            for (i, element) in array.enumerated() {
                if i > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        default:
            out += "null"  // NSNull, nil and anything unexpected
        }
    }

    private static func writeDouble(_ x: Double, to out: inout String) {
        guard x.isFinite else { out += "null"; return }
        if x == x.rounded(), abs(x) < 1e15 {
            out += String(Int64(x))
        } else {
            out += "\(x)"
        }
    }

    /// Strings are escaped by the engine's JSON writer (one escaping rule in the project).
    private static func writeString(_ s: String, to out: inout String) {
        out += JSONValue.string(s).jsonText()
    }
}
