import Foundation
import Testing
@testable import SSCLEngine

@Suite struct DatasetLoaderImageFolderTests {
    private func grey(_ value: UInt8, size: Int = 2) -> [UInt8] {
        ImageFixtures.png(width: size, height: size, channels: 1, pixels: ImageFixtures.flat(width: size, height: size, [value]))
    }

    private func rgb(_ value: [UInt8], size: Int = 2) -> [UInt8] {
        ImageFixtures.png(width: size, height: size, channels: 3, pixels: ImageFixtures.flat(width: size, height: size, value))
    }

    /// A fresh folder holding `files`; removed by the caller.
    private func folder(_ files: [String: [UInt8]]) throws -> URL {
        let root = try DataFixtures.temporaryFolder()
        try ImageFixtures.write(files, under: root)
        return root
    }

    private func loadError(_ root: URL, imageSize: Int = 2, channels: Int = 1, skipBad: Bool = false) -> DatasetError? {
        #expect(throws: DatasetError.self) {
            try ImageFixtures.load(root, imageSize: imageSize, channels: channels, skipBad: skipBad)
        }
    }

    @Test func classesAreTheSortedFolderNamesAndPixelsAreScaled() throws {
        // Ten images per class so the 20% hold-out takes two of each.
        var files: [String: [UInt8]] = [:]
        for (name, value) in [("zebra", UInt8(200)), ("ant", 10), ("Moth", 100)] {
            for i in 0..<10 { files["\(name)/\(i).png"] = grey(value) }
        }
        files["README.txt"] = Array("not a class".utf8)  // a file at the top is not a class
        files[".hidden/x.png"] = grey(1)                  // nor is a hidden folder
        let root = try folder(files)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1)
        #expect(data.classNames == ["Moth", "ant", "zebra"])  // code-point order: capitals first
        #expect(data.imageShape == ImageShape(channels: 1, height: 2, width: 2))
        #expect(data.isImage && !data.hasOfficialTestSplit)
        #expect(data.train.count == 24 && data.test.count == 6)
        #expect(data.test.classCounts(numClasses: 3) == [2, 2, 2])
        // Each row is its class's grey level / 255 (not standardised).
        let levels: [Float] = [100, 10, 200]
        for split in [data.train, data.test] {
            for r in 0..<split.count {
                let row = split.features[(r * 4)..<((r + 1) * 4)]
                #expect(row.allSatisfy { abs($0 - levels[split.labels[r]] / 255) < 1e-6 })
            }
        }
        #expect(data.skippedFiles.isEmpty)
    }

    /// Decoding on several threads gives exactly the one-thread dataset, errors included.
    @Test func threadsDoNotChangeTheResult() throws {
        var files: [String: [UInt8]] = [:]
        for i in 0..<23 { files["a/\(i).png"] = grey(UInt8(i), size: 3) }
        for i in 0..<17 { files["b/\(i).jpg"] = ImageFixtures.jpeg(width: 5, height: 4, channels: 3, pixels: ImageFixtures.flat(width: 5, height: 4, [UInt8(10 * i), 50, 90])) }
        files["b/bad.png"] = Array("nope".utf8)
        let root = try folder(files)
        defer { try? FileManager.default.removeItem(at: root) }
        var spec = DatasetSpec(source: .imageFolder(ImageFolderSpec(path: root.path, imageSize: 4, channels: 3, skipBad: true)))
        let one = try DatasetLoader.load(spec, seed: 3, threads: 1)
        for threads in [2, 3, 8] { #expect(try DatasetLoader.load(spec, seed: 3, threads: threads) == one) }
        #expect(one.skippedFiles.count == 1 && one.train.count + one.test.count == 40)
        spec.source = .imageFolder(ImageFolderSpec(path: root.path, imageSize: 4, channels: 3))
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(spec, seed: 3, threads: 4) }
        #expect(error?.file == root.appendingPathComponent("b/bad.png").path)
    }

    @Test func theHoldOutIsTheStratifiedOneOfTheOtherLoaders() throws {
        var files: [String: [UInt8]] = [:]
        for i in 0..<6 { files["a/\(i).png"] = grey(UInt8(i)) }
        for i in 0..<9 { files["b/\(i).png"] = grey(UInt8(100 + i)) }
        let root = try folder(files)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1, scale: 1, seed: 7)
        // Rows in class then name order, then DataSplit.holdout with the same seed.
        let all = DataSplit(features: ((0..<6).map { Float($0) } + (0..<9).map { Float(100 + $0) })
                                .flatMap { [Float](repeating: $0, count: 4) },
                            labels: [Int](repeating: 0, count: 6) + [Int](repeating: 1, count: 9), rowSize: 4)
        let (train, test) = all.holdout(fraction: 0.2, seed: 7)
        #expect(data.train == train && data.test == test)
    }

    @Test func trainAndTestFoldersGiveTheOfficialSplit() throws {
        let root = try folder([
            "train/cat/1.png": grey(1), "train/cat/2.jpg": ImageFixtures.jpeg(width: 2, height: 2, channels: 1,
                                                                               pixels: [50, 50, 50, 50]),
            "train/dog/1.png": grey(3), "train/dog/sub/2.png": grey(4),  // subfolders of a class count
            "test/dog/1.png": grey(5),  // a test split may lack a class
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1)
        #expect(data.classNames == ["cat", "dog"] && data.hasOfficialTestSplit)
        #expect(data.train.labels == [0, 0, 1, 1] && data.test.labels == [1])
        #expect(data.test.features == [Float](repeating: 5.0 / 255, count: 4))
        #expect(data.train.features[4..<8].allSatisfy { abs($0 * 255 - 50) <= 1 })  // the JPEG
        #expect(data.train.features[12..<16].allSatisfy { $0 == 4.0 / 255 })       // sub/2.png, last
    }

    @Test func layoutMistakesAreNamed() throws {
        let unknownTest = try folder(["train/cat/1.png": grey(1), "test/cow/1.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: unknownTest) }
        let e1 = loadError(unknownTest)
        #expect(e1?.file == unknownTest.appendingPathComponent("test").path)
        #expect(e1?.problem.contains("cow") == true, "\(e1?.description ?? "")")

        let beside = try folder(["train/cat/1.png": grey(1), "extra/1.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: beside) }
        #expect(loadError(beside)?.problem.contains("beside other folders (extra)") == true)

        let testOnly = try folder(["test/cat/1.png": grey(1)])
        defer { try? FileManager.default.removeItem(at: testOnly) }
        #expect(loadError(testOnly)?.problem.contains("no train/") == true)

        let flat = try folder(["1.png": grey(1)])
        defer { try? FileManager.default.removeItem(at: flat) }
        #expect(loadError(flat)?.problem.contains("no class folders") == true)

        let emptyClass = try folder(["cat/1.png": grey(1), "dog/.keep": []])
        defer { try? FileManager.default.removeItem(at: emptyClass) }
        let e2 = loadError(emptyClass)
        #expect(e2?.file == emptyClass.appendingPathComponent("dog").path && e2?.problem == "class folder holds no files")

        let missing = unknownTest.appendingPathComponent("nowhere")
        #expect(loadError(missing)?.problem == "image folder not found")
        let file = flat.appendingPathComponent("1.png")
        #expect(loadError(file)?.problem.hasPrefix("is not a folder") == true)
    }

    @Test func aCorruptFileIsNamedOrSkippedAndCounted() throws {
        let good = grey(9)
        var corrupt = good
        corrupt[20] ^= 0xFF  // inside the header chunk: its CRC no longer matches
        let root = try folder([
            "cat/1.png": good, "cat/2.png": corrupt,
            "cat/3.png": good, "dog/1.png": good, "dog/2.png": good, "dog/notes.txt": Array("hello".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = loadError(root)
        #expect(error?.file == root.appendingPathComponent("cat/2.png").path)
        #expect(error?.problem.hasPrefix("corrupt PNG: ") == true, "\(error?.description ?? "")")

        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1, skipBad: true)
        #expect(data.train.count + data.test.count == 4)
        try #require(data.skippedFiles.map(\.path) == ["cat/2.png", "dog/notes.txt"])
        #expect(data.skippedFiles[1].reason == "is not a PNG or JPEG image")
        #expect(data.summary.contains("2 unreadable file(s) skipped (cat/2.png corrupt PNG"), "\(data.summary)")

        // A class left with nothing readable is still an error.
        let allBad = try folder(["cat/1.png": good, "dog/1.png": Array("x".utf8)])
        defer { try? FileManager.default.removeItem(at: allBad) }
        let e = loadError(allBad, skipBad: true)
        #expect(e?.problem == "class folder holds no readable images (1 skipped)")
    }

    @Test func linksOutOfTheFolderAreRefused() throws {
        let outside = try folder(["secret.png": grey(42)])
        defer { try? FileManager.default.removeItem(at: outside) }
        let root = try folder(["cat/1.png": grey(1), "cat/2.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: root) }
        let link = root.appendingPathComponent("cat/3.png")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside.appendingPathComponent("secret.png"))
        let error = loadError(root)
        #expect(error?.file == link.path && error?.problem.contains("outside the image folder") == true)
        // A link that stays inside is read like the file, and a link back up does not loop.
        try FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: root.appendingPathComponent("cat/1.png"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("cat/loop"), withDestinationURL: root)
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1, skipBad: false, seed: 0)
        #expect(data.train.count + data.test.count == 3)
    }

    /// In the service, relative paths resolve inside the data directory and every image opened
    /// must lie inside it.
    @Test func theServiceReadsOnlyInsideItsDataDirectory() throws {
        let data = try folder(["pets/cat/1.png": grey(1), "pets/cat/2.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: data) }
        let elsewhere = try folder(["cat/1.png": grey(1), "cat/2.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let directory = DataDirectory(data)
        let inside = try DatasetLoader.load(DatasetSpec(source: .imageFolder(ImageFolderSpec(path: "pets", imageSize: 2, channels: 1))),
                                            seed: 0, within: directory)
        #expect(inside.train.count + inside.test.count == 2)
        let outside = DatasetSpec(source: .imageFolder(ImageFolderSpec(path: elsewhere.path, imageSize: 2, channels: 1)))
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(outside, seed: 0, within: directory) }
        #expect(error?.file == elsewhere.appendingPathComponent("cat/1.png").path)
        #expect(error?.problem.hasPrefix("is outside the data directory") == true, "\(error?.description ?? "")")
    }

    /// A named pipe would block a read for ever: it is refused (or skipped) without opening it.
    @Test func aPipeIsRefusedWithoutReadingIt() throws {
        let root = try folder(["cat/1.png": grey(1), "cat/2.png": grey(2)])
        defer { try? FileManager.default.removeItem(at: root) }
        let pipe = root.appendingPathComponent("cat/3.png")
        #expect(mkfifo(pipe.path, 0o644) == 0)
        let error = loadError(root)
        #expect(error?.file == pipe.path && error?.problem == "not a regular file")
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1, skipBad: true)
        #expect(data.skippedFiles == [SkippedFile(path: "cat/3.png", reason: "not a regular file")])
    }

    @Test func greyImagesAreReplicatedInAnRGBJob() throws {
        let root = try folder(["a/1.png": grey(51), "a/2.png": grey(51), "b/1.png": rgb([255, 0, 0]), "b/2.png": rgb([255, 0, 0])])
        defer { try? FileManager.default.removeItem(at: root) }
        var spec = DatasetSpec(source: .imageFolder(ImageFolderSpec(path: root.path, imageSize: 2, channels: 3)))
        spec.testFraction = 0.5
        let data = try DatasetLoader.load(spec, seed: 0)
        #expect(data.imageShape == ImageShape(channels: 3, height: 2, width: 2) && data.rowShape == [3, 2, 2])
        let rows = [data.train, data.test].flatMap { split in (0..<split.count).map { (split.labels[$0], Array(split.features[($0 * 12)..<(($0 + 1) * 12)])) } }
        for (label, row) in rows {
            // [R plane, G plane, B plane] of 2x2.
            let expected: [Float] = label == 0 ? [Float](repeating: 0.2, count: 12)
                                               : [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
            #expect(zip(row, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(row)")
        }
    }

    /// BT.601 luma by hand: (10, 200, 30) -> 0.299·10 + 0.587·200 + 0.114·30 = 2.99 + 117.4
    /// + 3.42 = 123.81; pure red -> 76.245; white -> 255.
    @Test func rgbImagesBecomeBT601LumaInAGreyJob() throws {
        let pixels: [UInt8] = [10, 200, 30, 255, 0, 0, 255, 255, 255, 0, 0, 0]
        let png = ImageFixtures.png(width: 2, height: 2, channels: 3, pixels: pixels)
        let root = try folder(["a/1.png": png, "a/2.png": png, "b/1.png": grey(7), "b/2.png": grey(7)])
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFixtures.load(root, imageSize: 2, channels: 1, scale: 1)
        let row = (0..<data.train.count).first { data.train.labels[$0] == 0 }.map { Array(data.train.features[($0 * 4)..<(($0 + 1) * 4)]) }
        let expected: [Float] = [123.81, 76.245, 255, 0]
        #expect(row.map { zip($0, expected).allSatisfy { abs($0 - $1) < 1e-3 } } == true, "\(row ?? [])")
    }

    @Test func imagesAreResizedToTheSquare() throws {
        // 2x2 grey [0, 4; 8, 16] -> 4x4 (values by hand in ImageResizerTests), and a flat 7x7
        // image shrunk to the same square.
        let small = ImageFixtures.png(width: 2, height: 2, channels: 1, pixels: [0, 4, 8, 16])
        let root = try folder(["a/1.png": small, "a/2.png": small, "b/1.png": grey(3, size: 7), "b/2.png": grey(3, size: 7)])
        defer { try? FileManager.default.removeItem(at: root) }
        var spec = DatasetSpec(source: .imageFolder(ImageFolderSpec(path: root.path, imageSize: 4, channels: 1)))
        spec.scale = 1
        spec.testFraction = 0.5
        let data = try DatasetLoader.load(spec, seed: 0)
        let all = [data.train, data.test].flatMap { s in (0..<s.count).map { (s.labels[$0], Array(s.features[($0 * 16)..<(($0 + 1) * 16)])) } }
        let expectedA: [Float] = [0, 1, 3, 4, 2, 3.25, 5.75, 7, 6, 7.75, 11.25, 13, 8, 10, 14, 16]
        for (label, row) in all {
            if label == 0 {
                #expect(zip(row, expectedA).allSatisfy { abs($0 - $1) < 1e-4 }, "\(row)")
            } else {
                #expect(row.allSatisfy { abs($0 - 3) < 1e-4 })  // 7x7 flat shrunk to 4x4 stays flat
            }
        }
    }
}
