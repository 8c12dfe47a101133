import Testing
@testable import SSCLEngine

@Suite struct GaussianNoiseTests {
    @Test func inverseCDFMatchesKnownQuantiles() {
        #expect(abs(GaussianNoise.inverseNormalCDF(0.5)) < 1e-12)
        #expect(abs(GaussianNoise.inverseNormalCDF(0.975) - 1.959963984540054) < 1e-9)
        #expect(abs(GaussianNoise.inverseNormalCDF(0.001) + 3.090232306167814) < 1e-9)
    }

    @Test func tableIsAStandardNormal() {
        let z = GaussianNoise.table.map(Double.init)
        #expect(z.count == 4096)
        #expect(abs(z.reduce(0, +) / 4096) < 1e-6)
        #expect(abs(z.reduce(0) { $0 + $1 * $1 } / 4096 - 1) < 1e-5)
        #expect(zip(z, z.reversed()).allSatisfy { abs($0 + $1) < 1e-5 })
        #expect(zip(z, z.dropFirst()).allSatisfy { $0 < $1 })
        // 2.5% below -1.96.
        #expect(abs(Double(z.filter { $0 < -1.96 }.count) / 4096 - 0.025) < 0.001)
    }

    @Test func addedNoiseHasTheRequestedMomentsAndIsSeeded() {
        var x = [Float](repeating: 1, count: 10_001)
        var y = x
        var rng = SeededGenerator(seed: 8), again = SeededGenerator(seed: 8)
        x.withUnsafeMutableBufferPointer { GaussianNoise.add(to: $0.baseAddress!, count: $0.count, std: 0.3, rng: &rng) }
        y.withUnsafeMutableBufferPointer { GaussianNoise.add(to: $0.baseAddress!, count: $0.count, std: 0.3, rng: &again) }
        #expect(x == y)
        let mean = x.reduce(0) { $0 + Double($1) } / Double(x.count)
        let std = (x.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)).squareRoot()
        #expect(abs(mean - 1) < 0.01)
        #expect(abs(std - 0.3) < 0.01)
        // Neighbours are uncorrelated (five values share one 64-bit draw).
        let lag = zip(x, x.dropFirst()).reduce(0) { $0 + (Double($1.0) - mean) * (Double($1.1) - mean) } / Double(x.count)
        #expect(abs(lag / (std * std)) < 0.05)
    }
}
