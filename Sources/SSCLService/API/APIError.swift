import Foundation
import SSCLHTTP

/// The API's error shape: `{"error": {"code": "snake_case", "message": "...", "details": [{"path", "reason"}]}}`.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    var details: [(path: String, reason: String)] = []
    var headers: HTTPHeaders = HTTPHeaders()

    var response: HTTPResponse {
        var error: [String: Any] = ["code": code, "message": message]
        if !details.isEmpty {
            error["details"] = details.map { ["path": $0.path, "reason": $0.reason] }
        }
        return .json(status, JSONBody.encode(["error": error]), headers: headers)
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

/// JSON encoding of plain dictionaries for responses (sorted keys, no escaped slashes).
enum JSONBody {
    static func encode(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"error":{"code":"internal","message":"response encoding failed"}}"#.utf8)
    }

    /// Parses stored JSON text back into an object for embedding (null if unreadable).
    static func object(_ text: String?) -> Any {
        guard let text, let data = text.data(using: .utf8),
              let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return NSNull() }
        return value
    }
}
