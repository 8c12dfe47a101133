import Foundation
import Testing
@testable import SSCLEngine

@Suite struct SafetensorsFileTests {
    static func sampleTensors() -> [NamedTensor] {
        var rng = SeededGenerator(seed: 11)
        return [
            NamedTensor(name: "encoder.0.weight", shape: [3, 5], values: (0..<15).map { _ in rng.normal() }),
            NamedTensor(name: "encoder.0.bias", shape: [5], values: [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude]),
            NamedTensor(name: "scalar", shape: [], values: [Float.pi]),
            NamedTensor(name: "empty", shape: [0, 4], values: []),
            NamedTensor(name: "odd \"name\"\\ with\ttab", shape: [1], values: [Float(bitPattern: 0x7FC0_1234)]),
        ]
    }

    static let metadata = ["format": "pt", "job": "{\"epochs\": 3}", "unicode": "héllo ✓\n"]

    @Test func roundTripIsBitExact() throws {
        let dir = try AtomicFileTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let tensors = Self.sampleTensors()
        try SafetensorsFile.write(tensors: tensors, metadata: Self.metadata, to: url)
        let back = try SafetensorsFile.read(from: url)
        #expect(back.metadata == Self.metadata)
        #expect(back.tensors.count == tensors.count)
        for (a, b) in zip(tensors, back.tensors) { #expect(a.isBitwiseEqual(to: b), "\(a.name)") }
        #expect(back["scalar"]?.values == [Float.pi])
        #expect(try AtomicFileTests.contents(of: dir) == ["model.safetensors"])
    }

    @Test func headerLayoutMatchesTheSpecification() throws {
        let tensors = Self.sampleTensors()
        let bytes = try SafetensorsFile.encode(tensors: tensors, metadata: Self.metadata, path: "t")
        // 8-byte little-endian header length, by hand.
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0)
        #expect(bytes[8] == UInt8(ascii: "{"))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        #expect(header["__metadata__"] as? [String: String] == Self.metadata)
        #expect(header.count == tensors.count + 1)
        var offset = 0
        for t in tensors {
            let entry = try #require(header[t.name] as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            #expect((entry["shape"] as? [NSNumber])?.map(\.intValue) == t.shape)
            let offsets = try #require((entry["data_offsets"] as? [NSNumber])?.map(\.intValue))
            #expect(offsets == [offset, offset + 4 * t.values.count])   // contiguous, in the given order
            for (i, v) in t.values.enumerated() {
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(bytes[8 + n + offset + 4 * i + b]) << (8 * b) }
                #expect(bits == v.bitPattern)
            }
            offset += 4 * t.values.count
        }
        #expect(bytes.count == 8 + n + offset)
        // Padding is spaces.
        let json = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(json.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
    }

    @Test func emptyMetadataIsOmitted() throws {
        let bytes = try SafetensorsFile.encode(tensors: [NamedTensor(name: "w", shape: [2], values: [1, 2])], metadata: [:], path: "t")
        let n = Int(bytes.littleEndianUInt64(at: 0))
        let json = String(decoding: bytes[8..<(8 + n)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        #expect(json == #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        #expect(try SafetensorsFile.decode(bytes, path: "t").metadata.isEmpty)
    }

    @Test func duplicateAndReservedNamesAreRefused() {
        let w = NamedTensor(name: "w", shape: [1], values: [1])
        #expect(throws: FileFormatError.self) { try SafetensorsFile.encode(tensors: [w, w], metadata: [:], path: "t") }
        let reserved = NamedTensor(name: "__metadata__", shape: [1], values: [1])
        #expect(throws: FileFormatError.self) { try SafetensorsFile.encode(tensors: [reserved], metadata: [:], path: "t") }
    }

    @Test func truncatedAndInconsistentFilesAreRejected() throws {
        let bytes = try SafetensorsFile.encode(tensors: Self.sampleTensors(), metadata: [:], path: "t")
        for cut in [0, 5, 8, 20, bytes.count - 1] {
            #expect(throws: FileFormatError.self) { try SafetensorsFile.decode(Array(bytes.prefix(cut)), path: "t") }
        }
        do {
            _ = try SafetensorsFile.decode(Array(bytes.dropLast(4)), path: "x.safetensors")
            Issue.record("expected truncation")
        } catch let e as FileFormatError {
            #expect(e.problem == .truncated(expectedBytes: bytes.count, actualBytes: bytes.count - 4))
        }
        #expect(throws: FileFormatError.self) { try SafetensorsFile.decode(bytes + [0, 0, 0, 0], path: "t") }
    }

    /// Issue 8, point 13's class of bug: header numbers are checked before any sum or
    /// product (`4 * elements` and `dataStart + end` overflowed and trapped).
    @Test(arguments: [
        #"{"w":{"dtype":"F32","shape":[2305843009213693696],"data_offsets":[0,9223372036854774784]}}"#,
        #"{"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#,
        #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
        #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854774784,9223372036854774792]}}"#,
        #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,1e300]}}"#,
    ])
    func hugeShapesAndOffsetsAreErrors(header: String) {
        var json = Array(header.utf8)
        json += repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(UInt64(json.count))
        bytes += json + [0, 0, 128, 63, 0, 0, 0, 64]
        #expect(throws: FileFormatError.self) { try SafetensorsFile.decode(bytes, path: "t") }
    }

    @Test(arguments: [UInt64(1) << 63, UInt64.max, UInt64(100_000_001)])
    func hugeHeaderLengthIsAnError(length: UInt64) throws {
        var bytes = try SafetensorsFile.encode(tensors: Self.sampleTensors(), metadata: [:], path: "t")
        bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: length.littleEndian, Array.init))
        #expect(throws: FileFormatError.self) { try SafetensorsFile.decode(bytes, path: "t") }
    }

    /// Parses the file by hand in Python (struct + json + numpy), as an independent reader would.
    @Test(.enabled(if: SafetensorsFileTests.pythonHasNumpy))
    func pythonReadsTheFile() throws {
        let dir = try AtomicFileTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try SafetensorsFile.write(
            tensors: [NamedTensor(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5]),
                      NamedTensor(name: "b", shape: [1], values: [-7])],
            metadata: ["k": "v"], to: url)
        let script = """
        import json, struct, sys, numpy as np
        raw = open(sys.argv[1], 'rb').read()
        (n,) = struct.unpack('<Q', raw[:8])
        h = json.loads(raw[8:8 + n])
        meta = h.pop('__metadata__')
        data = raw[8 + n:]
        out = {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype='<f4').reshape(v['shape']).tolist() for k, v in h.items()}
        print(json.dumps({'meta': meta, 'tensors': out}, sort_keys=True))
        """
        let output = try Self.runPython(script, argument: url.path)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines)
            == #"{"meta": {"k": "v"}, "tensors": {"a": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]], "b": [-7.0]}}"#)
    }

    static let pythonHasNumpy: Bool = (try? runPython("import numpy", argument: "")) != nil

    static func runPython(_ script: String, argument: String) throws -> String {
        struct Failed: Error {}
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, argument]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed() }
        return String(decoding: data, as: UTF8.self)
    }
}
