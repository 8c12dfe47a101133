import Testing
@testable import SSCLEngine

@Suite struct DataSplitSamplingTests {
    /// Row i has the single feature i, so a split's features name its rows.
    private func split(labels: [Int]) -> DataSplit {
        DataSplit(features: labels.indices.map(Float.init), labels: labels, rowSize: 1)
    }

    @Test func holdoutIsStratifiedDisjointAndComplete() {
        // Class sizes 50, 10, 3, 1: round(0.2 n) held out, but never a class's last train row.
        let labels = Array(repeating: 0, count: 50) + Array(repeating: 1, count: 10) + [2, 2, 2, 3]
        let (train, test) = split(labels: labels).holdout(fraction: 0.2, seed: 1)
        #expect(test.classCounts(numClasses: 4) == [10, 2, 1, 0])
        #expect(train.classCounts(numClasses: 4) == [40, 8, 2, 1])
        let rows = (train.features + test.features).map(Int.init).sorted()
        #expect(rows == Array(0..<64))
        #expect(train.features == train.features.sorted() && test.features == test.features.sorted())
        for (row, label) in zip(test.features, test.labels) { #expect(labels[Int(row)] == label) }
    }

    @Test func holdoutDependsOnlyOnTheSeed() {
        let data = split(labels: (0..<100).map { $0 % 3 })
        #expect(data.holdout(fraction: 0.3, seed: 4) == data.holdout(fraction: 0.3, seed: 4))
        #expect(data.holdout(fraction: 0.3, seed: 4).test != data.holdout(fraction: 0.3, seed: 5).test)
    }

    @Test func randomSubsetKeepsOrderAndIsSeeded() {
        let data = split(labels: Array(repeating: 0, count: 40))
        let a = data.randomSubset(limit: 7, seed: 3)
        #expect(a.count == 7 && a.features == a.features.sorted())
        #expect(Set(a.features).count == 7)
        #expect(a == data.randomSubset(limit: 7, seed: 3))
        #expect(a != data.randomSubset(limit: 7, seed: 4))
        #expect(data.randomSubset(limit: 40, seed: 3) == data)
    }

    @Test func subsetGathersRowsInOrder() {
        let data = DataSplit(features: [1, 2, 3, 4, 5, 6], labels: [0, 1, 0], rowSize: 2)
        let picked = data.subset([2, 0, 2])
        #expect(picked.features == [5, 6, 1, 2, 5, 6])
        #expect(picked.labels == [0, 0, 0])
        #expect(picked.count == 3 && picked.rowSize == 2)
    }
}
