/// The API's error shape, `{"error": {"code", "message", "details": [{"path", "reason"}]}}`,
/// as the client reads it.
struct APIErrorBody: Codable, Sendable, Equatable {
    struct Detail: Codable, Sendable, Equatable {
        var path: String
        var reason: String
    }

    struct Body: Codable, Sendable, Equatable {
        var code: String
        var message: String
        var details: [Detail]?
    }

    var error: Body
}
