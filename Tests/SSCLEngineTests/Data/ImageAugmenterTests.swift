import Testing
@testable import SSCLEngine

@Suite struct ImageAugmenterTests {
    /// A random image in [0, 1), [channels, height, width].
    private func image(channels: Int = 1, height: Int = 28, width: Int = 28, seed: UInt64 = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(channels * height * width)).map { _ in rng.uniform() }
    }

    private func augment(_ input: [Float], _ spec: AugmentSpec, channels: Int = 1, height: Int = 28, width: Int = 28,
                         seed: UInt64) -> [Float] {
        let augmenter = ImageAugmenter(spec: spec, channels: channels, height: height, width: width)
        var rng = SeededGenerator(seed: seed)
        var output = [Float](repeating: .nan, count: input.count)
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { augmenter.augment(src, into: $0, rng: &rng) }
        }
        return output
    }

    @Test func everythingOffIsTheIdentity() {
        let x = image(channels: 3)
        #expect(augment(x, AugmentSpec(), channels: 3, seed: 4) == x)
    }

    @Test(arguments: [
        AugmentSpec(crop: 0.5), AugmentSpec(flip: true), AugmentSpec(jitter: 0.4), AugmentSpec(noise: 0.1),
        AugmentSpec(erase: 1), AugmentSpec.image,
    ])
    func eachAugmentationIsSeededAndChangesTheImage(spec: AugmentSpec) {
        let x = image()
        // Some seed changes the image (flip keeps it half of the time) and the same seed repeats the view.
        let views = (0..<4).map { augment(x, spec, seed: UInt64($0)) }
        #expect(views.contains { $0 != x })
        for (s, view) in views.enumerated() { #expect(augment(x, spec, seed: UInt64(s)) == view) }
        #expect(views.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    @Test func flipMirrorsColumnsOrLeavesTheImage() {
        let (h, w) = (5, 7)
        let x = image(channels: 2, height: h, width: w)
        var mirrored = x
        for row in 0..<(2 * h) { for c in 0..<w { mirrored[row * w + c] = x[row * w + w - 1 - c] } }
        var flips = 0
        for seed in 0..<40 {
            let y = augment(x, AugmentSpec(flip: true), channels: 2, height: h, width: w, seed: UInt64(seed))
            #expect(y == x || y == mirrored)
            if y == mirrored { flips += 1 }
            // Flip off: orientation kept whatever else happens.
            #expect(augment(x, AugmentSpec(jitter: 0), channels: 2, height: h, width: w, seed: UInt64(seed)) == x)
        }
        #expect(flips > 8 && flips < 32)
    }

    @Test func resizedCropInterpolatesLinearly() {
        // I(y, x) = x: bilinear resampling of a linear ramp is linear, so inside the clamp
        // every step between neighbours is the same, boxWidth / width <= 1.
        let (h, w) = (6, 10)
        let ramp = (0..<(h * w)).map { Float($0 % w) }
        for seed in 0..<20 {
            let y = augment(ramp, AugmentSpec(crop: 0.3), height: h, width: w, seed: UInt64(seed))
            for r in 0..<h {
                let row = Array(y[(r * w)..<((r + 1) * w)])
                #expect(row == Array(y[0..<w]))  // every row the same: the ramp does not depend on y
                let steps = (1..<w).map { row[$0] - row[$0 - 1] }
                #expect(steps.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-5 })
                let interior = (1..<w).filter { row[$0 - 1] > 0 && row[$0] < Float(w - 1) }.map { steps[$0 - 1] }
                if let first = interior.first { #expect(interior.allSatisfy { abs($0 - first) < 1e-4 }) }
            }
            #expect(y.min()! >= 0 && y.max()! <= Float(w - 1))
        }
    }

    @Test func cropOfAConstantImageIsConstant() {
        let x = [Float](repeating: 0.25, count: 3 * 8 * 8)
        #expect(augment(x, AugmentSpec(crop: 0.2, flip: true), channels: 3, height: 8, width: 8, seed: 9) == x)
    }

    @Test func jitterScalesBrightnessWithinItsRange() {
        // On a constant image contrast changes nothing, so the output is b * 0.5, b in [0.6, 1.4].
        let x = [Float](repeating: 0.5, count: 64)
        for seed in 0..<20 {
            let y = augment(x, AugmentSpec(jitter: 0.4), height: 8, width: 8, seed: UInt64(seed))
            #expect(Set(y).count == 1)
            #expect(y[0] >= 0.3 - 1e-6 && y[0] <= 0.7 + 1e-6)
        }
    }

    @Test func noiseHasTheRequestedStandardDeviation() {
        let x = [Float](repeating: 0, count: 64 * 64)
        let y = augment(x, AugmentSpec(noise: 0.2), height: 64, width: 64, seed: 3)
        let n = Double(y.count)
        let mean = y.reduce(0) { $0 + Double($1) } / n
        let std = (y.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n).squareRoot()
        #expect(abs(mean) < 0.01)
        #expect(abs(std - 0.2) < 0.01)
    }

    @Test func erasingFillsOneRectangleWithZeroOrTheMean() {
        let (h, w) = (28, 28)
        let x = image(height: h, width: w).map { $0 + 0.5 }  // no zeros in the input
        let mean = x.reduce(0, +) / Float(x.count)
        var fills = Set<Bool>()
        for seed in 0..<30 {
            let y = augment(x, AugmentSpec(erase: 1), height: h, width: w, seed: UInt64(seed))
            let changed = (0..<x.count).filter { y[$0] != x[$0] }
            #expect(!changed.isEmpty)
            let rows = changed.map { $0 / w }, cols = changed.map { $0 % w }
            let box = (rows.min()!...rows.max()!, cols.min()!...cols.max()!)
            #expect(changed.count == box.0.count * box.1.count)  // a full rectangle
            let area = Double(changed.count) / Double(h * w)
            #expect(area > 0.01 && area < 0.36)
            let fill = y[changed[0]]
            #expect(changed.allSatisfy { y[$0] == fill })
            #expect(fill == 0 || abs(fill - mean) < 1e-5)
            fills.insert(fill == 0)
        }
        #expect(fills.count == 2)
    }

    @Test func erasingHappensWithItsProbability() {
        let x = image(height: 8, width: 8).map { $0 + 0.5 }
        let erased = (0..<400).filter { augment(x, AugmentSpec(erase: 0.25), height: 8, width: 8, seed: UInt64($0)) != x }
        #expect(abs(Double(erased.count) / 400 - 0.25) < 0.07)
    }

    /// RGB contrast pivots on the mean BT.601 luma (torchvision's `adjust_contrast`), one map
    /// y = g x + o for every channel. Swapping the red and blue planes keeps the mean of all
    /// values but changes the luma mean, so with the same draws g stays and o scales with it.
    @Test func rgbJitterPivotsOnTheLumaMean() {
        let (h, w) = (4, 4), area = 16
        let levels: [Float] = [0.9, 0.5, 0.1]
        let a = (0..<3).flatMap { c in (0..<area).map { levels[c] + Float($0) * 0.01 } }
        let b = Array(a[(2 * area)...] + a[area..<(2 * area)] + a[0..<area])  // blue, green, red
        func lumaMean(_ x: [Float]) -> Float {
            (0..<area).reduce(0) { $0 + 0.299 * x[$1] + 0.587 * x[area + $1] + 0.114 * x[2 * area + $1] } / Float(area)
        }
        var checked = 0
        for seed in 0..<12 {
            let ya = augment(a, AugmentSpec(jitter: 0.4), channels: 3, height: h, width: w, seed: UInt64(seed))
            let yb = augment(b, AugmentSpec(jitter: 0.4), channels: 3, height: h, width: w, seed: UInt64(seed))
            let ga = (ya[1] - ya[0]) / (a[1] - a[0]), oa = ya[0] - ga * a[0]
            let gb = (yb[1] - yb[0]) / (b[1] - b[0]), ob = yb[0] - gb * b[0]
            for i in 0..<a.count {
                #expect(abs(ya[i] - (ga * a[i] + oa)) < 1e-4 && abs(yb[i] - (gb * b[i] + ob)) < 1e-4)
            }
            #expect(abs(ga - gb) < 1e-4)
            guard abs(ob) > 0.02 else { continue }  // contrast factor near 1: no pivot to see
            #expect(abs(oa / ob - lumaMean(a) / lumaMean(b)) < 1e-2, "seed \(seed): \(oa / ob)")
            checked += 1
        }
        #expect(checked >= 6)
    }

    /// An RGB image with three equal planes jitters exactly as its grey plane does.
    @Test func rgbJitterOfAGreyImageMatchesTheGreyJitter() {
        let grey = image(channels: 1, height: 5, width: 5, seed: 3)
        for seed in 0..<5 {
            let g = augment(grey, AugmentSpec(jitter: 0.4), channels: 1, height: 5, width: 5, seed: UInt64(seed))
            let c = augment(grey + grey + grey, AugmentSpec(jitter: 0.4), channels: 3, height: 5, width: 5, seed: UInt64(seed))
            #expect(zip(c, g + g + g).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    /// Colour images: one crop box and one flip for all three planes (plane c is (c + 1) times
    /// plane 0, and bilinear sampling is linear, so the views keep that ratio), and erasing
    /// cuts the same rectangle from every plane, each filled with 0 or its own plane's mean.
    @Test func cropFlipAndEraseTreatEveryColourPlaneAlike() {
        let (h, w) = (9, 11), area = 9 * 11
        let base = image(height: h, width: w, seed: 8).map { $0 + 0.5 }
        let x = base + base.map { 2 * $0 } + base.map { 3 * $0 }
        var moved = 0
        for seed in 0..<10 {
            let y = augment(x, AugmentSpec(crop: 0.3, flip: true), channels: 3, height: h, width: w, seed: UInt64(seed))
            if y != x { moved += 1 }
            for c in 1..<3 {
                #expect((0..<area).allSatisfy { abs(y[c * area + $0] - Float(c + 1) * y[$0]) < 1e-5 }, "seed \(seed)")
            }
        }
        #expect(moved == 10)
        var fills = Set<Bool>()
        for seed in 0..<20 {
            let y = augment(x, AugmentSpec(erase: 1), channels: 3, height: h, width: w, seed: UInt64(seed))
            let changed = (0..<3).map { c in (0..<area).filter { y[c * area + $0] != x[c * area + $0] } }
            #expect(!changed[0].isEmpty && changed[1] == changed[0] && changed[2] == changed[0])
            let fills0 = y[changed[0][0]]
            for c in 0..<3 {
                let planeMean = x[(c * area)..<((c + 1) * area)].reduce(0, +) / Float(area)
                let fill = y[c * area + changed[0][0]]
                #expect(changed[0].allSatisfy { y[c * area + $0] == fill })
                #expect(fills0 == 0 ? fill == 0 : abs(fill - planeMean) < 1e-5)
            }
            fills.insert(fills0 == 0)
        }
        #expect(fills.count == 2)
    }
}
