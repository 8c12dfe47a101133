import Foundation
import Testing
@testable import SSCLEngine

@Suite struct DatasetLoaderTests {
    private static let fullFashionMNISTInstalled =
        FileManager.default.fileExists(atPath: DatasetLoader.fashionMNISTFolder.path)

    private func spec(_ source: DatasetSource, limit: Int? = nil) -> DatasetSpec {
        var spec = DatasetSpec(source: source)
        spec.trainLimit = limit
        return spec
    }

    @Test func fashionMNISTMiniLoadsWithItsOfficialSplit() throws {
        let data = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini")), seed: 0)
        #expect(data.train.count == 1000)
        #expect(data.test.count == 200)
        #expect(data.imageShape == ImageShape(channels: 1, height: 28, width: 28))
        #expect(data.rowShape == [1, 28, 28])
        #expect(data.numClasses == 10)
        #expect(data.classNames[9] == "Ankle boot")
        #expect(data.isImage && data.hasOfficialTestSplit)
        #expect(data.train.classCounts(numClasses: 10) == Array(repeating: 100, count: 10))
        #expect(data.test.classCounts(numClasses: 10) == Array(repeating: 20, count: 10))
        #expect(data.train.features.min() == 0)
        #expect(data.train.features.max() == 1)
    }

    @Test func digitsHoldOutTwentyPercentAtScaleOneSixteenth() throws {
        let data = try DatasetLoader.load(spec(.builtin("digits")), seed: 0)
        #expect(data.train.count + data.test.count == 1797)
        #expect(abs(data.test.count - 359) <= 5)
        #expect(data.imageShape == ImageShape(channels: 1, height: 8, width: 8))
        #expect(!data.hasOfficialTestSplit)
        #expect(data.classNames == (0...9).map(String.init))
        #expect(data.train.features.max() == 1.0)
        // Stratified: every class keeps about 80% of its rows.
        let train = data.train.classCounts(numClasses: 10), test = data.test.classCounts(numClasses: 10)
        for c in 0..<10 {
            let share = Double(test[c]) / Double(train[c] + test[c])
            #expect(abs(share - 0.2) < 0.01)
        }
    }

    @Test func builtinInfoMatchesWhatLoads() throws {
        let infos = DatasetLoader.builtinInfo()
        #expect(infos.map(\.name) == DatasetLoader.builtinNames)
        for info in infos where info.available && info.name != "fashion-mnist" {
            let data = try DatasetLoader.load(spec(.builtin(info.name)), seed: 3)
            #expect(data.train.count == info.trainCount, "\(info.name)")
            #expect(data.test.count == info.testCount, "\(info.name)")
            #expect(data.imageShape == info.imageShape)
            #expect(data.numClasses == info.numClasses)
            #expect(data.hasOfficialTestSplit == info.hasOfficialTestSplit)
        }
        let shipped = infos.filter { $0.name != "fashion-mnist" }
        #expect(shipped.allSatisfy { $0.available })
    }

    @Test func unknownBuiltinListsTheNames() throws {
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.builtin("cifar")), seed: 0) }
        #expect(error?.problem.contains("fashion-mnist-mini") == true)
    }

    @Test(.enabled(if: fullFashionMNISTInstalled, "needs the Debian package dataset-fashion-mnist"))
    func fullFashionMNISTLoads() throws {
        let data = try DatasetLoader.load(spec(.builtin("fashion-mnist")), seed: 0)
        #expect(data.train.count == 60000)
        #expect(data.test.count == 10000)
        #expect(data.train.classCounts(numClasses: 10) == Array(repeating: 6000, count: 10))
        #expect(data.train.features.count == 60000 * 784)
    }

    @Test func gzipAndPlainFoldersLoadTheSame() throws {
        let plain = try DatasetLoader.load(spec(.idx(path: "idx-plain")), seed: 1, baseDirectory: DataFixtures.folder)
        let gz = try DatasetLoader.load(spec(.idx(path: "idx-gz")), seed: 1, baseDirectory: DataFixtures.folder)
        #expect(plain.train == gz.train && plain.test == gz.test)
        #expect(plain.train.count == 12 && plain.test.count == 4)
        #expect(plain.imageShape == ImageShape(channels: 1, height: 3, width: 4))
        #expect(plain.classNames == ["0", "1", "2"])
        #expect(plain.test.labels == [0, 1, 2, 1])
        // Pixel 1 of image 1 is (37 + 11) / 255; test image 0 is 255 minus train image 0.
        #expect(abs(plain.train.features[12 + 1] - Float(48) / 255) < 1e-6)
        #expect(abs(plain.test.features[1] - Float(255 - 11) / 255) < 1e-6)
    }

    @Test func shippedGzipFilesMatchTheirInflatedCopies() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mini = DatasetLoader.resourceFolder("fashion-mnist-mini")
        for name in try FileManager.default.contentsOfDirectory(atPath: mini.path) where name.hasSuffix(".gz") {
            let bytes = try Gzip.inflate(DataFixtures.bytes(of: mini.appendingPathComponent(name)), file: name)
            try DataFixtures.write(bytes, to: folder.appendingPathComponent(String(name.dropLast(3))))
        }
        let plain = try DatasetLoader.load(spec(.idx(path: folder.path)), seed: 0)
        let gz = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini")), seed: 0)
        #expect(plain.train == gz.train && plain.test == gz.test)
    }

    @Test func corruptFilesInAFolderAreNamed() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DataFixtures.copyFiles(of: DataFixtures.folder.appendingPathComponent("idx-gz"), to: folder)
        let images = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        let bytes = try DataFixtures.bytes(of: images)
        try DataFixtures.write(Array(bytes.prefix(bytes.count / 2)), to: images)
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.idx(path: folder.path)), seed: 0) }
        #expect(error?.file == images.path)
    }

    @Test func labelCountMustMatchImageCount() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DataFixtures.write(DataFixtures.idx(dimensions: [3, 2, 2], values: Array(repeating: 7, count: 12)),
                               to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        let labels = folder.appendingPathComponent("train-labels-idx1-ubyte")
        try DataFixtures.write(DataFixtures.idx(dimensions: [2], values: [0, 1]), to: labels)
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.idx(path: folder.path)), seed: 0) }
        #expect(error?.file == labels.path)
        #expect(error?.problem.contains("2 labels") == true && error?.problem.contains("3 images") == true)
    }

    @Test func missingFilesAndFoldersAreNamed() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.idx(path: folder.path)), seed: 0) }
        #expect(empty?.problem.contains("train-images-idx3-ubyte") == true)
        // A lone t10k images file without its labels.
        try DataFixtures.copyFiles(of: DataFixtures.folder.appendingPathComponent("idx-plain"), to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let lone = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.idx(path: folder.path)), seed: 0) }
        #expect(lone?.problem.contains("t10k-labels-idx1-ubyte") == true)
        let missing = #expect(throws: DatasetError.self) {
            try DatasetLoader.load(spec(.idx(path: "no-such-folder")), seed: 0, baseDirectory: folder)
        }
        #expect(missing?.file == folder.appendingPathComponent("no-such-folder").path)
    }

    @Test func holdoutSplitIsFixedBySeed() throws {
        let a = try DatasetLoader.load(spec(.builtin("digits")), seed: 5)
        let b = try DatasetLoader.load(spec(.builtin("digits")), seed: 5)
        let c = try DatasetLoader.load(spec(.builtin("digits")), seed: 6)
        #expect(a == b)
        #expect(a.test.features != c.test.features)
        #expect(a.test.count == c.test.count)
    }

    @Test func trainLimitIsAFixedSeedSubset() throws {
        let full = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini")), seed: 2)
        let a = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini"), limit: 50), seed: 2)
        let b = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini"), limit: 50), seed: 2)
        let c = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini"), limit: 50), seed: 9)
        #expect(a.train.count == 50 && a.test.count == 200)
        #expect(a.train == b.train)
        #expect(a.train != c.train)
        #expect(a.test == full.test)
        // Every kept row is one of the full train rows.
        let rows = Set((0..<full.train.count).map { Array(full.train.features[($0 * 784)..<(($0 + 1) * 784)]) })
        for r in 0..<50 { #expect(rows.contains(Array(a.train.features[(r * 784)..<((r + 1) * 784)]))) }
        let all = try DatasetLoader.load(spec(.builtin("fashion-mnist-mini"), limit: 5000), seed: 2)
        #expect(all.train == full.train)
    }

    @Test func invalidLimitsScalesAndFractionsAreRejected() throws {
        #expect(throws: DatasetError.self) { try DatasetLoader.load(spec(.builtin("digits"), limit: 0), seed: 0) }
        var badScale = spec(.builtin("digits"))
        badScale.scale = -1
        #expect(throws: DatasetError.self) { try DatasetLoader.load(badScale, seed: 0) }
        var badFraction = spec(.builtin("digits"))
        badFraction.testFraction = 1
        #expect(throws: DatasetError.self) { try DatasetLoader.load(badFraction, seed: 0) }
    }

    @Test func batchGathersRowsWithTheImageShape() throws {
        let data = try DatasetLoader.load(spec(.idx(path: "idx-plain")), seed: 0, baseDirectory: DataFixtures.folder)
        let batch = data.batch([2, 0], of: data.train)
        #expect(batch.shape == [2, 1, 3, 4])
        #expect(Array(batch.data[12..<24]) == Array(data.train.features[0..<12]))
    }
}
