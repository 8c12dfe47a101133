import Foundation

/// `GET /v1/sweeps`: every sweep, newest first, without the details of each.
struct SweepListDocument: Encodable {
    var sweeps: [SweepDocument]
}
