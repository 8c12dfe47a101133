import Foundation
import Testing
@testable import SSCLEngine

@Suite struct DatasetLoaderCSVTests {
    /// Writes `files` into a fresh folder and loads train.csv (and test.csv when given).
    private func load(_ files: [String: String], label: String = "label", limit: Int? = nil,
                      seed: UInt64 = 0) throws -> Dataset {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try DataFixtures.write(text, to: folder.appendingPathComponent(name)) }
        var spec = DatasetSpec(source: .csv(train: "train.csv", test: files["test.csv"] == nil ? nil : "test.csv",
                                            labelColumn: label))
        spec.trainLimit = limit
        return try DatasetLoader.load(spec, seed: seed, baseDirectory: folder)
    }

    private func error(_ files: [String: String], label: String = "label") -> DatasetError? {
        #expect(throws: DatasetError.self) { try load(files, label: label) }
    }

    @Test func stringLabelsBecomeSortedClasses() throws {
        let data = try load([
            "train.csv": "x,label,y\n1,\"cat, big\",2\n3,ant,4\n5,bee,6\n7,ant,8\n",
            "test.csv": "y,x,label\n10,20,bee\n",
        ])
        #expect(data.classNames == ["ant", "bee", "cat, big"])
        #expect(data.featureNames == ["x", "y"])
        #expect(data.train.labels == [2, 0, 1, 0])
        #expect(data.test.labels == [1])
        #expect(!data.isImage && data.rowShape == [2] && data.hasOfficialTestSplit)
        #expect(data.imageShape == nil)
    }

    @Test func numericLabelsSortNumerically() throws {
        let data = try load(["train.csv": "f,label\n1,10\n2,9\n3,2\n4,10\n", "test.csv": "f,label\n0,9\n"])
        #expect(data.classNames == ["2", "9", "10"])
        #expect(data.train.labels == [2, 1, 0, 2])
    }

    @Test func standardisationUsesTrainStatisticsOnly() throws {
        // Train x: 1, 3 -> mean 2, std 1; constant column c -> std 1. Test x = 5 -> (5 - 2) / 1 = 3.
        let data = try load([
            "train.csv": "x,c,label\n1,7,a\n3,7,b\n",
            "test.csv": "x,c,label\n5,9,a\n",
        ])
        #expect(data.train.features == [-1, 0, 1, 0])
        #expect(data.test.features == [3, 2])
    }

    @Test func badCellNamesFileRowAndColumn() throws {
        let bad = error(["train.csv": "a,b,label\n1,2,x\n3,abc,y\n"])
        #expect(bad?.row == 3)
        #expect(bad?.column == "b")
        #expect(bad?.file?.hasSuffix("train.csv") == true)
        #expect(bad?.description.hasSuffix("train.csv, row 3, column 'b': not a finite number") == true)
        let nan = error(["train.csv": "a,label\nnan,x\n?,y\n"])
        #expect(nan?.column == "a" && nan?.problem == "the column has no values (all missing)")
        let typo = error(["train.csv": "a,label\n1,x\n2,y\n3O,x\n"])
        #expect(typo?.row == 4 && typo?.problem == "not a finite number", "a mostly numeric column: the odd cell is a typo")
        var many = "a,label\n"
        for i in 0..<300 { many += "id\(i),\(i % 2)\n" }
        #expect(error(["train.csv": many])?.problem.contains("more than 256 distinct values") == true)
    }

    @Test func raggedRowsAreRejectedWithTheirRow() {
        let ragged = error(["train.csv": "a,b,label\n1,2,x\n3,y\n"])
        #expect(ragged?.row == 3)
        #expect(ragged?.problem.contains("2 fields") == true)
    }

    @Test func missingLabelColumnListsTheColumns() {
        let missing = error(["train.csv": "a,b,kind\n1,2,x\n"], label: "class")
        #expect(missing?.problem == "no label column 'class'; the columns are: a, b, kind")
        let inTest = error(["train.csv": "a,label\n1,x\n", "test.csv": "a,lbl\n1,x\n"])
        #expect(inTest?.file?.hasSuffix("test.csv") == true)
        let feature = error(["train.csv": "a,b,label\n1,2,x\n", "test.csv": "a,label\n1,x\n"])
        #expect(feature?.problem.contains("b") == true)
    }

    @Test func testLabelsUnseenInTrainAreAnError() {
        let unseen = error(["train.csv": "a,label\n1,x\n2,y\n", "test.csv": "a,label\n1,x\n2,zebra\n"])
        #expect(unseen?.row == 3 && unseen?.column == "label")
        #expect(unseen?.problem == "a label that never occurs in the train file train.csv")
    }

    /// Issue 8, point 12: the service shows dataset errors to whoever submitted the job, so
    /// they locate the problem (file, row, column) without quoting any value from the file.
    @Test(arguments: [
        ["train.csv": "a,b,label\n1,2,x\n3,SECRET_VALUE,y\n"],
        ["train.csv": "a,b,label\n1,2,x\n3,\"SECRET, QUOTED\",y\n"],
        ["train.csv": "a,label\n1,x\n", "test.csv": "a,label\n1,SECRET_LABEL\n"],
        ["train.csv": "a,b,label\n1,2,x\n3,SECRET_RAGGED\n"],
        ["train.csv": "a,b,label\n1,2,x\n3,\"SECRET\"trailing,y\n"],
        ["train.csv": "a,b,label\n1,2,x\n3,\"SECRET unclosed,y\n"],
        ["train.csv": "a,b,label\n1,2,x\n3,4,\n"],
        ["train.csv": "a,label\n1e39,SECRET\n"],
    ])
    func errorsNeverQuoteRowContent(files: [String: String]) {
        let failure = error(files)
        #expect(failure != nil && failure?.row != nil, "\(String(describing: failure))")
        #expect(failure?.description.contains("SECRET") == false, "\(String(describing: failure))")
    }

    /// Column names may be shown (the file is inside the data directory), but a header that
    /// is one enormous "column" is cut short.
    @Test func columnListsAreShortened() {
        let header = (0..<30).map { "c\($0)" }.joined(separator: ",") + "," + String(repeating: "w", count: 500)
        let missing = error(["train.csv": header + "\n" + Array(repeating: "1", count: 31).joined(separator: ",") + "\n"])
        #expect(missing?.problem.hasSuffix("c19, … (31 in all)") == true, "\(String(describing: missing))")
        let long = error(["train.csv": String(repeating: "v", count: 500) + "\n1\n"])
        #expect(long?.problem == "no label column 'label'; the columns are: " + String(repeating: "v", count: 40) + "…")
    }

    @Test func withoutATestFileAStratifiedSplitIsHeldOut() throws {
        var text = "a,b,label\n"
        for i in 0..<100 { text += "\(i),\(i % 7),\(i % 2 == 0 ? "even" : "odd")\n" }
        let a = try load(["train.csv": text], seed: 4)
        let b = try load(["train.csv": text], seed: 4)
        #expect(a.train.count == 80 && a.test.count == 20)
        #expect(a.train.classCounts(numClasses: 2) == [40, 40])
        #expect(!a.hasOfficialTestSplit)
        #expect(a == b)
        let limited = try load(["train.csv": text], limit: 10, seed: 4)
        #expect(limited.train.count == 10)
        // Standardised with the 10 kept rows: every column has mean 0.
        for j in 0..<2 {
            let mean = (0..<10).map { limited.train.features[$0 * 2 + j] }.reduce(0, +) / 10
            #expect(abs(mean) < 1e-5)
        }
    }
}

@Suite struct DatasetLoaderCSVMissingAndTextTests {
    private func load(_ files: [String: String]) throws -> Dataset {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try DataFixtures.write(text, to: folder.appendingPathComponent(name)) }
        let spec = DatasetSpec(source: .csv(train: "train.csv", test: files["test.csv"] == nil ? nil : "test.csv",
                                            labelColumn: "label"))
        return try DatasetLoader.load(spec, seed: 0, baseDirectory: folder)
    }

    @Test func missingCellsTakeTheTrainMeanAndTextColumnsAreOneHot() throws {
        // x: 1, (missing), 5 -> train mean 3; color: red, blue, (missing), mode red (2 of 3? no: red once, blue twice).
        let data = try load([
            "train.csv": "x,color,label\n1,blue,a\nNA,red,b\n5,blue,a\n3,,b\n",
            "test.csv": "x,color,label\n?,green,a\n",
        ])
        #expect(data.featureNames == ["x", "color=blue", "color=red"])
        #expect(data.imputedValues == 4, "train: x and color once each; test: x, and the unseen category green")
        // Before standardising, train x is [1, 3, 5, 3] (mean 3) and the test x is imputed to 3,
        // so it standardises to 0; the test color takes the train mode (blue): one-hot [1, 0].
        #expect(abs(data.test.features[0]) < 1e-6)
        let blue = data.train.features[1], red = data.train.features[2]  // train row 1 is blue
        #expect(data.test.features[1] == blue && data.test.features[2] == red)
        // Train row 4's missing color is blue too.
        #expect(data.train.features[10] == blue && data.train.features[11] == red)
    }
}
