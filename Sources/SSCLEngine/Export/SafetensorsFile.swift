import Foundation

/// The Hugging Face safetensors format (https://huggingface.co/docs/safetensors), so a trained
/// encoder loads with `safetensors.torch.load_file` / `safetensors.numpy.load_file`:
///
///     bytes 0..<8       N, the header length, u64 little-endian
///     bytes 8..<8+N     UTF-8 JSON object, padded with spaces so N is a multiple of 8:
///                       {"__metadata__": {string: string},          (omitted when empty)
///                        "<name>": {"dtype": "F32", "shape": [d0, d1, ...],
///                                   "data_offsets": [begin, end]}, ...}
///     bytes 8+N...      the tensors' raw little-endian values, back to back
///
/// `data_offsets` are relative to the start of the data; the ranges are contiguous, start at 0
/// and end at the end of the file (the reference loader rejects gaps). Tensors are stored in the
/// order given, and the header lists them in that order too. Only F32 is written or read.
public enum SafetensorsFile {
    /// What a file holds: the tensors in data order and the string metadata.
    public struct Contents: Sendable, Equatable {
        public var tensors: [NamedTensor]
        public var metadata: [String: String]

        public init(tensors: [NamedTensor], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
        }

        public subscript(name: String) -> NamedTensor? {
            tensors.first { $0.name == name }
        }
    }

    /// The reference implementation refuses headers above 100 MB; so do we.
    static let maxHeaderBytes = 100_000_000

    /// Writes atomically (see `AtomicFile`). Names must be unique and not `__metadata__`.
    public static func write(tensors: [NamedTensor], metadata: [String: String] = [:], to url: URL) throws {
        let bytes = try encode(tensors: tensors, metadata: metadata, path: url.path)
        try AtomicFile.write(bytes, to: url)
    }

    public static func read(from url: URL) throws -> Contents {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw FileFormatError(path: url.path, problem: .io("cannot read: \(error.localizedDescription)"))
        }
        return try decode(bytes, path: url.path)
    }

    static func encode(tensors: [NamedTensor], metadata: [String: String], path: String) throws -> [UInt8] {
        var seen = Set<String>()
        for t in tensors {
            guard t.name != "__metadata__", !t.name.isEmpty else {
                throw FileFormatError(path: path, problem: .invalidContent("tensor name \"\(t.name)\" is reserved"))
            }
            guard seen.insert(t.name).inserted else {
                throw FileFormatError(path: path, problem: .invalidContent("duplicate tensor name \"\(t.name)\""))
            }
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let end = offset + 4 * t.values.count
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        bytes.appendLittleEndian(UInt64(header.count))
        bytes.append(contentsOf: header)
        for t in tensors { bytes.appendLittleEndian(t.values) }
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> Contents {
        func malformed(_ what: String) -> FileFormatError {
            FileFormatError(path: path, problem: .malformed(what))
        }
        guard bytes.count >= 8 else {
            throw FileFormatError(path: path, problem: .truncated(expectedBytes: 8, actualBytes: bytes.count))
        }
        let declared = bytes.littleEndianUInt64(at: 0)
        guard declared <= UInt64(maxHeaderBytes) else { throw malformed("header length \(declared) is too large") }
        let headerLength = Int(declared)
        guard bytes.count >= 8 + headerLength else {
            throw FileFormatError(path: path, problem: .truncated(expectedBytes: 8 + headerLength, actualBytes: bytes.count))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]))
        } catch {
            throw malformed("header is not JSON")
        }
        guard let header = object as? [String: Any] else { throw malformed("header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let dict = raw as? [String: Any] else { throw malformed("__metadata__ is not an object") }
            for (key, value) in dict {
                guard let s = value as? String else { throw malformed("__metadata__ value for \"\(key)\" is not a string") }
                metadata[key] = s
            }
        }

        var located: [(begin: Int, end: Int, name: String, shape: [Int])] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let entry = raw as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = integers(entry["shape"]),
                  let offsets = integers(entry["data_offsets"]), offsets.count == 2
            else { throw malformed("tensor \"\(name)\" lacks dtype, shape or data_offsets") }
            guard dtype == "F32" else { throw malformed("tensor \"\(name)\" has dtype \(dtype); only F32 is supported") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0] else {
                throw malformed("tensor \"\(name)\" has a negative dimension or offset")
            }
            // Checked: a shape whose byte size overflows is malformed, not a trap.
            guard let elements = CheckpointFile.elementCount(shape), elements <= Int.max / 4,
                  offsets[1] - offsets[0] == 4 * elements else {
                throw malformed("tensor \"\(name)\": shape \(shape) does not match \(offsets[1] - offsets[0]) bytes")
            }
            located.append((offsets[0], offsets[1], name, shape))
        }
        located.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }

        let dataStart = 8 + headerLength
        var expected = 0
        for t in located {
            guard t.begin == expected else { throw malformed("tensor \"\(t.name)\" starts at \(t.begin), not \(expected): offsets are not contiguous") }
            expected = t.end
        }
        // `expected` comes from the header: compared with what the file holds before any sum.
        guard expected <= bytes.count - dataStart else {
            let needed = expected > Int.max - dataStart ? Int.max : dataStart + expected
            throw FileFormatError(path: path, problem: .truncated(expectedBytes: needed, actualBytes: bytes.count))
        }
        guard bytes.count == dataStart + expected else {
            throw malformed("\(bytes.count - dataStart - expected) bytes after the last tensor")
        }
        let tensors = located.map { t in
            NamedTensor(name: t.name, shape: t.shape,
                        values: bytes.littleEndianFloats(at: dataStart + t.begin, count: (t.end - t.begin) / 4))
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// A JSON array of integers (JSONSerialization hands back NSNumbers); nil if anything else.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let n = element as? NSNumber, let i = Int(exactly: n.doubleValue) else { return nil }
            out.append(i)
        }
        return out
    }

    /// `s` as a JSON string literal, escaped by the engine's one JSON writer.
    static func jsonString(_ s: String) -> String {
        JSONValue.string(s).jsonText()
    }
}
