/// An image as a decoder returns it: 8-bit samples, rows top to bottom, pixels interleaved
/// (grey, or R G B), alpha already dropped (as `PIL.Image.convert("RGB")` does).
public struct DecodedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// [height, width, channels]
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "decoded images are grey or RGB")
        precondition(width > 0 && height > 0 && pixels.count == width * height * channels,
                     "\(pixels.count) samples do not make a \(width)x\(height)x\(channels) image")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// ITU-R BT.601 luma weights (as PIL's `convert("L")` and torchvision's `rgb_to_grayscale`).
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.299, 0.587, 0.114)

    /// The samples as `channels` planes ([channels, height, width], values 0...255 times `scale`):
    /// a grey image asked for 3 channels is replicated in each, an RGB image asked for 1 becomes
    /// its BT.601 luma (unrounded).
    public func planes(channels target: Int, scale: Float = 1) -> [Float] {
        precondition(target == 1 || target == 3, "channels must be 1 or 3")
        let area = width * height
        var out = [Float](repeating: 0, count: target * area)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                switch (channels, target) {
                case (1, _):
                    for i in 0..<area {
                        let v = Float(src[i]) * scale
                        for c in 0..<target { dst[c * area + i] = v }
                    }
                case (3, 3):
                    for i in 0..<area {
                        for c in 0..<3 { dst[c * area + i] = Float(src[3 * i + c]) * scale }
                    }
                default:  // RGB to grey
                    let w = Self.lumaWeights
                    for i in 0..<area {
                        let y = w.red * Float(src[3 * i]) + w.green * Float(src[3 * i + 1]) + w.blue * Float(src[3 * i + 2])
                        dst[i] = y * scale
                    }
                }
            }
        }
        return out
    }
}
