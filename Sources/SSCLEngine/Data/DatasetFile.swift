import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole dataset file such that what is read is what was checked: the file is opened
/// first, then the opened descriptor is compared (device and inode) with the file at the
/// path's real path, and that real path must lie inside the `DataDirectory`. A symlink swapped
/// in after the job was accepted is refused, and so is a swap between the open and the check.
enum DatasetFile {
    static func read(_ url: URL, within directory: DataDirectory?) throws -> [UInt8] {
        let path = url.path
        // O_NONBLOCK: opening a FIFO must not hang the worker; it is refused below as not a file.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw DatasetError(file: path, "file not found or unreadable") }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else { throw DatasetError(file: path, "file not found or unreadable") }
        if let directory {
            var atPath = stat()
            guard let real = DataDirectory.realPath(path), stat(real, &atPath) == 0,
                  atPath.st_dev == opened.st_dev, atPath.st_ino == opened.st_ino
            else { throw DatasetError(file: path, "the file changed while it was being opened") }
            try directory.requireInside(realPath: real, shownAs: path)
        }
        guard (opened.st_mode & S_IFMT) == S_IFREG else { throw DatasetError(file: path, "not a regular file") }
        return try readAll(fd, path: path, sizeHint: Int(opened.st_size))
    }

    private static func readAll(_ fd: Int32, path: String, sizeHint: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(sizeHint, 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw DatasetError(file: path, "read failed: \(String(cString: strerror(errno)))")
            }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

/// `read(2)`, named apart from `DatasetFile.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
