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

    /// Appends everything `pipe` carries to `output` on a thread of its own, then closes
    /// `output` at end of file: a chatty child never blocks on a full pipe.
    static func drain(_ pipe: Pipe, into output: CollectedText) {
        let reader = pipe.fileHandleForReading
        Thread {
            while true {
                let chunk = chunk(reader.fileDescriptor)
                if chunk.isEmpty { break }
                output.append(String(decoding: chunk, as: UTF8.self))
            }
            output.close()
        }.start()
    }
}
