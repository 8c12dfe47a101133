/// The answer of `POST /v1/jobs/{id}/neighbors`: per input, the k nearest train rows, most similar first.
struct NeighborsResponse: Codable, Sendable {
    var neighbors: [[NeighborMatch]]
    var step: Int
    var source: String
}
