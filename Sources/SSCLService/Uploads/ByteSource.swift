#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A forward-only stream of bytes, read in bounded chunks (a tar archive, plain or gzipped).
protocol ByteSource: AnyObject {
    /// Up to `count` bytes; fewer only at the end, none after it.
    func read(_ count: Int) throws -> [UInt8]
}

/// A file read with `read(2)`.
final class FileByteSource: ByteSource {
    private let descriptor: Int32

    init(_ url: URL) throws {
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw APIError(status: 500, code: "upload_unreadable", message: "the uploaded file could not be opened")
        }
    }

    deinit { close(descriptor) }

    func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress! + filled, count - filled) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw APIError(status: 500, code: "upload_unreadable", message: "reading the uploaded file failed")
            }
            if n == 0 { break }
            filled += n
        }
        buffer.removeSubrange(filled...)
        return buffer
    }
}

/// `read(2)` and `write(2)` under names no method named `read` or `write` shadows.
func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
