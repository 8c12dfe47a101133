#if canImport(Glibc)
import Glibc
#endif

/// The worker process could not be started (no such executable, out of processes...).
public struct WorkerSpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failing call, e.g. `posix_spawn` or `pipe2`.
    public var operation: String
    public var errno: Int32

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(errno)))"
    }
}
