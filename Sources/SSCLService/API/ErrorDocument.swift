import Foundation

/// The API's error body: `{"error": {"code": "snake_case", "message": "...", "details": [{"path", "reason"}]}}`,
/// `details` left out when there are none.
struct ErrorDocument: Encodable {
    var error: Body

    struct Body: Encodable {
        var code: String
        var message: String
        /// Nil (left out) when empty.
        var details: [Detail]?
    }

    struct Detail: Encodable {
        var path: String
        var reason: String
    }
}
