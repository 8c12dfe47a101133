import Foundation

/// Weighted k-nearest-neighbour classification of frozen features, the protocol of Wu et al.
/// 2018 ("Unsupervised Feature Learning via Non-Parametric Instance Discrimination") used by the
/// SimCLR, DCL and HCL evaluations: it scores a representation without training anything.
///
/// For each test row x: s_j = cos(x, train_j) for every train row (one GEMM on L2-normalised
/// rows); take the k largest s_j (ties to the lower train index); class c receives
/// sum over those neighbours with label c of exp(s_j / temperature); predict the class with the
/// largest vote (ties to the lower class). A zero row has similarity 0 with everything.
public enum KNNClassifier {
    /// Top-1 accuracy on the test rows. `train` is [trainCount, dimension], `test` [testCount, dimension],
    /// labels in 0..<numClasses; `k` is clamped to the train count.
    public static func accuracy(
        train: [Float], trainLabels: [Int], test: [Float], testLabels: [Int],
        dimension: Int, numClasses: Int, k: Int = 200, temperature: Float = 0.1
    ) -> Double {
        precondition(test.count == testLabels.count * dimension, "test is not [\(testLabels.count), \(dimension)]")
        guard !testLabels.isEmpty else { return 0 }
        let predicted = predictions(
            train: train, trainLabels: trainLabels, test: test, dimension: dimension,
            numClasses: numClasses, k: k, temperature: temperature)
        let correct = zip(predicted, testLabels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(testLabels.count)
    }

    /// The predicted class of every test row.
    public static func predictions(
        train: [Float], trainLabels: [Int], test: [Float],
        dimension: Int, numClasses: Int, k: Int = 200, temperature: Float = 0.1
    ) -> [Int] {
        predictions(train: train, trainLabels: trainLabels, test: test, dimension: dimension,
                    numClasses: numClasses, k: k, temperature: temperature, pruning: .automatic).predicted
    }

    /// The predictions, and how many similarities were computed in full (`CosineTopK.forEach`).
    static func predictions(
        train: [Float], trainLabels: [Int], test: [Float],
        dimension: Int, numClasses: Int, k: Int, temperature: Float, pruning: CosineTopK.Pruning
    ) -> (predicted: [Int], scored: Int) {
        precondition(dimension > 0 && numClasses > 0 && k > 0 && temperature > 0)
        let trainCount = trainLabels.count
        precondition(trainCount > 0, "kNN needs at least one train row")
        precondition(train.count == trainCount * dimension, "train is not [\(trainCount), \(dimension)]")
        precondition(test.count % dimension == 0, "test is not [_, \(dimension)]")
        precondition(trainLabels.allSatisfy { $0 >= 0 && $0 < numClasses }, "train label outside 0..<\(numClasses)")
        let testCount = test.count / dimension
        let k = min(k, trainCount)
        let trainUnit = unitRows(train, dimension: dimension)   // [trainCount, dimension]
        let testUnit = unitRows(test, dimension: dimension)     // [testCount, dimension]
        let inverseTemperature = 1 / Double(temperature)

        var predicted = [Int](repeating: 0, count: testCount)
        var scored = 0
        trainUnit.withUnsafeBufferPointer { trainPtr in
            testUnit.withUnsafeBufferPointer { testPtr in
                predicted.withUnsafeMutableBufferPointer { predPtr in
                    scored = CosineTopK.forEach(queries: testPtr.baseAddress!, queryCount: testCount, rows: trainPtr.baseAddress!,
                                                rowCount: trainCount, dimension: dimension, k: k, pruning: pruning) { row, heap in
                        var votes = [Double](repeating: 0, count: numClasses)
                        for (similarity, index) in heap.sortedBestFirst() {
                            votes[trainLabels[index]] += Foundation.exp(Double(similarity) * inverseTemperature)
                        }
                        var best = 0
                        for c in 1..<numClasses where votes[c] > votes[best] { best = c }
                        predPtr[row] = best
                    }
                }
            }
        }
        return (predicted, scored)
    }

    /// Rows scaled to unit L2 norm; zero rows stay zero.
    static func unitRows(_ x: [Float], dimension: Int) -> [Float] {
        var out = x
        out.withUnsafeMutableBufferPointer { p in
            for row in 0..<(p.count / dimension) {
                let base = p.baseAddress! + row * dimension
                var sum: Double = 0
                for j in 0..<dimension { sum += Double(base[j]) * Double(base[j]) }
                guard sum > 0 else { continue }
                let scale = Float(1 / sum.squareRoot())
                for j in 0..<dimension { base[j] *= scale }
            }
        }
        return out
    }
}
