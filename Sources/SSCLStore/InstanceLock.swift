import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on a lock file, held while this object lives: one server per
/// database and per runs folder. Two servers on the same files would both "recover" the same
/// running job and train it in the same folder at once.
///
/// The kernel drops the lock when the process ends, however it ends (kill -9 included), so a
/// stale lock file never blocks a restart. The holder writes its pid into the file, so the
/// refusal can name it. The descriptor is close-on-exec: workers do not inherit the lock.
public final class InstanceLock: Sendable {
    /// The lock file.
    public let path: String
    private let fd: Int32

    public struct HeldError: Error, Equatable, CustomStringConvertible {
        /// The lock file.
        public var path: String
        /// What the lock guards, e.g. `the database /srv/sscl.db`.
        public var guarding: String
        /// The holder's pid as it wrote it, when readable.
        public var holderPID: Int32?

        public var description: String {
            let holder = holderPID.map { "another sscl server (pid \($0))" } ?? "another sscl server"
            return "\(holder) is already using \(guarding) (lock file \(path)); stop it first, or give this server its own database and runs folder"
        }
    }

    public struct OpenError: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String { "cannot open the lock file \(path): \(String(cString: strerror(errno)))" }
    }

    /// Takes the lock at once or throws `HeldError` (never waits). `guarding` names what the
    /// lock protects, for the error message.
    public init(path: String, guarding: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenError(path: path, errno: errno) }
        var locked: Int32
        repeat { locked = flock(fd, LOCK_EX | LOCK_NB) } while locked != 0 && errno == EINTR
        guard locked == 0 else {
            let holder = Self.readPID(fd)
            close(fd)
            throw HeldError(path: path, guarding: guarding, holderPID: holder)
        }
        self.path = path
        self.fd = fd
        recordHolder(getpid())
    }

    deinit { close(fd) }

    /// The locked descriptor (close-on-exec), for a child process that must keep the lock
    /// after this one ends: a child given a duplicate holds the same lock.
    public var fileDescriptor: Int32 { fd }

    /// Writes `pid` as the holder, for a lock handed to a child process.
    public func recordHolder(_ pid: Int32) {
        let text = Array("\(pid)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The pid written into the lock file at `path`, if any.
    public static func holder(at path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPID(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
