import Foundation

/// One random view of an image, as in SimCLR (Chen et al. 2020, appendix A): random resized
/// crop, horizontal flip, brightness/contrast jitter, Gaussian noise, then random erasing
/// (Zhong et al. 2020). Every draw comes from the caller's generator, so a seed fixes the view.
/// Values are not clamped, so images scaled beyond [0, 1] keep their range.
public struct ImageAugmenter: Sendable {
    public let spec: AugmentSpec
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(spec: AugmentSpec, channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "empty image shape")
        self.spec = spec
        self.channels = channels
        self.height = height
        self.width = width
    }

    public init(spec: AugmentSpec, shape: ImageShape) {
        self.init(spec: spec, channels: shape.channels, height: shape.height, width: shape.width)
    }

    /// Writes one augmented view of `image` ([channels, height, width]) into `output` (same shape).
    public func augment(_ image: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                        rng: inout SeededGenerator) {
        let size = channels * height * width
        precondition(image.count >= size && output.count >= size, "image buffers smaller than \(channels)x\(height)x\(width)")
        let src = image.baseAddress!, dst = output.baseAddress!
        let flip = spec.flip && rng.uniform() < 0.5
        if spec.crop > 0 {
            resizedCrop(src, into: dst, flip: flip, rng: &rng)
        } else if flip {
            for row in 0..<(channels * height) {
                let s = src + row * width, d = dst + row * width
                for x in 0..<width { d[x] = s[width - 1 - x] }
            }
        } else {
            dst.update(from: src, count: size)
        }
        if spec.jitter > 0 { jitter(dst, count: size, rng: &rng) }
        if spec.noise > 0 { GaussianNoise.add(to: dst, count: size, std: spec.noise, rng: &rng) }
        if spec.erase > 0 && rng.uniform() < spec.erase { erase(dst, rng: &rng) }
    }

    /// Random resized crop: a box of area fraction a ~ U[crop, 1] and aspect ratio r with
    /// log r ~ U[log 3/4, log 4/3], scaled back to height x width by bilinear interpolation
    /// (pixel centres, as `align_corners=False`). The flip is folded into the column map.
    private func resizedCrop(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, flip: Bool,
                             rng: inout SeededGenerator) {
        let area = rng.uniform(min(spec.crop, 1), 1)
        let ratio = Foundation.exp(rng.uniform(Foundation.log(Float(3) / 4), Foundation.log(Float(4) / 3)))
        let boxWidth = min(Float(width), max(1, (area * ratio).squareRoot() * Float(width)))
        let boxHeight = min(Float(height), max(1, (area / ratio).squareRoot() * Float(height)))
        let left = rng.uniform() * (Float(width) - boxWidth)
        let top = rng.uniform() * (Float(height) - boxHeight)

        withUnsafeTemporaryAllocation(of: SampleTap.self, capacity: width + height) { taps in
            let columns = taps.baseAddress!, rows = taps.baseAddress! + width
            for x in 0..<width {
                let out = flip ? width - 1 - x : x
                columns[out] = SampleTap(position: left + (Float(x) + 0.5) * boxWidth / Float(width) - 0.5, limit: width)
            }
            for y in 0..<height {
                rows[y] = SampleTap(position: top + (Float(y) + 0.5) * boxHeight / Float(height) - 0.5, limit: height)
            }
            for c in 0..<channels {
                let plane = src + c * height * width, target = dst + c * height * width
                for y in 0..<height {
                    let ty = rows[y]
                    let upper = plane + ty.low * width, lower = plane + ty.high * width
                    let out = target + y * width
                    for x in 0..<width {
                        let tx = columns[x]
                        let a = upper[tx.low] + tx.fraction * (upper[tx.high] - upper[tx.low])
                        let b = lower[tx.low] + tx.fraction * (lower[tx.high] - lower[tx.low])
                        out[x] = a + ty.fraction * (b - a)
                    }
                }
            }
        }
    }

    /// Brightness then contrast: x <- b x, then x <- c (x - m) + m with m the mean grey level
    /// after the brightness step (of the plane for grey images, of the BT.601 luma for RGB
    /// ones, as torchvision's `adjust_contrast`); b, c ~ U[1 - j, 1 + j] (ColorJitter), the
    /// same for every channel.
    private func jitter(_ x: UnsafeMutablePointer<Float>, count: Int, rng: inout SeededGenerator) {
        let j = spec.jitter
        let brightness = rng.uniform(max(0, 1 - j), 1 + j)
        let contrast = rng.uniform(max(0, 1 - j), 1 + j)
        let area = height * width
        var mean: Float = 0
        if channels == 3 {
            let w = DecodedImage.lumaWeights
            var sums: (Float, Float, Float) = (0, 0, 0)
            for i in 0..<area { sums.0 += x[i]; sums.1 += x[area + i]; sums.2 += x[2 * area + i] }
            mean = brightness * (w.red * sums.0 + w.green * sums.1 + w.blue * sums.2) / Float(area)
        } else {
            var sum: Float = 0
            for i in 0..<count { sum += x[i] }
            mean = brightness * sum / Float(count)
        }
        let gain = contrast * brightness, offset = (1 - contrast) * mean
        for i in 0..<count { x[i] = gain * x[i] + offset }
    }

    /// Random erasing: a rectangle of 2%-33% of the area with aspect ratio in [0.3, 3.3]
    /// (Zhong et al. 2020; torchvision's defaults), set in every channel to 0 or to the
    /// channel mean, each with probability 1/2. Up to 10 tries to fit the rectangle.
    private func erase(_ x: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        let total = Float(height * width)
        for _ in 0..<10 {
            let area = rng.uniform(0.02, 0.33) * total
            let ratio = Foundation.exp(rng.uniform(Foundation.log(Float(0.3)), Foundation.log(Float(3.3))))
            let h = Int((area * ratio).squareRoot().rounded()), w = Int((area / ratio).squareRoot().rounded())
            guard h >= 1, w >= 1, h < height, w < width else { continue }
            let top = rng.int(below: height - h + 1), left = rng.int(below: width - w + 1)
            let useMean = rng.uniform() < 0.5
            for c in 0..<channels {
                let plane = x + c * height * width
                var fill: Float = 0
                if useMean {
                    for i in 0..<(height * width) { fill += plane[i] }
                    fill /= total
                }
                for y in top..<(top + h) {
                    (plane + y * width + left).update(repeating: fill, count: w)
                }
            }
            return
        }
    }
}

/// A bilinear sample along one axis: the two neighbouring pixels and the weight of the second.
private struct SampleTap {
    var low: Int
    var high: Int
    var fraction: Float

    init(position: Float, limit: Int) {
        let p = min(max(position, 0), Float(limit - 1))
        low = Int(p)
        high = min(low + 1, limit - 1)
        fraction = p - Float(low)
    }
}
