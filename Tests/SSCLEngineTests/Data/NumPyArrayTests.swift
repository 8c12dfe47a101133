import Foundation
import Testing
import ZIPFoundation
@testable import SSCLEngine

/// `.npy` files built byte by byte from the format's description (numpy.lib.format), and,
/// where Python's NumPy is installed, files NumPy itself wrote.
@Suite struct NumPyArrayTests {
    /// A version-1 `.npy`: magic, version, little-endian header length, the dict padded with
    /// spaces to a multiple of 64 bytes ending in a newline, then the raw bytes.
    static func npy(descr: String, shape: String, fortran: Bool = false, body: [UInt8], version: UInt8 = 1) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let n = header.utf8.count
        out += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0]
        return Data(out + Array(header.utf8) + body)
    }

    static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    @Test func readsEachElementTypeInCOrder() throws {
        let f32 = try NumPyArray.parse(Self.npy(descr: "<f4", shape: "(2, 3)", body: Self.le([1.5, -2, 0.25, 3, 4, 5].map { Float($0).bitPattern })), name: "a.npy")
        #expect(f32.shape == [2, 3] && f32.elementType == .float32)
        #expect(f32.values == [1.5, -2, 0.25, 3, 4, 5])
        let f64 = try NumPyArray.parse(Self.npy(descr: "<f8", shape: "(2,)", body: Self.le([0.1, 1e300].map(\.bitPattern))), name: "b.npy")
        #expect(f64.values == [0.1, 1e300])
        let u8 = try NumPyArray.parse(Self.npy(descr: "|u1", shape: "(1, 2, 2)", body: [0, 127, 128, 255]), name: "c.npy")
        #expect(u8.shape == [1, 2, 2] && u8.values == [0, 127, 128, 255])
        let i64 = try NumPyArray.parse(Self.npy(descr: "<i8", shape: "(3,)", body: Self.le([Int64(-1), 7, 1 << 40])), name: "d.npy")
        #expect(i64.values == [-1, 7, Double(1 << 40)])
        let be = try NumPyArray.parse(Self.npy(descr: ">i4", shape: "(2,)", body: [0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE]), name: "e.npy")
        #expect(be.values == [258, -2])
        let v2 = try NumPyArray.parse(Self.npy(descr: "<i2", shape: "(2,)", body: Self.le([Int16(3), -4]), version: 2), name: "f.npy")
        #expect(v2.values == [3, -4])
    }

    @Test func refusesWhatItCannotReadWithTheReason() throws {
        func problem(_ data: Data) -> String {
            do { _ = try NumPyArray.parse(data, name: "bad.npy"); return "no error" } catch { return "\(error)" }
        }
        #expect(problem(Data("x,y\n1,2\n".utf8)).contains("not a NumPy .npy file"))
        #expect(problem(Self.npy(descr: "<f4", shape: "(2, 2)", fortran: true, body: [UInt8](repeating: 0, count: 16))).contains("Fortran order"))
        #expect(problem(Self.npy(descr: "<c16", shape: "(1,)", body: [UInt8](repeating: 0, count: 16))).contains("unsupported dtype"))
        #expect(problem(Self.npy(descr: "<f4", shape: "(4,)", body: [0, 0, 0, 0])).contains("needs 16 bytes"))
        #expect(problem(Self.npy(descr: "<f4", shape: "(4611686018427387904, 4)", body: [])).contains("too large"))
        var truncated = Self.npy(descr: "<f4", shape: "(1,)", body: [0, 0, 0, 0])
        truncated[8] = 0xFF; truncated[9] = 0x7F
        #expect(problem(truncated).contains("ends inside its header"))
        #expect(problem(Data("{'descr'".utf8)).contains("not a NumPy"))
    }

    /// Files written by NumPy itself (skipped where Python's NumPy is not installed).
    @Test(.enabled(if: NumPyArrayTests.pythonNumPy, "needs python3 with numpy"))
    func readsWhatNumPyWrites() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
        import numpy as np, sys
        d = sys.argv[1]
        x = (np.arange(24, dtype=np.float32).reshape(4, 6) / 7).astype(np.float32)
        np.savez_compressed(d + '/data.npz', x=x, y=np.array([0, 2, 2, 0], dtype=np.int64))
        np.save(d + '/img.npy', np.arange(2*2*3*3, dtype=np.uint8).reshape(2, 3, 3, 2)[..., :1].repeat(3, axis=3))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let arrays = try DatasetLoader.readNPZ(folder.appendingPathComponent("data.npz"))
        let x = try #require(arrays["x"])
        #expect(x.shape == [4, 6] && x.elementType == .float32)
        #expect(x.values.enumerated().allSatisfy { i, v in Float(v) == Float(i) / 7 })
        #expect(arrays["y"]?.values == [0, 2, 2, 0] && arrays["y"]?.elementType == .int64)
        let img = try NumPyArray.parse(try Data(contentsOf: folder.appendingPathComponent("img.npy")), name: "img.npy")
        #expect(img.shape == [2, 3, 3, 3] && img.elementType == .uint8)
    }

    static let pythonNumPy: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}

@Suite struct DatasetLoaderNumPyTests {
    /// An `.npz` written with ZIPFoundation (deflated entries, as np.savez_compressed does).
    static func npz(_ entries: [String: Data], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in entries.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: "\(name).npy", type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    static func floats(_ v: [Float]) -> [UInt8] { NumPyArrayTests.le(v.map(\.bitPattern)) }

    private func load(_ entries: [String: Data], spec: (inout DatasetSpec) -> Void = { _ in }) throws -> Dataset {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.npz(entries, to: folder.appendingPathComponent("set.npz"))
        var s = DatasetSpec(source: .npz(path: "set.npz"))
        s.testFraction = 0.5
        spec(&s)
        return try DatasetLoader.load(s, seed: 1, baseDirectory: folder)
    }

    @Test func tabularArraysWithATestSplit() throws {
        let x = NumPyArrayTests.npy(descr: "<f4", shape: "(4, 2)", body: Self.floats([1, 10, 2, 20, 3, 30, 4, 40]))
        let y = NumPyArrayTests.npy(descr: "<i8", shape: "(4,)", body: NumPyArrayTests.le([Int64(5), 7, 5, 7]))
        let xt = NumPyArrayTests.npy(descr: "<f4", shape: "(1, 2)", body: Self.floats([2.5, 25]))
        let yt = NumPyArrayTests.npy(descr: "<i8", shape: "(1,)", body: NumPyArrayTests.le([Int64(7)]))
        let data = try load(["x": x, "y": y, "x_test": xt, "y_test": yt])
        #expect(!data.isImage && data.rowSize == 2 && data.hasOfficialTestSplit)
        #expect(data.classNames == ["5", "7"] && data.train.labels == [0, 1, 0, 1] && data.test.labels == [1])
        // Standardised with the train mean 2.5 / 25 and population std sqrt(1.25) / sqrt(125).
        #expect(abs(data.test.features[0]) < 1e-6 && abs(data.test.features[1]) < 1e-6)
        #expect(abs(data.train.features[0] - Float((1 - 2.5) / 1.25.squareRoot())) < 1e-5)
    }

    @Test func uint8ImagesChannelsLastBecomeChannelPlanesScaledToOne() throws {
        // 2 images of 1x2 pixels with 3 channels (H, W, C order in the file).
        let pixels: [UInt8] = [255, 0, 51, 102, 0, 255, /* image 2 */ 0, 0, 0, 255, 255, 255]
        let x = NumPyArrayTests.npy(descr: "|u1", shape: "(2, 1, 2, 3)", body: pixels)
        let y = NumPyArrayTests.npy(descr: "|u1", shape: "(2,)", body: [1, 0])
        let xt = NumPyArrayTests.npy(descr: "|u1", shape: "(1, 1, 2, 3)", body: [0, 0, 0, 0, 0, 0])
        let yt = NumPyArrayTests.npy(descr: "|u1", shape: "(1,)", body: [1])
        let data = try load(["x": x, "y": y, "x_test": xt, "y_test": yt]) { $0.source = .npz(path: "set.npz", kind: .image) }
        #expect(data.imageShape == ImageShape(channels: 3, height: 1, width: 2))
        let flat = try load(["x": x, "y": y, "x_test": xt, "y_test": yt])
        #expect(flat.imageShape == nil && flat.rowSize == 6, "kind tabular (the default) flattens image arrays")
        // Image 1, planes R, G, B: R = [255, 102], G = [0, 0], B = [51, 255], over 255.
        let expected: [Float] = [1, 0.4, 0, 0, 0.2, 1]
        #expect(zip(data.train.features.prefix(6), expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func grayscaleImagesAndAHoldOut() throws {
        let x = NumPyArrayTests.npy(descr: "<f8", shape: "(4, 2, 2)", body: NumPyArrayTests.le((0..<16).map { Double($0).bitPattern }))
        let y = NumPyArrayTests.npy(descr: "<i4", shape: "(4,)", body: NumPyArrayTests.le([Int32(0), 1, 0, 1]))
        let data = try load(["x": x, "y": y]) { $0.source = .npz(path: "set.npz", kind: .image) }
        #expect(data.imageShape == ImageShape(channels: 1, height: 2, width: 2) && !data.hasOfficialTestSplit)
        #expect(data.train.count == 2 && data.test.count == 2)
        #expect(data.train.features.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 < 16 }, "floats are not rescaled")
    }

    @Test func malformedArchivesAreNamedWithTheProblem() throws {
        func problem(_ entries: [String: Data]) -> String {
            do { _ = try load(entries); return "no error" } catch { return "\(error)" }
        }
        let x = NumPyArrayTests.npy(descr: "<f4", shape: "(2, 1)", body: Self.floats([1, 2]))
        let y2 = NumPyArrayTests.npy(descr: "<i8", shape: "(2,)", body: NumPyArrayTests.le([Int64(0), 1]))
        let y3 = NumPyArrayTests.npy(descr: "<i8", shape: "(3,)", body: NumPyArrayTests.le([Int64(0), 1, 1]))
        let yFloat = NumPyArrayTests.npy(descr: "<f8", shape: "(2,)", body: NumPyArrayTests.le([0.5, 1].map(\.bitPattern)))
        #expect(problem(["features": x, "y": y2]).contains("needs arrays 'x' and 'y'"))
        #expect(throws: DatasetError.self) { try load(["x": x, "y": y2]) { $0.source = .npz(path: "set.npz", kind: .image) } }
        #expect(problem(["x": x, "y": y3]).contains("3 labels for 2 rows"))
        #expect(problem(["x": x, "y": yFloat]).contains("not an integer class label"))
        #expect(problem(["x": x, "y": y2, "x_test": x]).contains("come together"))
        let nan = NumPyArrayTests.npy(descr: "<f4", shape: "(2, 1)", body: Self.floats([1, .nan]))
        #expect(problem(["x": nan, "y": y2]).contains("not finite"))
        let five = NumPyArrayTests.npy(descr: "<f4", shape: "(1, 1, 1, 1, 1)", body: Self.floats([1]))
        #expect(problem(["x": five, "y": NumPyArrayTests.npy(descr: "<i8", shape: "(1,)", body: NumPyArrayTests.le([Int64(0)]))]).contains("has shape"))

        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DataFixtures.write("not a zip", to: folder.appendingPathComponent("bad.npz"))
        #expect(throws: DatasetError.self) {
            try DatasetLoader.load(DatasetSpec(source: .npz(path: "bad.npz")), seed: 0, baseDirectory: folder)
        }
    }
}
