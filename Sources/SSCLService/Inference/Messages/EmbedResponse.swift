/// The answer of `POST /v1/jobs/{id}/embed`: f(x) per input (L2-normalised with `normalize=true`).
struct EmbedResponse: Codable, Sendable {
    /// [rows, representationSize]
    var embeddings: [[Float]]
    /// The optimiser step of the weights used, and which file they came from.
    var step: Int
    var source: String
}
