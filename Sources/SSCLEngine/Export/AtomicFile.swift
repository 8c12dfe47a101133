import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file so that a reader (or a crash) sees either the old file or the complete
/// new one, never a partial write: write a temporary file in the same directory, fsync it,
/// rename it over the target (atomic within one file system, POSIX rename(2)), then fsync
/// the directory so the rename itself is durable.
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically. On any failure the target is untouched and the
    /// temporary file is removed.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try write(bytes, to: url, beforeRename: { _ in })
    }

    /// `beforeRename` sees the complete, synced temporary file; tests use it to check the
    /// target is still the old file at that point and that a failure there leaves no trace.
    static func write(_ bytes: [UInt8], to url: URL, beforeRename: (URL) throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let template = directory + "/." + url.lastPathComponent + ".tmp-XXXXXX"
        var templateBytes = Array(template.utf8CString)
        let fd = templateBytes.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(directory)") }
        let tempPath = templateBytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer { if !renamed { unlink(tempPath) } }
        do {
            defer { close(fd) }
            try writeAll(bytes, to: fd, path: path)
            guard fsync(fd) == 0 else { throw failure(path, "fsync of the temporary file failed") }
        }
        guard setDefaultPermissions(tempPath) else { throw failure(path, "chmod of the temporary file failed") }
        try beforeRename(URL(fileURLWithPath: tempPath))
        guard rename(tempPath, path) == 0 else { throw failure(path, "rename from \(tempPath) failed") }
        renamed = true
        try syncDirectory(directory, path: path)
    }

    /// mkstemp creates the file 0600; give it the 0644 a plain create would usually get
    /// (reading umask would race with other threads, so the mode is fixed).
    private static func setDefaultPermissions(_ tempPath: String) -> Bool {
        chmod(tempPath, 0o644) == 0
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write failed after \(offset) of \(raw.count) bytes")
                }
                offset += n
            }
        }
    }

    private static func syncDirectory(_ directory: String, path: String) throws {
        let dfd = open(directory, O_RDONLY)
        guard dfd >= 0 else { throw failure(path, "cannot open directory \(directory) to fsync it") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw failure(path, "fsync of directory \(directory) failed") }
    }

    private static func failure(_ path: String, _ what: String) -> FileFormatError {
        let reason = String(cString: strerror(errno))
        return FileFormatError(path: path, problem: .io("\(what): \(reason)"))
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
