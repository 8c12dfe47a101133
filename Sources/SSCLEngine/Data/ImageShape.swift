/// The shape of one image row: channels x height x width, stored row-major in that order.
public struct ImageShape: Sendable, Equatable, Hashable {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image.
    public var size: Int { channels * height * width }
    /// `[channels, height, width]`, the per-row part of a batch tensor's shape.
    public var dimensions: [Int] { [channels, height, width] }
}
