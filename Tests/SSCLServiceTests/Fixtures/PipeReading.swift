import Foundation

/// Reads a child's pipe with read(2), retrying on EINTR: Foundation's `availableData` and
/// `readDataToEndOfFile` trap when a signal (SIGCHLD from a child that stops or continues)
/// interrupts the read.
enum PipeReading {
    /// The next bytes of `fd`; empty at end of file (or on an error other than EINTR).
    static func chunk(_ fd: Int32) -> Data {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return Data(buffer[0..<n]) }
            if errno != EINTR { return Data() }
        }
    }
}
