import Foundation
import Testing
@testable import SSCLEngine

@Suite struct ARFFReaderTests {
    @Test func readsAttributesDenseAndSparseRowsQuotesCommentsAndMissing() throws {
        let text = """
        % a comment
        @RELATION 'weather small'
        @attribute outlook {sunny, 'over cast', rainy}
        @attribute temperature NUMERIC
        @attribute 'wind speed' real
        @attribute note string
        @attribute play {yes,no}

        @data
        sunny, 85, 3.5, 'hot, dry', no % trailing comment
        'over cast',?,1,"x",yes
        {1 70, 4 yes}
        """
        let t = try ARFFReader.parse(Array(text.utf8), file: "w.arff")
        #expect(t.relation == "weather small")
        #expect(t.attributes.map(\.name) == ["outlook", "temperature", "wind speed", "note", "play"])
        #expect(t.attributes[0].type == .nominal(["sunny", "over cast", "rainy"]))
        #expect(t.attributes[1].type == .numeric && t.attributes[3].type == .string)
        #expect(t.rows[0] == ["sunny", "85", "3.5", "hot, dry", "no"])
        #expect(t.rows[1] == ["over cast", nil, "1", "x", "yes"])
        #expect(t.rows[2] == ["sunny", "70", "0", "0", "yes"], "sparse: absent numerics are 0, nominals their first value")
        #expect(t.lines == [10, 11, 12])
    }

    @Test func errorsNameTheLineAndTheProblem() throws {
        func problem(_ text: String) -> String {
            do { _ = try ARFFReader.parse(Array(text.utf8), file: "x.arff"); return "no error" } catch { return "\(error)" }
        }
        #expect(problem("@relation r\n@attribute a numeric\n@data\n1,2\n") == "x.arff, row 4: has 2 values but there are 1 attributes")
        #expect(problem("@relation r\n@attribute a numeric\n").contains("no @data section"))
        #expect(problem("@relation r\n@attribute a blob\n@data\n").contains("unknown attribute type"))
        #expect(problem("@relation r\n@attribute a {x,y}\n@data\n'x\n").contains("row 4: an unterminated quote"))
        #expect(problem("hello\n").contains("row 1: expected @relation"))
        #expect(problem("@relation r\n@attribute a numeric\n@data\n{7 1}\n").contains("sparse entry"))
    }
}

@Suite struct DatasetLoaderARFFTests {
    private func load(_ train: String, test: String? = nil, label: String? = nil) throws -> Dataset {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DataFixtures.write(train, to: folder.appendingPathComponent("train.arff"))
        if let test { try DataFixtures.write(test, to: folder.appendingPathComponent("test.arff")) }
        var spec = DatasetSpec(source: .arff(train: "train.arff", test: test == nil ? nil : "test.arff", labelColumn: label))
        spec.testFraction = 0.5
        return try DatasetLoader.load(spec, seed: 3, baseDirectory: folder)
    }

    static let header = """
    @relation toy
    @attribute color {red, green, blue}
    @attribute size numeric
    @attribute comment string
    @attribute kind {a, b}
    @data

    """

    @Test func nominalFeaturesAreOneHotAndMissingValuesTakeTheTrainMeanOrMode() throws {
        let data = try load(Self.header + "red,1,'x',a\ngreen,?,'y',b\n?,5,'z',a\nred,3,'w',b\n",
                            test: Self.header + "blue,?,'q',a\n")
        #expect(data.classNames == ["a", "b"] && data.train.labels == [0, 1, 0, 1] && data.test.labels == [0])
        #expect(data.featureNames == ["color=red", "color=green", "color=blue", "size"])
        #expect(data.droppedColumns == ["comment"])
        #expect(data.imputedValues == 3, "two in train, one in test")
        // Before standardisation the test row is [0, 0, 1, mean(1, 5, 3) = 3]; the train size
        // column is [1, 3, 5, 3] (mean 3), so the test size standardises to exactly 0.
        #expect(abs(data.test.features[3]) < 1e-6)
        // Train row 3 had a missing color: the mode (red, twice) fills it, the same one-hot as row 1.
        #expect(Array(data.train.features[8..<11]) == Array(data.train.features[0..<3]))
    }

    @Test func theClassIsTheLastNominalAttributeUnlessNamed() throws {
        let text = "@relation r\n@attribute k {p,q}\n@attribute v numeric\n@attribute w numeric\n@data\np,1,2\nq,3,4\np,5,6\nq,7,8\n"
        let data = try load(text)
        #expect(data.classNames == ["p", "q"] && data.featureNames == ["v", "w"] && !data.hasOfficialTestSplit)
        #expect(data.train.count + data.test.count == 4)
        #expect(throws: DatasetError.self) { try load(text, label: "v") }
        #expect(throws: DatasetError.self) { try load(text, label: "nope") }
        #expect(throws: DatasetError.self) { try load(Self.header + "red,1,'x',?\n") }
    }
}
