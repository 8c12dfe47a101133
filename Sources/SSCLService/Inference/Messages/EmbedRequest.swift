/// The body of `POST /v1/jobs/{id}/embed` as JSON: raw rows (README, "Using the encoder").
struct EmbedRequest: Codable, Sendable {
    /// [rows, rowSize]: flattened images ([C, H, W] order) or tabular rows in `feature_names` order.
    var inputs: [[Double]]
}
