/// How a worker process ended, as `waitpid` reported it.
public enum WorkerExit: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status: 0 finished, 3 stopped on request, 1 failed (it said why).
    case exited(Int32)
    /// A signal ended it (9 after `kill()` or the kernel's out-of-memory killer, 11 for a crash...).
    case signalled(Int32)

    /// The worker finished its job and wrote its result.
    public static let successCode: Int32 = 0
    /// The worker failed and sent an `error` message first.
    public static let failureCode: Int32 = 1
    /// The worker checkpointed and stopped as asked.
    public static let stoppedCode: Int32 = 3

    /// Decodes a `waitpid` status.
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(signal)
        }
    }

    /// `exited with status 1`, `killed by signal 9 (SIGKILL)`: said in job errors.
    public var description: String {
        switch self {
        case let .exited(code): "exited with status \(code)"
        case let .signalled(signal):
            "killed by signal \(signal)" + (Self.signalNames[signal].map { " (\($0))" } ?? "")
        }
    }

    private static let signalNames: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
        8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
        14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
    ]
}
