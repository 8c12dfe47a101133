import Foundation
import Testing
@testable import SSCLEngine

@Suite struct CheckpointFileTests {
    static func sample() -> Checkpoint {
        var rng = SeededGenerator(seed: 3)
        return Checkpoint(
            jobJSON: #"{"name":"t\"est","epochs":3,"loss":{"kind":"sscl"}}"#,
            epoch: 2, stepInEpoch: 17, globalStep: 1234,
            epochOrder: rng.permutation(1000),
            rngStates: [
                "data": [UInt64.max, UInt64.max - 1, 1 << 63 + 12345, 0],
                "augment": SeededGenerator(seed: 99).stateWords,
            ],
            tensors: [
                NamedTensor(name: "param/encoder.0.weight", shape: [4, 3], values: (0..<12).map { _ in rng.normal() }),
                NamedTensor(name: "buffer/bn.running_mean", shape: [3], values: [0.1, -0.0, .greatestFiniteMagnitude]),
                NamedTensor(name: "opt/momentum/encoder.0.weight", shape: [4, 3], values: (0..<12).map { _ in rng.uniform() }),
                NamedTensor(name: "empty", shape: [0], values: []),
            ],
            scalars: ["elapsed": 12.345678901234567, "loss": 0.1, "tiny": Double.leastNonzeroMagnitude, "nan": .nan, "inf": -.infinity],
            strings: ["blas": "Haswell", "note": "ünïcode/✓"])
    }

    /// Equality that treats NaN scalars as equal (they cannot be `==`).
    static func same(_ a: Checkpoint, _ b: Checkpoint) -> Bool {
        var a = a, b = b
        guard a.scalars.keys.sorted() == b.scalars.keys.sorted(),
              a.scalars.keys.allSatisfy({ a.scalars[$0]!.bitPattern == b.scalars[$0]!.bitPattern || (a.scalars[$0]!.isNaN && b.scalars[$0]!.isNaN) })
        else { return false }
        a.scalars = [:]
        b.scalars = [:]
        return a == b && zip(a.tensors, b.tensors).allSatisfy { $0.isBitwiseEqual(to: $1) }
    }

    static func encoded() throws -> [UInt8] {
        try CheckpointFile.encode(sample(), path: "c")
    }

    static func problem(decoding bytes: [UInt8]) -> FileFormatError.Problem? {
        do {
            _ = try CheckpointFile.decode(bytes, path: "run/ckpt.sscl")
            return nil
        } catch let e as FileFormatError {
            #expect(e.path == "run/ckpt.sscl")
            #expect(e.description.hasPrefix("run/ckpt.sscl: "))
            return e.problem
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func roundTripThroughAFileIsExact() throws {
        let dir = try AtomicFileTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ckpt.sscl")
        let original = Self.sample()
        try original.write(to: url)
        let back = try Checkpoint.read(from: url)
        #expect(Self.same(original, back))
        #expect(back.rngStates["data"] == [UInt64.max, UInt64.max - 1, 1 << 63 + 12345, 0])
        #expect(back.scalars["elapsed"] == 12.345678901234567)
        #expect(back.scalars["tiny"] == Double.leastNonzeroMagnitude)
        #expect(back.scalars["nan"]!.isNaN)
        #expect(back[tensor: "buffer/bn.running_mean"]?.values[2] == .greatestFiniteMagnitude)
        #expect(try AtomicFileTests.contents(of: dir) == ["ckpt.sscl"])
    }

    @Test func overwritingReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = try AtomicFileTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ckpt.sscl")
        var c = Self.sample()
        try c.write(to: url)
        c.globalStep += 1
        c.tensors[0].values[0] = 42
        try c.write(to: url)
        let back = try Checkpoint.read(from: url)
        #expect(back.globalStep == 1235 && back.tensors[0].values[0] == 42)
        #expect(try AtomicFileTests.contents(of: dir) == ["ckpt.sscl"])
    }

    @Test func layoutPrefixAndAlignment() throws {
        let bytes = try Self.encoded()
        #expect(Array(bytes[0..<8]) == Array("SSCLCKPT".utf8))
        #expect(Array(bytes[8..<12]) == [1, 0, 0, 0])
        let h = Int(bytes.littleEndianUInt64(at: 12))
        #expect((20 + h) % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + h)])) as? [String: Any])
        #expect(header["global_step"] as? Int == 1234)
        #expect((header["rng"] as? [String: [String]])?["data"]?[0] == "18446744073709551615")
        // 12 + 3 + 12 + 0 floats of data, then the 4-byte CRC of everything before it.
        #expect(bytes.count == 20 + h + 4 * 27 + 4)
        #expect(bytes.littleEndianUInt32(at: bytes.count - 4) == CheckpointFile.crc32(of: bytes, count: bytes.count - 4))
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        // CRC-32/ISO-HDLC check value of "123456789".
        #expect(CheckpointFile.crc32(of: Array("123456789".utf8), count: 9) == 0xCBF4_3926)
    }

    @Test func truncatedFilesAreReportedAsTruncated() throws {
        let bytes = try Self.encoded()
        let h = Int(bytes.littleEndianUInt64(at: 12))
        for cut in [0, 4, 8, 15, 20, 20 + h / 2, 20 + h, 20 + h + 50, bytes.count - 4, bytes.count - 1] {
            let problem = Self.problem(decoding: Array(bytes.prefix(cut)))
            guard case .truncated = problem else { Issue.record("cut at \(cut): \(String(describing: problem))"); continue }
        }
        #expect(Self.problem(decoding: Array(bytes.prefix(20 + h + 50)))
            == .truncated(expectedBytes: bytes.count, actualBytes: 20 + h + 50))
    }

    @Test func flippedBytesAreChecksumErrors() throws {
        let bytes = try Self.encoded()
        let h = Int(bytes.littleEndianUInt64(at: 12))
        for position in [20 + h + 5, 20 + h + 100, bytes.count - 2, 25] {
            var corrupt = bytes
            corrupt[position] ^= 0x10
            let problem = Self.problem(decoding: corrupt)
            guard case .checksumMismatch = problem else { Issue.record("flip at \(position): \(String(describing: problem))"); continue }
        }
        #expect(Self.problem(decoding: bytes + [0]) != nil)
    }

    @Test func wrongMagicAndFutureVersionsAreNamed() throws {
        let bytes = try Self.encoded()
        var wrong = bytes
        wrong[0] = UInt8(ascii: "X")
        #expect(Self.problem(decoding: wrong) == .badMagic)
        #expect(Self.problem(decoding: Array("PK\u{3}\u{4}".utf8)) == .badMagic)
        var future = bytes
        future[8] = 2
        #expect(Self.problem(decoding: future) == .unsupportedVersion(found: 2, supported: 1))
        let message = FileFormatError(path: "a.sscl", problem: .unsupportedVersion(found: 2, supported: 1)).description
        #expect(message.contains("unsupported version 2"))
    }

    // MARK: Issue 8, point 13: corrupt lengths are errors, never traps

    /// `bytes` with the header length field set to `length` and the checksum made valid again.
    static func withHeaderLength(_ length: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        var out = Array(bytes[0..<12])
        out.appendLittleEndian(length)
        out += bytes[20..<(bytes.count - 4)]
        out.appendLittleEndian(CheckpointFile.crc32(of: out, count: out.count))
        return out
    }

    /// `bytes` with its header JSON edited by `edit` (then padded, measured and checksummed again).
    static func withHeader(_ bytes: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        let h = Int(bytes.littleEndianUInt64(at: 12))
        var header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + h)])) as? [String: Any])
        edit(&header)
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header))
        json += repeatElement(UInt8(ascii: " "), count: (8 - (20 + json.count) % 8) % 8)
        var out = Array(bytes[0..<12])
        out.appendLittleEndian(UInt64(json.count))
        out += json
        out += bytes[(20 + h)..<(bytes.count - 4)]
        out.appendLittleEndian(CheckpointFile.crc32(of: out, count: out.count))
        return out
    }

    /// A header length of 2^63 trapped the worker (`20 + Int(length) + 4` overflowed), so a
    /// corrupt checkpoint killed it instead of failing the job with checkpoint_mismatch.
    @Test(arguments: [UInt64(1) << 63, UInt64.max, UInt64(Int.max), UInt64(Int.max - 10), UInt64(Int.max - 23)])
    func hugeHeaderLengthIsAnError(length: UInt64) throws {
        let bytes = try Self.encoded()
        let problem = Self.problem(decoding: Self.withHeaderLength(length, bytes))
        guard case let .truncated(expected, actual)? = problem else { Issue.record("\(String(describing: problem))"); return }
        #expect(expected == Int.max && actual == bytes.count)
    }

    /// Lengths just past the end of the file, or leaving no room for the checksum.
    @Test func headerLengthPastTheFileIsAnError() throws {
        let bytes = try Self.encoded()
        for length in [bytes.count - 20 + 1, bytes.count - 20, bytes.count - 20 - 3, bytes.count] {
            let problem = Self.problem(decoding: Self.withHeaderLength(UInt64(length), bytes))
            guard case .truncated? = problem else { Issue.record("length \(length): \(String(describing: problem))"); continue }
        }
        // Shorter than the real header: its JSON is cut, which is malformed (checksum intact).
        let short = Self.problem(decoding: Self.withHeaderLength(16, bytes))
        guard case .malformed? = short else { Issue.record("\(String(describing: short))"); return }
    }

    /// Offsets and shapes from the header take part in sums and products only after a
    /// check: each of these trapped or indexed out of range before.
    @Test(arguments: [
        ("data_offsets", "[0, \(Int.max)]"), ("data_offsets", "[0, \(1 << 62)]"), ("data_offsets", "[0, -8]"),
        ("data_offsets", "[]"), ("data_offsets", "[0]"), ("shape", "[\(1 << 32), \(1 << 32)]"), ("shape", "[\(1 << 62)]"),
        ("shape", "[-4, -3]"), ("shape", "[\(Int.max), 2]"),
    ])
    func corruptTensorEntryIsMalformed(key: String, json: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        for index in [0, 3] {  // the first tensor, and the last one (whose end sizes the file)
            let bytes = try Self.withHeader(try Self.encoded()) { header in
                var tensors = header["tensors"] as! [[String: Any]]
                tensors[index][key] = value
                header["tensors"] = tensors
            }
            let problem = Self.problem(decoding: bytes)
            guard case .malformed? = problem else { Issue.record("\(key) \(value) at \(index): \(String(describing: problem))"); continue }
        }
    }

    /// A truncated file whose header claims a last tensor ending near Int.max.
    @Test func truncatedFileWithAHugeLastOffsetIsAnError() throws {
        let bytes = try Self.withHeader(try Self.encoded()) { header in
            var tensors = header["tensors"] as! [[String: Any]]
            tensors[3]["data_offsets"] = [0, Int.max - 8]
            header["tensors"] = tensors
        }
        let h = Int(bytes.littleEndianUInt64(at: 12))
        for cut in [20 + h + 2, 20 + h + 40] {
            #expect(Self.problem(decoding: Array(bytes.prefix(cut))) != nil)
        }
    }

    /// The trainer indexes the train split with the epoch order and slices it by step.
    @Test func epochOrderAndStepsAreChecked() throws {
        let edits: [(inout [String: Any]) -> Void] = [
            { $0["epoch_order"] = [0, 1, 5] }, { $0["epoch_order"] = [0, 0, 1] }, { $0["epoch_order"] = [-1, 0, 1] },
            { $0["step_in_epoch"] = -1 }, { $0["epoch"] = -2 }, { $0["global_step"] = Int.min },
        ]
        for (i, edit) in edits.enumerated() {
            let problem = Self.problem(decoding: try Self.withHeader(try Self.encoded(), edit))
            guard case .malformed? = problem else { Issue.record("edit \(i): \(String(describing: problem))"); continue }
        }
        let fine = try Self.withHeader(try Self.encoded()) { $0["epoch_order"] = [2, 0, 1] }
        #expect(try CheckpointFile.decode(fine, path: "c").epochOrder == [2, 0, 1])
    }

    @Test func duplicateTensorNamesAreRefused() {
        var c = Self.sample()
        c.tensors.append(c.tensors[0])
        #expect(throws: FileFormatError.self) { try CheckpointFile.encode(c, path: "c") }
    }

    @Test func readingAMissingFileIsAnIOError() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString).sscl")
        #expect(throws: FileFormatError.self) { try Checkpoint.read(from: url) }
    }
}
