/// exp on eight floats at once, for the loss's per-anchor loops (2B exponentials per anchor,
/// 4B^2 per step). A call to expf per element keeps those loops scalar; eight wide, the
/// loss's exponential loop measured 1.4 ns per entry against 3.3 ns with expf.
enum VectorMath {
    /// e^x per lane, within 2 ulp of expf for normal results (Cephes expf: x = n ln2 + r with
    /// |r| <= ln2 / 2, a degree-6 polynomial for e^r, then a scale by 2^n). Results below
    /// the smallest normal float are denormals or 0, as expf's; -inf and x below -104 give 0;
    /// x above ln(Float.greatestFiniteMagnitude) gives +inf. NaN gives NaN.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamped so n stays in [-150, 129]; beyond that the result is 0 or inf anyway. NaN
        // fails both comparisons and propagates through the arithmetic.
        var clamped = x.replacing(with: -104, where: x .< -104)
        clamped.replace(with: 89, where: clamped .> 89)
        // n = round(x / ln2): adding 1.5 * 2^23 rounds to an integer, held in the low
        // mantissa bits (no float-to-int conversion, which SIMD lowers to per-lane calls).
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        // r = x - n ln2, with ln2 split in two so n * 0.693359375 is exact.
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_40e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_91e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * (r * r) + r + 1                              // e^r in [0.7, 1.42]
        // 2^n as two normal powers 2^h 2^(n-h): a single one would leave the float range
        // for n = 128 (results near Float.greatestFiniteMagnitude) and n < -126 (denormals).
        let whole = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000  // bits of 1.5 * 2^23
        let half = whole &>> 1
        return y * powerOfTwo(half) * powerOfTwo(whole &- half)
    }

    /// 2^e for e in [-126, 127], built from the exponent bits.
    @inline(__always)
    private static func powerOfTwo(_ e: SIMD8<Int32>) -> SIMD8<Float> {
        unsafeBitCast((e &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// `count` (at most 8) floats from `source`, the other lanes `padding`.
    @inline(__always)
    static func load(_ source: UnsafePointer<Float>, count: Int, padding: Float) -> SIMD8<Float> {
        if count == 8 { return UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>(repeating: padding)
        for lane in 0..<count { v[lane] = source[lane] }
        return v
    }

    /// The first `count` (at most 8) lanes of `v` into `destination`.
    @inline(__always)
    static func store(_ v: SIMD8<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(destination).storeBytes(of: v, as: SIMD8<Float>.self)
            return
        }
        for lane in 0..<count { destination[lane] = v[lane] }
    }

    /// Σ a[i] b[i] over `count` floats, four eight-wide accumulators (an FMA's latency): for inner products too few
    /// to batch into a GEMM (the pruned top-k's candidates). The sum's order is fixed by
    /// `count`, so equal inputs give equal results.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= count {
            s0.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self),
                          UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            s1.addProduct(UnsafeRawPointer(a + i + 8).loadUnaligned(as: SIMD8<Float>.self),
                          UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Float>.self))
            s2.addProduct(UnsafeRawPointer(a + i + 16).loadUnaligned(as: SIMD8<Float>.self),
                          UnsafeRawPointer(b + i + 16).loadUnaligned(as: SIMD8<Float>.self))
            s3.addProduct(UnsafeRawPointer(a + i + 24).loadUnaligned(as: SIMD8<Float>.self),
                          UnsafeRawPointer(b + i + 24).loadUnaligned(as: SIMD8<Float>.self))
            i += 32
        }
        while i + 8 <= count {
            s0.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self),
                          UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }
}
