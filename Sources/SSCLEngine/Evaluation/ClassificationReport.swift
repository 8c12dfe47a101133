/// What a classifier's predictions on a labelled split say per class: the confusion matrix
/// (row = true class, column = predicted class) and each class's accuracy (its recall: the
/// share of its rows predicted as it), besides the overall accuracy. The final evaluation
/// builds one from the whole-split kNN predictions, so the per-class figures add up to the
/// reported `knn_accuracy`.
public struct ClassificationReport: Sendable, Equatable {
    /// [numClasses][numClasses]: `confusionMatrix[t][p]` counts rows of class t predicted as p.
    public let confusionMatrix: [[Int]]

    public init(predictions: [Int], labels: [Int], numClasses: Int) {
        precondition(predictions.count == labels.count, "\(predictions.count) predictions for \(labels.count) labels")
        precondition(numClasses > 0)
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: numClasses), count: numClasses)
        for (p, t) in zip(predictions, labels) {
            precondition(t >= 0 && t < numClasses && p >= 0 && p < numClasses, "class outside 0..<\(numClasses)")
            matrix[t][p] += 1
        }
        confusionMatrix = matrix
    }

    /// Correct predictions over all rows (0 when there are none).
    public var accuracy: Double {
        let total = confusionMatrix.reduce(0) { $0 + $1.reduce(0, +) }
        let correct = confusionMatrix.indices.reduce(0) { $0 + confusionMatrix[$1][$1] }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }

    /// [numClasses]: the share of each class's rows predicted as that class; NaN for a class
    /// with no rows in the split (written as `null` in JSON).
    public var perClassAccuracy: [Double] {
        confusionMatrix.indices.map { c in
            let rows = confusionMatrix[c].reduce(0, +)
            return rows == 0 ? .nan : Double(confusionMatrix[c][c]) / Double(rows)
        }
    }
}
