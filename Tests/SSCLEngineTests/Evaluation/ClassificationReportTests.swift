import Testing
@testable import SSCLEngine

@Suite struct ClassificationReportTests {
    /// Three classes, counted by hand: class 0 has rows predicted 0, 0, 1 (2/3 right); class 1
    /// has 1, 2 (1/2); class 2 has 2, 2, 2, 0 (3/4); overall 6 of 9.
    @Test func countsAConstructedCaseByHand() {
        let labels = [0, 0, 0, 1, 1, 2, 2, 2, 2]
        let predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0]
        let report = ClassificationReport(predictions: predicted, labels: labels, numClasses: 3)
        #expect(report.confusionMatrix == [[2, 1, 0], [0, 1, 1], [1, 0, 3]])
        let expected: [Double] = [2.0 / 3, 1.0 / 2, 3.0 / 4]
        #expect(report.perClassAccuracy == expected)
        let overall: Double = 6.0 / 9
        #expect(report.accuracy == overall)
    }

    @Test func aClassWithoutRowsHasNoAccuracy() {
        let report = ClassificationReport(predictions: [0, 2], labels: [0, 0], numClasses: 3)
        #expect(report.confusionMatrix == [[1, 0, 1], [0, 0, 0], [0, 0, 0]])
        let perClass = report.perClassAccuracy
        #expect(perClass[0] == 0.5)
        #expect(perClass[1].isNaN && perClass[2].isNaN)
        #expect(report.accuracy == 0.5)
    }
}
