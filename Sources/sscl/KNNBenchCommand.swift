import ArgumentParser
import Foundation
import SSCLEngine

/// `sscl knn-bench --train A.npy --test B.npy --labels L.npy`: the kNN classifier on saved
/// representations, pruned against plain (`KNNBenchmark`). Hidden: a developer's tool.
struct KNNBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn-bench",
        abstract: "Time the kNN classifier on saved representations, pruned against plain.",
        shouldDisplay: false
    )

    @Option(help: "Train representations, a 2-D .npy array.") var train: String
    @Option(help: "Test representations, a 2-D .npy array of the same width.") var test: String
    @Option(help: "Train labels, a 1-D .npy array.") var labels: String
    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Rounds (medians are reported).") var rounds: Int = 3
    @Option(help: "Neighbours.") var k: Int = 200

    func run() throws {
        func load(_ path: String) throws -> NumPyArray {
            try NumPyArray.parse(Data(contentsOf: URL(fileURLWithPath: path)), name: path)
        }
        let trainArray = try load(train), testArray = try load(test), labelArray = try load(labels)
        guard trainArray.shape.count == 2, testArray.shape.count == 2, trainArray.shape[1] == testArray.shape[1],
              labelArray.count == trainArray.shape[0] else {
            throw ValidationError("train and test must be [n, d] and [m, d], labels [n]")
        }
        BLAS.setThreads(threads)
        let labels = labelArray.values.map { Int($0) }
        let report = KNNBenchmark.run(
            train: trainArray.values.map(Float.init), trainLabels: labels, test: testArray.values.map(Float.init),
            dimension: trainArray.shape[1], numClasses: (labels.max() ?? 0) + 1, k: k, rounds: rounds)
        print(String(format: "train %d x %d, test %d, k %d, %d threads: pruned %.3f s, plain %.3f s (%.2fx); %.2f%% of pairs scored in full; %.4f%% of predictions differ",
                     trainArray.shape[0], trainArray.shape[1], testArray.shape[0], k, threads,
                     report.prunedSeconds, report.plainSeconds, report.plainSeconds / report.prunedSeconds,
                     100 * report.scoredShare, 100 * report.disagreement))
    }
}
