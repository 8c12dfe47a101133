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

    /// Every length read from the file is compared with the file's size before it takes part
    /// in any arithmetic, and products are checked: a corrupt length (2^63, a shape whose
    /// product overflows) is a `FileFormatError`, never a trap.
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
            throw fail(.truncated(expectedBytes: saturatingSum(prefixBytes, Int(clamping: declared), 4),
                                  actualBytes: bytes.count))
        }
        let headerLength = Int(declared)  // <= bytes.count - prefixBytes
        let dataStart = prefixBytes + headerLength  // <= bytes.count
        let parsed = try? parseHeader(bytes, headerLength: headerLength)
        // What the header says the whole file takes, when it says anything sensible.
        let expectedSize = parsed.flatMap(\.tensors.last).flatMap { entry in
            entry.dataOffsets.count == 2 && entry.dataOffsets[1] >= 0
                ? saturatingSum(dataStart, entry.dataOffsets[1], 4) : nil
        } ?? dataStart + 4

        guard bytes.count >= dataStart + 4 else {
            throw fail(.truncated(expectedBytes: expectedSize, actualBytes: bytes.count))
        }
        let stored = bytes.littleEndianUInt32(at: bytes.count - 4)
        let computed = crc32(of: bytes, count: bytes.count - 4)
        guard stored == computed else {
            if parsed != nil, bytes.count < expectedSize {
                throw fail(.truncated(expectedBytes: expectedSize, actualBytes: bytes.count))
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
        let dataLength = bytes.count - 4 - dataStart  // >= 0, checked above
        var tensors: [NamedTensor] = []
        tensors.reserveCapacity(header.tensors.count)
        var expected = 0
        for entry in header.tensors {
            guard entry.dtype == "F32" else { throw fail(.malformed("tensor \"\(entry.name)\" has dtype \(entry.dtype)")) }
            guard entry.dataOffsets.count == 2, entry.dataOffsets[0] == expected, entry.dataOffsets[1] >= expected,
                  let elements = elementCount(entry.shape), elements <= (Int.max / 4),
                  entry.dataOffsets[1] - expected == 4 * elements
            else { throw fail(.malformed("tensor \"\(entry.name)\": inconsistent shape or offsets")) }
            guard entry.dataOffsets[1] <= dataLength else {
                throw fail(.malformed("tensor \"\(entry.name)\" extends past the data"))
            }
            expected = entry.dataOffsets[1]
            tensors.append(NamedTensor(name: entry.name, shape: entry.shape,
                                       values: bytes.littleEndianFloats(at: dataStart + entry.dataOffsets[0], count: elements)))
        }
        guard expected == dataLength else {
            throw fail(.malformed("\(dataLength - expected) bytes after the last tensor"))
        }
        guard header.epoch >= 0, header.stepInEpoch >= 0, header.globalStep >= 0 else {
            throw fail(.malformed("negative epoch or step"))
        }
        guard isPermutation(header.epochOrder) else {
            throw fail(.malformed("epoch_order is not a permutation of 0..<\(header.epochOrder.count)"))
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

    /// The product of `shape`; nil for a negative dimension or an overflow.
    static func elementCount(_ shape: [Int]) -> Int? {
        var product = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            product = p
        }
        return product
    }

    /// `parts` added up, Int.max when that overflows (for "at least this many bytes" messages).
    private static func saturatingSum(_ parts: Int...) -> Int {
        var total = 0
        for p in parts {
            let (s, overflow) = total.addingReportingOverflow(p)
            if overflow { return Int.max }
            total = s
        }
        return total
    }

    /// Whether `order` holds each of 0..<count once (an empty order is one too): the trainer
    /// indexes the train split with it.
    private static func isPermutation(_ order: [Int]) -> Bool {
        var seen = [Bool](repeating: false, count: order.count)
        for i in order {
            guard i >= 0, i < order.count, !seen[i] else { return false }
            seen[i] = true
        }
        return true
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
