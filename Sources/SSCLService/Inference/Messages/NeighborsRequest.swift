/// The body of `POST /v1/jobs/{id}/neighbors`: the embed inputs and how many neighbours.
struct NeighborsRequest: Codable, Sendable {
    var inputs: [[Double]]
    var k: Int?
}
