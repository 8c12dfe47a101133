import Foundation
import Testing
@testable import SSCLEngine

@Suite struct LinearProbeTests {
    /// The objective in float64, straight from its definition.
    static func naiveObjective(x: [Float], labels: [Int], theta: [Double], dimension: Int, numClasses: Int, weightDecay: Double) -> Double {
        let rows = labels.count
        var loss = 0.0
        for r in 0..<rows {
            let z = (0..<numClasses).map { c in
                theta[dimension * numClasses + c]
                    + (0..<dimension).map { Double(x[r * dimension + $0]) * theta[$0 * numClasses + c] }.reduce(0, +)
            }
            let m = z.max()!
            loss += m + log(z.map { exp($0 - m) }.reduce(0, +)) - z[labels[r]]
        }
        let squared = theta[0..<(dimension * numClasses)].map { $0 * $0 }.reduce(0, +)
        return loss / Double(rows) + weightDecay / 2 * squared
    }

    @Test func gradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 4)
        let (rows, d, classes) = (6, 4, 3)
        let x = (0..<(rows * d)).map { _ in rng.normal() }
        let labels = (0..<rows).map { _ in rng.int(below: classes) }
        let theta = (0..<(d * classes + classes)).map { _ in rng.normal() }
        let wd: Float = 0.05
        var scratch = [Float](repeating: 0, count: rows * classes)
        var dTheta = [Float](repeating: 0, count: theta.count)
        let loss = LinearProbe.lossAndGradient(x: x, labels: labels, rows: rows, dimension: d, numClasses: classes,
                                               theta: theta, weightDecay: wd, scratch: &scratch, dTheta: &dTheta)
        let theta64 = theta.map(Double.init)
        let exact = Self.naiveObjective(x: x, labels: labels, theta: theta64, dimension: d, numClasses: classes, weightDecay: Double(wd))
        #expect(abs(loss - exact) / exact < 1e-5)
        var numeric = [Double](repeating: 0, count: theta.count)
        let eps = 1e-6
        for i in 0..<theta.count {
            var plus = theta64, minus = theta64
            plus[i] += eps
            minus[i] -= eps
            numeric[i] = (Self.naiveObjective(x: x, labels: labels, theta: plus, dimension: d, numClasses: classes, weightDecay: Double(wd))
                - Self.naiveObjective(x: x, labels: labels, theta: minus, dimension: d, numClasses: classes, weightDecay: Double(wd))) / (2 * eps)
        }
        let difference = zip(numeric, dTheta).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +).squareRoot()
        let norm = numeric.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(difference / norm < 1e-5, "relative gradient error \(difference / norm)")
    }

    @Test func gradientUsesOnlyTheFirstRowsRows() {
        // A partial last batch: rows beyond `rows` must be ignored.
        let x: [Float] = [1, 2, 3, 4, 99, 99]
        let theta: [Float] = [0.1, -0.2, 0.3, 0.4, 0, 0]
        var scratch = [Float](repeating: 0, count: 6)
        var full = [Float](repeating: 0, count: 6), partial = full
        let a = LinearProbe.lossAndGradient(x: Array(x[0..<4]), labels: [0, 1], rows: 2, dimension: 2, numClasses: 2,
                                            theta: theta, weightDecay: 0, scratch: &scratch, dTheta: &full)
        let b = LinearProbe.lossAndGradient(x: x, labels: [0, 1, 0], rows: 2, dimension: 2, numClasses: 2,
                                            theta: theta, weightDecay: 0, scratch: &scratch, dTheta: &partial)
        #expect(a == b && full == partial)
    }

    @Test func separableClustersAreLearned() {
        let (train, trainLabels) = KNNClassifierTests.clusters(rows: 400, dimension: 12, classes: 4, separation: 6, seed: 1)
        let (test, testLabels) = KNNClassifierTests.clusters(rows: 200, dimension: 12, classes: 4, separation: 6, seed: 2)
        let accuracy = LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
                                            dimension: 12, numClasses: 4, seed: 7, epochs: 10)
        #expect(accuracy >= 0.99)
    }

    @Test func linearlySeparableButNotClusteredDataIsLearned() {
        // Labels from the sign pattern of two coordinates: a linear rule kNN-style averaging does not need to see.
        var rng = SeededGenerator(seed: 8)
        func make(_ n: Int) -> ([Float], [Int]) {
            var x: [Float] = [], y: [Int] = []
            for _ in 0..<n {
                let row = (0..<10).map { _ in rng.normal() }
                x += row
                y.append(row[0] + 0.5 * row[3] > 0 ? 1 : 0)
            }
            return (x, y)
        }
        let (train, trainLabels) = make(1000)
        let (test, testLabels) = make(300)
        let accuracy = LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
                                            dimension: 10, numClasses: 2, seed: 1, epochs: 20)
        #expect(accuracy > 0.95, "accuracy \(accuracy)")
    }

    @Test func noiseScoresAroundChance() {
        var rng = SeededGenerator(seed: 6)
        let (train, trainLabels) = KNNClassifierTests.randomData(rows: 500, dimension: 8, classes: 5, rng: &rng)
        let (test, testLabels) = KNNClassifierTests.randomData(rows: 500, dimension: 8, classes: 5, rng: &rng)
        let accuracy = LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
                                            dimension: 8, numClasses: 5, seed: 1, epochs: 5)
        #expect(accuracy > 0.1 && accuracy < 0.3, "accuracy \(accuracy), chance 0.2")
    }

    @Test func sameSeedSameProbeOtherSeedOtherProbe() {
        let (x, y) = KNNClassifierTests.clusters(rows: 300, dimension: 6, classes: 3, separation: 2, seed: 3)
        let a = LinearProbe.fit(features: x, labels: y, dimension: 6, numClasses: 3, seed: 11, epochs: 3)
        let b = LinearProbe.fit(features: x, labels: y, dimension: 6, numClasses: 3, seed: 11, epochs: 3)
        let c = LinearProbe.fit(features: x, labels: y, dimension: 6, numClasses: 3, seed: 12, epochs: 3)
        #expect(a.weight == b.weight && a.bias == b.bias)
        #expect(a.weight != c.weight)
    }

    @Test func constantFeaturesStayFinite() {
        // Column 1 is constant: its std is 0 and must not produce NaN.
        let x: [Float] = [1, 5, -1, 5, 2, 5, -2, 5]
        let probe = LinearProbe.fit(features: x, labels: [1, 0, 1, 0], dimension: 2, numClasses: 2, seed: 0, epochs: 50)
        #expect(probe.weight.allSatisfy(\.isFinite) && probe.bias.allSatisfy(\.isFinite))
        #expect(probe.inverseStd[1] == 1)
        #expect(probe.predict(x) == [1, 0, 1, 0])
    }
}
