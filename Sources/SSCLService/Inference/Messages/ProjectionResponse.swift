/// The answer of `GET /v1/jobs/{id}/projection`: a fixed sample of up to 2000 test rows'
/// representations projected on their first two principal components.
struct ProjectionResponse: Codable, Sendable {
    struct Point: Codable, Sendable {
        /// The row's index in the test split.
        var index: Int
        var label: Int
        var x: Double
        var y: Double
    }

    var method: String
    /// The optimiser step of the weights projected.
    var step: Int
    /// Share of the total variance along x and along y.
    var explainedVariance: [Double]
    var points: [Point]
    var classNames: [String]

    enum CodingKeys: String, CodingKey {
        case method, step, points
        case explainedVariance = "explained_variance"
        case classNames = "class_names"
    }
}
