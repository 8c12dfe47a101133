import Foundation

/// Times the kNN classifier on given representations, pruned (`CosineTopK+Pruned`) against the
/// plain blocked GEMM, for `sscl knn-bench`: the final evaluation's largest cost, measured on
/// a trained encoder's own representations (the pruning's gain depends on their spectrum).
public enum KNNBenchmark {
    public struct Report: Sendable {
        /// Median seconds per search over the rounds.
        public var prunedSeconds: Double
        public var plainSeconds: Double
        /// Share of (query, row) similarities the pruned search computed in full.
        public var scoredShare: Double
        /// Share of queries whose predicted class differs between the two (rounding ties only).
        public var disagreement: Double
    }

    /// `train` [trainCount, dimension], `test` [testCount, dimension]; labels are the train rows'
    /// (a prediction needs them; any labels time the same). Rounds alternate pruned and plain.
    public static func run(train: [Float], trainLabels: [Int], test: [Float], dimension: Int,
                           numClasses: Int, k: Int = 200, rounds: Int) -> Report {
        var pruned: [Double] = [], plain: [Double] = []
        var share = 0.0, disagreement = 0.0
        for _ in 0..<max(1, rounds) {
            var started = Date()
            let a = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test, dimension: dimension,
                                              numClasses: numClasses, k: k, temperature: 0.1, pruning: .always)
            pruned.append(Date().timeIntervalSince(started))
            started = Date()
            let b = KNNClassifier.predictions(train: train, trainLabels: trainLabels, test: test, dimension: dimension,
                                              numClasses: numClasses, k: k, temperature: 0.1, pruning: .never)
            plain.append(Date().timeIntervalSince(started))
            share = Double(a.scored) / Double(b.scored)
            disagreement = Double(zip(a.predicted, b.predicted).filter { $0 != $1 }.count) / Double(max(1, a.predicted.count))
        }
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        return Report(prunedSeconds: median(pruned), plainSeconds: median(plain), scoredShare: share, disagreement: disagreement)
    }
}
