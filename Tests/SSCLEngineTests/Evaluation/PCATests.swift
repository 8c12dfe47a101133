import Foundation
import Testing
@testable import SSCLEngine

struct PCATests {
    /// A fixed 40 x 16 matrix (no randomness: a formula), so NumPy sees the same numbers.
    static func fixedMatrix() -> (x: [Float], rows: Int, columns: Int) {
        let rows = 40, columns = 16
        var x = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                // Decreasing column scales give well separated components.
                x[r * columns + c] = Float(sin(Double(r * 7 + c * 3) * 0.37) * Double(columns - c) + Double(c) * 0.1)
            }
        }
        return (x, rows, columns)
    }

    /// Against NumPy's SVD of the centred matrix: components (sign-normalised the same way),
    /// variance ratios and the projected coordinates, to 1e-6.
    @Test(.enabled(if: SafetensorsFileTests.pythonHasNumpy))
    func matchesNumPySVD() throws {
        let (x, rows, columns) = Self.fixedMatrix()
        let pca = PCA.fit(x, rows: rows, columns: columns, components: 2)
        let script = """
        import json, sys, numpy as np
        rows, cols = 40, 16
        x = np.array([[np.float32(np.sin((r * 7 + c * 3) * 0.37) * (cols - c) + c * 0.1) for c in range(cols)]
                      for r in range(rows)], dtype=np.float64)
        xc = x - x.mean(axis=0)
        u, s, vt = np.linalg.svd(xc, full_matrices=False)
        comps = vt[:2]
        for i in range(2):
            if comps[i][np.argmax(np.abs(comps[i]))] < 0: comps[i] = -comps[i]
        var = s ** 2 / (rows - 1)
        ratio = var[:2] / var.sum()
        print(json.dumps({"components": comps.tolist(), "ratio": ratio.tolist(), "projected": (xc @ comps.T).tolist()}))
        """
        let output = try SafetensorsFileTests.runPython(script, argument: "")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let components = try #require(reference["components"] as? [[Double]])
        let ratio = try #require(reference["ratio"] as? [Double])
        let projected = try #require(reference["projected"] as? [[Double]])
        for i in 0..<2 {
            for j in 0..<columns { #expect(abs(pca.components[i][j] - components[i][j]) < 1e-6, "component \(i)[\(j)]") }
            #expect(abs(pca.explainedVarianceRatio[i] - ratio[i]) < 1e-9)
        }
        let mine = pca.transform(x, rows: rows)
        for r in 0..<rows { for c in 0..<2 { #expect(abs(mine[r * 2 + c] - projected[r][c]) < 1e-5) } }
    }

    /// Points spread along two known orthogonal directions with standard deviations 3 and 1
    /// (and nothing else): ratios 9/10 and 1/10, components those directions.
    @Test func explainedVarianceOfAConstructedSet() {
        let d = 12
        var u = [Double](repeating: 0, count: d), v = [Double](repeating: 0, count: d)
        u[0] = 0.6; u[3] = 0.8          // unit
        v[5] = -1                       // unit, orthogonal to u; sign-normalised to +1
        // a = ±3 and b = ±1 in all four combinations, so the sample has exactly those moments.
        var x: [Float] = []
        let offsets = (0..<d).map { Double($0) }
        for (a, b) in [(3.0, 1.0), (3, -1), (-3, 1), (-3, -1)] {
            for j in 0..<d { x.append(Float(offsets[j] + a * u[j] + b * v[j])) }
        }
        let pca = PCA.fit(x, rows: 4, columns: d, components: 2)
        #expect(abs(pca.explainedVarianceRatio[0] - 0.9) < 1e-6)
        #expect(abs(pca.explainedVarianceRatio[1] - 0.1) < 1e-6)
        // Variance of a = ±3 over 4 rows with ddof 1: 4 * 9 / 3 = 12.
        #expect(abs(pca.explainedVariance[0] - 12) < 1e-5)
        for j in 0..<d {
            #expect(abs(pca.components[0][j] - u[j]) < 1e-6)
            #expect(abs(pca.components[1][j] - abs(v[j])) < 1e-6)
        }
    }
}
