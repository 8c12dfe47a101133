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

/// JSON encoding of response bodies: every body, the OpenAPI document included (a `JSONValue`),
/// is an `Encodable` value encoded by `encoder`.
enum JSONBody {
    /// The one encoder of the API's bodies: keys sorted by code point, no escaped slashes.
    /// Integral doubles print as integers (`1`, not `1.0`) and others in their shortest form.
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
}
