import SSCLZlib
import Foundation

/// The checkpoint's byte layout, version 1. Integers are little-endian.
///
///     offset 0        8 bytes  magic "SSCLCKPT"
///     offset 8        u32      format version (1)
///     offset 12       u64      H, the header length in bytes
///     offset 20       H bytes  header: UTF-8 JSON, padded with spaces so 20 + H is a multiple of 8
///     offset 20+H     D bytes  tensor data: float32 values back to back, in tensor-table order
///     offset 20+H+D   u32      CRC-32 (zlib, IEEE 802.3 polynomial) of bytes 0 ..< 20+H+D
///
/// The header JSON object has the keys
///
///     "job"            string    the job spec JSON, verbatim
///     "epoch", "step_in_epoch", "global_step"   integers
///     "epoch_order"    [int]     the current epoch's row permutation
///     "rng"            {name: [string]}  generator state words as decimal strings (u64 does not fit a JSON double)
///     "scalars"        {name: string}    doubles as Swift prints them ("0.1", "1e-05", "nan", "inf"), exact on reading
///     "strings"        {name: string}
///     "tensors"        [{"name": string, "dtype": "F32", "shape": [int], "data_offsets": [begin, end]}]
///
/// `data_offsets` count bytes from the start of the data and are contiguous from 0 in table order.
/// Reading checks, in order: the magic, the version (so a newer file is refused by name, not as
/// garbage), the checksum (a truncated file is reported as truncated when its intact header says
/// it should be longer), then the header's consistency.
enum CheckpointFile {
    static let magic = Array("SSCLCKPT".utf8)
    /// magic + version + header length.
    static let prefixBytes = 20

    private struct Header: Codable {
        var job: String
        var epoch: Int
        var stepInEpoch: Int
        var globalStep: Int
        var epochOrder: [Int]
        var rng: [String: [String]]
        var scalars: [String: String]
        var strings: [String: String]
        var tensors: [TensorEntry]

        enum CodingKeys: String, CodingKey {
            case job, epoch, rng, scalars, strings, tensors
            case stepInEpoch = "step_in_epoch"
            case globalStep = "global_step"
            case epochOrder = "epoch_order"
        }
    }

    private struct TensorEntry: Codable {
        var name: String
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case name, dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    static func encode(_ checkpoint: Checkpoint, path: String) throws -> [UInt8] {
        var seen = Set<String>()
        var entries: [TensorEntry] = []
        var offset = 0
        for t in checkpoint.tensors {
            guard seen.insert(t.name).inserted else {
                throw FileFormatError(path: path, problem: .invalidContent("duplicate tensor name \"\(t.name)\""))
            }
            entries.append(TensorEntry(name: t.name, dtype: "F32", shape: t.shape, dataOffsets: [offset, offset + 4 * t.values.count]))
            offset += 4 * t.values.count
        }
        let header = Header(
            job: checkpoint.jobJSON, epoch: checkpoint.epoch, stepInEpoch: checkpoint.stepInEpoch,
            globalStep: checkpoint.globalStep, epochOrder: checkpoint.epochOrder,
            rng: checkpoint.rngStates.mapValues { $0.map { String($0) } },
            scalars: checkpoint.scalars.mapValues { "\($0)" },
            strings: checkpoint.strings, tensors: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var json = [UInt8](try encoder.encode(header))
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - (prefixBytes + json.count) % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefixBytes + json.count + offset + 4)
        bytes.append(contentsOf: magic)
        bytes.appendLittleEndian(Checkpoint.formatVersion)
        bytes.appendLittleEndian(UInt64(json.count))
        bytes.append(contentsOf: json)
        for t in checkpoint.tensors { bytes.appendLittleEndian(t.values) }
        bytes.appendLittleEndian(crc32(of: bytes, count: bytes.count))
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        func fail(_ problem: FileFormatError.Problem) -> FileFormatError {
            FileFormatError(path: path, problem: problem)
        }
        let magicSeen = Array(bytes.prefix(magic.count))
        guard magicSeen == Array(magic.prefix(magicSeen.count)) else { throw fail(.badMagic) }
        guard bytes.count >= prefixBytes else {
            throw fail(.truncated(expectedBytes: prefixBytes + 4, actualBytes: bytes.count))
        }
        let version = bytes.littleEndianUInt32(at: 8)
        guard version == Checkpoint.formatVersion else {
            throw fail(.unsupportedVersion(found: version, supported: Checkpoint.formatVersion))
        }
        let declared = bytes.littleEndianUInt64(at: 12)
        guard declared <= UInt64(bytes.count - prefixBytes) else {
            throw fail(.truncated(expectedBytes: prefixBytes + Int(clamping: declared) + 4, actualBytes: bytes.count))
        }
        let headerLength = Int(declared)
        let dataStart = prefixBytes + headerLength
        let parsed = try? parseHeader(bytes, headerLength: headerLength)
        let dataLength = parsed?.tensors.last?.dataOffsets[1] ?? 0

        guard bytes.count >= prefixBytes + headerLength + 4 else {
            throw fail(.truncated(expectedBytes: dataStart + dataLength + 4, actualBytes: bytes.count))
        }
        let stored = bytes.littleEndianUInt32(at: bytes.count - 4)
        let computed = crc32(of: bytes, count: bytes.count - 4)
        guard stored == computed else {
            if parsed != nil, bytes.count < dataStart + dataLength + 4 {
                throw fail(.truncated(expectedBytes: dataStart + dataLength + 4, actualBytes: bytes.count))
            }
            throw fail(.checksumMismatch(stored: stored, computed: computed))
        }

        let header: Header
        if let parsed {
            header = parsed
        } else {
            do {
                header = try parseHeader(bytes, headerLength: headerLength)
            } catch {
                throw fail(.malformed("header: \(error)"))
            }
        }
        var tensors: [NamedTensor] = []
        tensors.reserveCapacity(header.tensors.count)
        var expected = 0
        for entry in header.tensors {
            guard entry.dtype == "F32" else { throw fail(.malformed("tensor \"\(entry.name)\" has dtype \(entry.dtype)")) }
            guard entry.dataOffsets.count == 2, entry.dataOffsets[0] == expected,
                  entry.shape.allSatisfy({ $0 >= 0 }),
                  entry.dataOffsets[1] - entry.dataOffsets[0] == 4 * entry.shape.reduce(1, *)
            else { throw fail(.malformed("tensor \"\(entry.name)\": inconsistent shape or offsets")) }
            expected = entry.dataOffsets[1]
            guard dataStart + expected <= bytes.count - 4 else {
                throw fail(.malformed("tensor \"\(entry.name)\" extends past the data"))
            }
            tensors.append(NamedTensor(name: entry.name, shape: entry.shape,
                                       values: bytes.littleEndianFloats(at: dataStart + entry.dataOffsets[0], count: entry.shape.reduce(1, *))))
        }
        guard dataStart + expected == bytes.count - 4 else {
            throw fail(.malformed("\(bytes.count - 4 - dataStart - expected) bytes after the last tensor"))
        }

        var rngStates: [String: [UInt64]] = [:]
        for (name, words) in header.rng {
            let values = words.compactMap { UInt64($0) }
            guard values.count == words.count else { throw fail(.malformed("rng \"\(name)\" holds a word that is not a u64")) }
            rngStates[name] = values
        }
        var scalars: [String: Double] = [:]
        for (name, text) in header.scalars {
            guard let v = Double(text) else { throw fail(.malformed("scalar \"\(name)\" is not a number: \(text)")) }
            scalars[name] = v
        }
        return Checkpoint(
            jobJSON: header.job, epoch: header.epoch, stepInEpoch: header.stepInEpoch,
            globalStep: header.globalStep, epochOrder: header.epochOrder, rngStates: rngStates,
            tensors: tensors, scalars: scalars, strings: header.strings)
    }

    private static func parseHeader(_ bytes: [UInt8], headerLength: Int) throws -> Header {
        try JSONDecoder().decode(Header.self, from: Data(bytes[prefixBytes..<(prefixBytes + headerLength)]))
    }

    /// CRC-32 of the first `count` bytes through zlib, fed in chunks that fit its 32-bit length.
    static func crc32(of bytes: [UInt8], count: Int) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = SSCLZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < count {
                let chunk = min(count - offset, 1 << 30)
                crc = SSCLZlib.crc32(crc, buffer.baseAddress! + offset, uInt(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
