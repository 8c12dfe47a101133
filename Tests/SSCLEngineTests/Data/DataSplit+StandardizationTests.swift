import Testing
@testable import SSCLEngine

@Suite struct DataSplitStandardizationTests {
    @Test func momentsAreMeanAndPopulationStd() {
        // Columns: [1, 2, 3, 4] -> mean 2.5, std sqrt(1.25); constant 1e6 -> std 1 (not ~0).
        let data = DataSplit(features: [1, 1e6, 2, 1e6, 3, 1e6, 4, 1e6], labels: [0, 0, 0, 0], rowSize: 2)
        let (mean, std) = data.featureMoments()
        #expect(mean == [2.5, 1e6])
        #expect(abs(std[0] - Float(1.25).squareRoot()) < 1e-6)
        #expect(std[1] == 1)
    }

    @Test func standardizeAppliesTheGivenStatistics() {
        var data = DataSplit(features: [1, 10, 3, 30], labels: [0, 1], rowSize: 2)
        data.standardize(mean: [2, 20], std: [1, 10])
        #expect(data.features == [-1, -1, 1, 1])
    }
}
