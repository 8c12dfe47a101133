import Foundation
import Testing
@testable import SSCLEngine

struct InputPreprocessingTests {
    /// A CSV job's raw rows, preprocessed, are exactly the loader's rows (standardised with the
    /// train statistics), and `raw(of:)` gives the file's values back.
    @Test func tabularRowsMatchTheLoader() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = "a,b,label\n1,100,x\n3,300,y\n5,200,x\n7,400,y\n"
        try DataFixtures.write(train, to: folder.appendingPathComponent("train.csv"))
        try DataFixtures.write("a,b,label\n2,250,x\n", to: folder.appendingPathComponent("test.csv"))
        let data = try DatasetLoader.load(DatasetSpec(source: .csv(train: "train.csv", test: "test.csv", labelColumn: "label")),
                                          seed: 0, baseDirectory: folder)
        let p = data.preprocessing
        #expect(p.scale == 1 && p.imageShape == nil && p.featureNames == ["a", "b"])
        #expect(p.mean == [4, 250])
        let raw: [Float] = [1, 100, 3, 300, 5, 200, 7, 400]
        #expect(p.apply(to: raw, count: 4) == data.train.features)
        #expect(p.apply(to: [2, 250], count: 1) == data.test.features)
        #expect(p.raw(of: data.test.features[0..<2]) == [2, 250])
    }

    /// Built-in images: stored pixel values times 1/255, the image shape, no statistics.
    @Test func imagesScaleTheStoredValues() throws {
        let data = try DatasetLoader.load(DatasetSpec(source: .builtin("fashion-mnist-mini")), seed: 0)
        let p = data.preprocessing
        #expect(p.scale == 1 / 255 && p.mean == nil && p.imageShape == [1, 28, 28])
        let stored = data.train.features[0..<784].map { ($0 * 255).rounded() }
        #expect(p.apply(to: stored, count: 1) == Array(data.train.features[0..<784]))
    }

    /// A PNG goes through the image-folder path: grey planes times scale, resized.
    @Test func imageFilesAreDecodedAndResized() throws {
        let p = InputPreprocessing(scale: 1.0 / 255, imageShape: [1, 2, 2])
        // 4 x 4, every pixel 51: any resize keeps 51, so each value is 51/255 = 0.2.
        let png = ImageFixtures.png(width: 4, height: 4, channels: 1, pixels: [UInt8](repeating: 51, count: 16))
        let row = try p.imageRow(from: png)
        #expect(row.count == 4 && row.allSatisfy { abs($0 - 0.2) < 1e-6 })
        #expect(throws: ImageDecoder.Failure.self) { try InputPreprocessing(scale: 1, featureNames: ["a"]).imageRow(from: png) }
    }

    @Test func jsonRoundTrip() throws {
        let p = InputPreprocessing(scale: 0.5, mean: [1, 2], std: [3, 4], featureNames: ["a", "b=c"])
        #expect(p.jsonText == #"{"feature_names":["a","b=c"],"mean":[1,2],"scale":0.5,"std":[3,4]}"#)
        #expect(try InputPreprocessing.parse(p.jsonText) == p)
    }
}
