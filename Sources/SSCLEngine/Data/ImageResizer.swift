/// Bilinear resizing of image planes, with the convention of PIL's `BILINEAR` and
/// torchvision's `Resize(antialias=True)`: pixel centres at (i + 0.5), so output pixel i
/// samples input position (i + 0.5) * in / out - 0.5 (PyTorch's `align_corners=False`), and
/// the triangle filter is widened by the shrink factor when shrinking, so every input pixel
/// contributes (plain bilinear would read 2 of every 15 pixels of a 500-pixel photo shrunk
/// to 32 and alias). Enlarging is exactly `F.interpolate(mode="bilinear",
/// align_corners=False)`. Weights are cut at the border and renormalised, which for
/// enlarging equals clamping to the edge pixel. Separable: rows first, then columns.
public enum ImageResizer {
    /// `planes` ([channels, height, width]) resized to [channels, toHeight, toWidth].
    public static func resize(_ planes: [Float], channels: Int, height: Int, width: Int,
                              toHeight: Int, toWidth: Int) -> [Float] {
        precondition(channels > 0 && height > 0 && width > 0 && toHeight > 0 && toWidth > 0, "empty image")
        precondition(planes.count == channels * height * width, "planes do not match \(channels)x\(height)x\(width)")
        if (height, width) == (toHeight, toWidth) { return planes }
        let columns = taps(from: width, to: toWidth), rows = taps(from: height, to: toHeight)
        var wide = [Float](repeating: 0, count: channels * height * toWidth)  // [C, H, toWidth]
        for line in 0..<(channels * height) {
            for (x, tap) in columns.enumerated() {
                var sum: Float = 0
                for (k, w) in tap.weights.enumerated() { sum += w * planes[line * width + tap.start + k] }
                wide[line * toWidth + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: channels * toHeight * toWidth)
        for c in 0..<channels {
            let plane = c * height * toWidth, target = c * toHeight * toWidth
            for (y, tap) in rows.enumerated() {
                for x in 0..<toWidth {
                    var sum: Float = 0
                    for (k, w) in tap.weights.enumerated() { sum += w * wide[plane + (tap.start + k) * toWidth + x] }
                    out[target + y * toWidth + x] = sum
                }
            }
        }
        return out
    }

    /// The input pixels one output pixel reads along an axis, and their weights (summing to 1).
    struct Tap: Equatable {
        var start: Int
        var weights: [Float]
    }

    /// PIL's `precompute_coeffs` for the bilinear filter (support 1): centre (i + 0.5) * s
    /// with s = in / out; support and the triangle's width scaled by max(s, 1).
    static func taps(from inSize: Int, to outSize: Int) -> [Tap] {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filterScale
        return (0..<outSize).map { i in
            let centre = (Double(i) + 0.5) * scale
            let low = max(0, Int((centre - support + 0.5).rounded(.down)))
            let high = min(inSize, Int((centre + support + 0.5).rounded(.down)))
            var weights = (low..<high).map { j in max(0, 1 - abs((Double(j) - centre + 0.5) / filterScale)) }
            let total = weights.reduce(0, +)
            if total > 0 { weights = weights.map { $0 / total } }
            return Tap(start: low, weights: weights.map(Float.init))
        }
    }
}
