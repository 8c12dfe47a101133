import Foundation
import Testing
@testable import SSCLEngine

@Suite struct VectorMathTests {
    /// Distance from libm's expf in ulps of the expected value; in units of the smallest
    /// denormal where the expected value is below the normal range.
    static func ulps(_ actual: Float, _ expected: Float) -> Float {
        let unit = expected >= Float.leastNormalMagnitude ? expected.ulp : Float.leastNonzeroMagnitude
        return abs(actual - expected) / unit
    }

    /// Every finite expf result from deep in the denormals (-103) to the overflow edge (88.72):
    /// within 2 ulp, eight lanes at a time with distinct inputs per lane.
    @Test func expIsWithinTwoUlpOfExpfOverTheWholeRange() {
        var worst: Float = 0, worstAt: Float = 0
        var x: Float = -103
        while x < 88.72 {
            var v = SIMD8<Float>()
            for lane in 0..<8 {
                v[lane] = x
                x += 0.0007 + abs(x) * 1e-5
            }
            let e = VectorMath.exp(v)
            for lane in 0..<8 where Self.ulps(e[lane], expf(v[lane])) > worst {
                worst = Self.ulps(e[lane], expf(v[lane]))
                worstAt = v[lane]
            }
        }
        #expect(worst <= 2, "worst \(worst) ulp at x = \(worstAt)")
    }

    static func exp(_ x: Float) -> Float { VectorMath.exp(SIMD8(repeating: x))[0] }

    @Test func expOfSpecialAndExtremeInputs() {
        for x: Float in [-.infinity, -1e30, -1e6, -1000, -104, -Float.greatestFiniteMagnitude] {
            #expect(Self.exp(x) == 0, "exp(\(x))")
        }
        for x: Float in [.infinity, 1e30, 89, 88.73] {
            #expect(Self.exp(x) == .infinity, "exp(\(x))")
        }
        #expect(Self.exp(0) == 1)
        #expect(Self.exp(-0.0) == 1)
        #expect(Self.exp(88.72).isFinite)
        #expect(Self.exp(Float.nan).isNaN)
        #expect(Self.exp(-Float.ulpOfOne) < 1)
    }

    /// A lane's result depends only on its own input (NaN and -inf beside finite lanes).
    @Test func lanesAreIndependent() {
        let v = SIMD8<Float>(-.infinity, 0.5, .nan, -3, .infinity, -120, 20, -0.25)
        let e = VectorMath.exp(v)
        for lane in 0..<8 {
            let alone = Self.exp(v[lane])
            #expect(e[lane] == alone || (e[lane].isNaN && alone.isNaN), "lane \(lane)")
        }
    }

    @Test func loadPadsAndStoreWritesOnlyTheGivenLanes() {
        let source: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var out = [Float](repeating: -1, count: 9)
        source.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                let three = VectorMath.load(s.baseAddress! + 6, count: 3, padding: 0)
                #expect(three == SIMD8(7, 8, 9, 0, 0, 0, 0, 0))
                VectorMath.store(three, to: o.baseAddress!, count: 3)
                let eight = VectorMath.load(s.baseAddress! + 1, count: 8, padding: 0)
                #expect(eight == SIMD8(2, 3, 4, 5, 6, 7, 8, 9))
            }
        }
        #expect(out == [7, 8, 9, -1, -1, -1, -1, -1, -1])
    }

    /// Every length through each of the loop's parts (32-wide, 8-wide, scalar tail), against a
    /// float64 sum; the inputs are read where they are, unaligned.
    @Test(arguments: [0, 1, 7, 8, 9, 31, 32, 33, 47, 512, 515])
    func dotMatchesAFloat64Sum(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count) + 5)
        let a = (0..<(count + 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<(count + 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let got = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in VectorMath.dot(pa.baseAddress! + 1, pb.baseAddress! + 1, count: count) }
        }
        let want = (1..<(count + 1)).reduce(0.0) { $0 + Double(a[$1]) * Double(b[$1]) }
        #expect(abs(Double(got) - want) < 1e-5 * max(1, Double(count).squareRoot()))
    }
}
