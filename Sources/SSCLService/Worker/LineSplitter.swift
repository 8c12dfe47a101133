import Foundation

/// Cuts a byte stream read in arbitrary chunks into lines (`\n`, a trailing `\r` dropped).
/// A line longer than `maxLineBytes` is cut there, so a worker that never writes a newline
/// cannot grow the supervisor's memory without bound.
struct LineSplitter {
    let maxLineBytes: Int
    private var pending: [UInt8] = []

    init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Appends `bytes` and returns the lines they complete, in order.
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(take())
            } else {
                pending.append(byte)
                if pending.count >= maxLineBytes { lines.append(take()) }
            }
        }
        return lines
    }

    /// The unterminated last line at end of stream, if any.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : take()
    }

    private mutating func take() -> String {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        defer { pending.removeAll(keepingCapacity: true) }
        return String(decoding: pending, as: UTF8.self)
    }
}
