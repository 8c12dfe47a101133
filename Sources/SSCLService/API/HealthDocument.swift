import Foundation

/// `GET /healthz`: `ok`, the server's version and how many jobs are in each status (every
/// status, 0 when none).
struct HealthDocument: Encodable {
    var status: String
    var version: String
    var jobs: [String: Int]
}
