import Foundation
import Testing
@testable import SSCLEngine

@Suite struct KNNClassifierTests {
    /// The protocol spelled out in float64 with no heap or GEMM: rank all train rows by cosine
    /// (ties to the lower index), keep k, vote exp(s / t), argmax (ties to the lower class).
    static func naivePredictions(train: [Float], trainLabels: [Int], test: [Float], dimension: Int,
                                 numClasses: Int, k: Int, temperature: Float) -> [Int] {
        func row(_ x: [Float], _ i: Int) -> [Double] { (0..<dimension).map { Double(x[i * dimension + $0]) } }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            var dot = 0.0, na = 0.0, nb = 0.0
            for j in 0..<a.count {
                dot += a[j] * b[j]
                na += a[j] * a[j]
                nb += b[j] * b[j]
            }
            return na == 0 || nb == 0 ? 0 : dot / (na.squareRoot() * nb.squareRoot())
        }
        return (0..<(test.count / dimension)).map { (t: Int) -> Int in
            let x = row(test, t)
            var ranked: [(similarity: Double, index: Int)] = []
            for j in 0..<trainLabels.count { ranked.append((cosine(x, row(train, j)), j)) }
            ranked.sort { a, b in a.similarity > b.similarity || (a.similarity == b.similarity && a.index < b.index) }
            var votes = [Double](repeating: 0, count: numClasses)
            for (s, j) in ranked.prefix(k) { votes[trainLabels[j]] += exp(s / Double(temperature)) }
            var best = 0
            for c in 0..<numClasses where votes[c] > votes[best] { best = c }
            return best
        }
    }

    static func randomData(rows: Int, dimension: Int, classes: Int, rng: inout SeededGenerator) -> ([Float], [Int]) {
        ((0..<(rows * dimension)).map { _ in rng.normal() }, (0..<rows).map { _ in rng.int(below: classes) })
    }

    /// Gaussian clusters around `classes` random centres of norm ~`separation`.
    static func clusters(rows: Int, dimension: Int, classes: Int, separation: Float, seed: UInt64) -> ([Float], [Int]) {
        var rng = SeededGenerator(seed: 1000)
        let centres = (0..<(classes * dimension)).map { _ in rng.normal() * separation / Float(dimension).squareRoot() }
        rng = SeededGenerator(seed: seed)
        var x: [Float] = []
        var y: [Int] = []
        for _ in 0..<rows {
            let c = rng.int(below: classes)
            y.append(c)
            for j in 0..<dimension { x.append(centres[c * dimension + j] + 0.1 * rng.normal()) }
        }
        return (x, y)
    }

    @Test func wellSeparatedClustersAreClassifiedPerfectly() {
        let (train, trainLabels) = Self.clusters(rows: 300, dimension: 16, classes: 5, separation: 10, seed: 1)
        let (test, testLabels) = Self.clusters(rows: 100, dimension: 16, classes: 5, separation: 10, seed: 2)
        let accuracy = KNNClassifier.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
                                              dimension: 16, numClasses: 5, k: 20, temperature: 0.1)
        #expect(accuracy == 1.0)
    }

    @Test func randomLabelsScoreAroundChance() {
        var rng = SeededGenerator(seed: 5)
        let (train, trainLabels) = Self.randomData(rows: 600, dimension: 8, classes: 10, rng: &rng)
        let (test, testLabels) = Self.randomData(rows: 600, dimension: 8, classes: 10, rng: &rng)
        let accuracy = KNNClassifier.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
                                              dimension: 8, numClasses: 10, k: 50)
        #expect(accuracy > 0.04 && accuracy < 0.17, "accuracy \(accuracy), chance 0.1")
    }

    @Test(arguments: [1, 7, 60])
    func agreesWithTheNaiveProtocol(k: Int) {
        var rng = SeededGenerator(seed: UInt64(k))
        let (train, trainLabels) = Self.randomData(rows: 60, dimension: 8, classes: 5, rng: &rng)
        let (test, _) = Self.randomData(rows: 40, dimension: 8, classes: 5, rng: &rng)
        let fast = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test,
                                             dimension: 8, numClasses: 5, k: k, temperature: 0.1)
        let naive = Self.naivePredictions(train: train, trainLabels: trainLabels, test: test,
                                          dimension: 8, numClasses: 5, k: k, temperature: 0.1)
        #expect(fast == naive)
    }

    @Test func agreesWithTheNaiveProtocolAcrossChunks() {
        var rng = SeededGenerator(seed: 77)
        let testRows = CosineTopK.queryBlock + 45
        let (train, trainLabels) = Self.randomData(rows: 50, dimension: 4, classes: 3, rng: &rng)
        let (test, _) = Self.randomData(rows: testRows, dimension: 4, classes: 3, rng: &rng)
        let fast = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test,
                                             dimension: 4, numClasses: 3, k: 9, temperature: 0.5)
        let naive = Self.naivePredictions(train: train, trainLabels: trainLabels, test: test,
                                          dimension: 4, numClasses: 3, k: 9, temperature: 0.5)
        #expect(fast.count == testRows)
        #expect(fast == naive)
    }

    @Test func kLargerThanTheTrainSetIsClamped() {
        var rng = SeededGenerator(seed: 9)
        let (train, trainLabels) = Self.randomData(rows: 10, dimension: 3, classes: 4, rng: &rng)
        let (test, _) = Self.randomData(rows: 30, dimension: 3, classes: 4, rng: &rng)
        let clamped = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test,
                                                dimension: 3, numClasses: 4, k: 1000)
        let exact = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test,
                                              dimension: 3, numClasses: 4, k: 10)
        #expect(clamped == exact)
    }

    @Test func tiesGoToTheLowerTrainIndexAndTheLowerClass() {
        // Three copies of the same direction (one scaled), labelled 2, 1, 0: equal similarities.
        let train: [Float] = [1, 1, 2, 2, 1, 1, 0, 1]
        let labels = [2, 1, 0, 0]
        let test: [Float] = [3, 3]
        // k = 1: the lowest index among the equal neighbours wins.
        #expect(KNNClassifier.predictions(train: train, trainLabels: labels, test: test, dimension: 2, numClasses: 3, k: 1) == [2])
        // k = 2: neighbours 0 and 1 give classes 2 and 1 equal votes: the lower class wins.
        #expect(KNNClassifier.predictions(train: train, trainLabels: labels, test: test, dimension: 2, numClasses: 3, k: 2) == [1])
        // k = 3: class 0 gets the third identical vote too, tying all three: class 0.
        #expect(KNNClassifier.predictions(train: train, trainLabels: labels, test: test, dimension: 2, numClasses: 3, k: 3) == [0])
    }

    @Test func zeroRowsAreHarmless() {
        let train: [Float] = [0, 0, 1, 0]
        let test: [Float] = [0, 0, 1, 0]
        let predicted = KNNClassifier.predictions(train: train, trainLabels: [1, 0], test: test, dimension: 2, numClasses: 2, k: 1)
        // The zero test row has similarity 0 with both rows: the lower index (label 1) wins.
        #expect(predicted == [1, 0])
        #expect(KNNClassifier.accuracy(train: train, trainLabels: [1, 0], test: test, testLabels: [1, 0],
                                       dimension: 2, numClasses: 2, k: 1) == 1.0)
    }
}
