/// The answer of `GET /v1/jobs/{id}/items/{index}`: one row of a split for the dashboard's
/// hover, with its nearest train rows.
struct ItemResponse: Codable, Sendable {
    struct Image: Codable, Sendable {
        var width: Int
        var height: Int
        var channels: Int
        /// [channels, height, width], 0...255 (the preprocessed value x 255, clamped).
        var pixels: [Int]
    }

    var index: Int
    var label: Int
    var className: String
    /// Tabular rows: the raw values (`feature_names` order); nil for images.
    var values: [Double]?
    var image: Image?
    /// Nearest train rows (the item itself left out).
    var neighbors: [NeighborMatch]

    enum CodingKeys: String, CodingKey {
        case index, label, values, image, neighbors
        case className = "class_name"
    }
}
