/// One train row near a query: its index in the train split, its class and the cosine
/// similarity of the representations.
struct NeighborMatch: Codable, Sendable, Equatable {
    var index: Int
    var label: Int
    var className: String
    var similarity: Float

    enum CodingKeys: String, CodingKey {
        case index, label, similarity
        case className = "class_name"
    }
}
