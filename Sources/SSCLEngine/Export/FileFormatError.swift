/// Why reading or writing a checkpoint or safetensors file failed, naming the file, so a
/// log line such as "checkpoint.sscl: checksum mismatch" says everything needed.
public struct FileFormatError: Error, Equatable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// The first bytes are not the format's magic.
        case badMagic
        /// Written by a newer (or unknown) version of the format.
        case unsupportedVersion(found: UInt32, supported: UInt32)
        /// Shorter than its own header says it must be.
        case truncated(expectedBytes: Int, actualBytes: Int)
        /// The trailing CRC32 does not match the bytes before it.
        case checksumMismatch(stored: UInt32, computed: UInt32)
        /// The header or tensor table is inconsistent (a JSON error, offsets out of range, ...).
        case malformed(String)
        /// What the caller asked to write cannot be represented (duplicate names, ...).
        case invalidContent(String)
        /// The operating system refused (open, write, fsync, rename).
        case io(String)
    }

    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .badMagic:
            return "\(path): bad magic (not a file of the expected format)"
        case let .unsupportedVersion(found, supported):
            return "\(path): unsupported version \(found) (this build reads version \(supported))"
        case let .truncated(expected, actual):
            return "\(path): truncated (\(actual) bytes, at least \(expected) expected)"
        case let .checksumMismatch(stored, computed):
            return "\(path): checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
        case let .malformed(what):
            return "\(path): malformed: \(what)"
        case let .invalidContent(what):
            return "\(path): cannot write: \(what)"
        case let .io(what):
            return "\(path): \(what)"
        }
    }

    private func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
