import Foundation
import Logging
import SSCLEngine
#if canImport(Glibc)
import Glibc
#endif

/// Supervises one `sscl worker` child process: a training job runs there so that a crash
/// (a trap, the out-of-memory killer) ends only that job, never the API. Knows nothing of
/// the database or HTTP: it turns the child's output into `TrainingEvent`s and its end
/// into a `WorkerExit`.
///
/// One dedicated thread per worker spawns the child, reads its stdout and stderr until
/// both close, then reaps it. Spawning from that thread matters: the worker's parent-death
/// signal fires when the *thread* that forked it ends, and this thread lives exactly as
/// long as the child.
public final class WorkerProcess: Sendable {
    public let pid: Int32
    private let life: WorkerLife

    /// Spawns `executable worker --job <jobFile> --dir <directory> [--resume] [--data-dir X]`.
    /// Stdout is read line by line: protocol messages are parsed, anything else arrives as
    /// `.log`; stderr lines arrive as `.log` too. Callbacks run on the reader thread, in
    /// order; `onExit` comes exactly once, after every line was delivered.
    /// - Throws: `WorkerSpawnError` when the process cannot be started (then no callback runs).
    ///
    /// `sharedLock`, a descriptor holding a `flock`, is handed to the child (as its fd 3): the
    /// lock then lasts as long as the worker does, even past a kill -9 of this server.
    public init(executable: URL, jobFile: URL, directory: URL, resume: Bool, dataDirectory: URL?,
                sharedLock: Int32? = nil, logger: Logger,
                onMessage: @escaping @Sendable (TrainingEvent) -> Void,
                onExit: @escaping @Sendable (WorkerExit) -> Void) throws {
        var arguments = [executable.path, "worker", "--job", jobFile.path, "--dir", directory.path]
        if resume { arguments.append("--resume") }
        if let dataDirectory { arguments += ["--data-dir", dataDirectory.path] }
        let life = WorkerLife()
        let command = arguments
        let thread = Thread {
            let spawned: Spawned
            do throws(WorkerSpawnError) {
                spawned = try Self.spawn(arguments: command, sharedDescriptor: sharedLock)
            } catch {
                life.launched(.failure(error))
                return
            }
            life.launched(.success(spawned.pid))
            Self.supervise(spawned, life: life, logger: logger, onMessage: onMessage, onExit: onExit)
        }
        thread.name = "sscl-worker"
        thread.start()
        pid = try life.waitForLaunch().get()
        self.life = life
        logger.debug("worker started", metadata: ["pid": "\(pid)", "job": "\(jobFile.path)", "resume": "\(resume)"])
    }

    /// True once the worker has ended (and been reaped).
    public var hasExited: Bool { life.hasExited }

    /// Asks the worker to checkpoint and stop after its current step (SIGTERM). A step that
    /// never ends keeps it alive: whoever asks also decides when to `kill()`.
    public func terminate() {
        life.send(SIGTERM, to: pid)
    }

    /// Ends the worker at once (SIGKILL): no checkpoint is written.
    public func kill() {
        life.send(SIGKILL, to: pid)
    }

    /// The reader thread's body: lines until both pipes close, then the exit status.
    private static func supervise(_ child: Spawned, life: WorkerLife, logger: Logger,
                                  onMessage: (TrainingEvent) -> Void, onExit: (WorkerExit) -> Void) {
        var fds = [pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)]
        var splitters = [LineSplitter(), LineSplitter()]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        func deliver(_ line: String, fromStdout: Bool) {
            guard !line.isEmpty else { return }
            onMessage((fromStdout ? try? TrainingEvent(jsonLine: line) : nil) ?? TrainingEvent(.log(line)))
        }
        while fds.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("worker pipes: poll failed", metadata: ["pid": "\(child.pid)", "errno": "\(errno)"])
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count > 0 {
                    for line in splitters[i].append(buffer[0..<count]) { deliver(line, fromStdout: i == 0) }
                } else {
                    if let last = splitters[i].finish() { deliver(last, fromStdout: i == 0) }
                    close(fds[i].fd)
                    fds[i].fd = -1
                }
            }
        }
        for i in fds.indices where fds[i].fd >= 0 { close(fds[i].fd) }
        let exit = life.reap(child.pid)
        logger.debug("worker ended", metadata: ["pid": "\(child.pid)", "exit": "\(exit)"])
        onExit(exit)
    }
}

/// The child's launch result and whether it has been reaped, shared by the reader thread
/// and callers of `stop`/`kill`: signals are only sent before the reap, so they can never
/// reach an unrelated process that reused the pid.
private final class WorkerLife: @unchecked Sendable {
    private let lock = NSLock()
    private let launch = DispatchSemaphore(value: 0)
    private var launchResult: Result<pid_t, WorkerSpawnError>?
    private var exited = false

    func launched(_ result: Result<pid_t, WorkerSpawnError>) {
        lock.withLock { launchResult = result }
        launch.signal()
    }

    func waitForLaunch() -> Result<pid_t, WorkerSpawnError> {
        launch.wait()
        return lock.withLock { launchResult! }
    }

    var hasExited: Bool { lock.withLock { exited } }

    func send(_ signal: Int32, to pid: pid_t) {
        lock.withLock {
            if !exited { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Waits for the child to end without reaping it, then reaps it under the lock.
    func reap(_ pid: pid_t) -> WorkerExit {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        return lock.withLock {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exited = true
            return WorkerExit(waitStatus: status)
        }
    }
}
