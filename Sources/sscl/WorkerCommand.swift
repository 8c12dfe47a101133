import ArgumentParser
import Foundation
import Logging
import SSCLEngine
#if canImport(Glibc)
import Glibc
#endif

/// `sscl worker --job FILE --dir DIR [--resume] [--data-dir DIR]`: runs one job for the
/// server (`WorkerProcess` spawns it), so that a crash ends only this process.
///
/// Stdout carries only the protocol: the `TrainingRun`'s events as they happen, one
/// `TrainingEvent` line each, the same lines it appends to `DIR/metrics.jsonl` (`started`,
/// the trainer's `step`, `eval`, `checkpoint` and `log`, then one of `result`, `stopped` or
/// `error`). Everything else goes to stderr. Exit status 0 finished, 3 stopped on request
/// (SIGTERM or SIGINT; checkpoint written), 1 failed.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one job for the server, streaming JSON lines on stdout (internal).",
        shouldDisplay: false
    )

    @Option(name: .long, help: ArgumentHelp("The job description.", valueName: "FILE.json"))
    var job: String

    @Option(name: .long, help: ArgumentHelp("Folder for checkpoint, metrics and outputs.", valueName: "DIR"))
    var dir: String

    @Flag(name: .long, help: "Continue from DIR/checkpoint.bin when it exists.")
    var resume = false

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Base of relative dataset paths.", valueName: "DIR"))
    var dataDir: String?

    func run() throws {
        Self.dieWithParent()
        let niceness = Self.yieldToTheServer()
        defer { niceness?.cancel() }
        let output = ProtocolOutput.takeStandardOutput()
        let stop = StopSignal()
        let signals = [SIGTERM, SIGINT].map { Self.onSignal($0) { stop.requestStop() } }
        defer { signals.forEach { $0.cancel() } }
        let logger = Logger(label: "sscl.worker", factory: { StreamLogHandler.standardError(label: $0) })
        let spec: JobSpec
        do {
            spec = try JobSpec.parse(json: try Data(contentsOf: URL(fileURLWithPath: job)))
        } catch {
            let failure = TrainingFailure(error, fallback: .invalidJob)
            printError("worker: \(failure)")
            output.send(line: TrainingEvent(.error(failure)).jsonLine())
            throw ExitCode(1)
        }
        let run = TrainingRun(
            spec: spec, directory: URL(fileURLWithPath: dir, isDirectory: true),
            dataDirectory: URL(fileURLWithPath: dataDir ?? FileManager.default.currentDirectoryPath, isDirectory: true),
            confined: dataDir != nil, resume: resume, logger: logger)
        do {
            switch try run.run(stop: stop, report: { _, line in output.send(line: line) }) {
            case .stopped: throw ExitCode(3)
            case .completed: return
            }
        } catch let failure as TrainingFailure {
            printError("worker: \(failure)")
            throw ExitCode(1)
        }
    }

    /// Asks the kernel for SIGTERM when the parent dies, so a crashed server leaves no
    /// orphan training (the worker then checkpoints and stops). A parent that died before
    /// this call is noticed through the pid `WorkerProcess` put in the environment.
    static func dieWithParent() {
        #if os(Linux)
        _ = linuxPrctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGTERM))
        if let expected = ProcessInfo.processInfo.environment["SSCL_WORKER_PARENT"].flatMap({ Int32($0) }),
           getppid() != expected {
            Glibc.exit(1)
        }
        #endif
    }

    /// How much lower than the server a worker runs (nice steps).
    static let niceness: Int32 = 5

    /// Lowers every thread of this process by `niceness` below the server, now and every
    /// half second for threads started since: OpenBLAS starts its pool before `main`, and
    /// libdispatch gives the threads it starts for `concurrentPerform` the nice value of their
    /// QoS, not their creator's. Training is throughput work; the server's API and inference
    /// threads are latency work bounded by `--inference-threads`: on a machine with few cores
    /// they should get a core at once rather than wait for a training time slice. Linux applies
    /// `setpriority(PRIO_PROCESS, tid)` to one thread. Returns the timer (keep it alive).
    static func yieldToTheServer() -> DispatchSourceTimer? {
        #if os(Linux)
        errno = 0
        let base = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        guard errno == 0 else { return nil }
        let target = min(base + niceness, 19)
        lowerThreads(to: target)
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "sscl.worker.niceness"))
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { lowerThreads(to: target) }
        timer.resume()
        return timer
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// Sets every thread whose nice value is below `target` to `target`.
    private static func lowerThreads(to target: Int32) {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        for tid in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap({ id_t($0) }) {
            errno = 0
            let current = getpriority(which, tid)
            if errno == 0 && current < target { _ = setpriority(which, tid, target) }
        }
    }
    #endif

    /// Routes `signal` to `handler` on a global queue (the main thread waits on training).
    static func onSignal(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// The protocol's stdout. The original descriptor is kept privately and fd 1 is pointed
/// at stderr, so a stray print anywhere cannot corrupt the stream. Writes are whole lines,
/// under a lock (the training thread and the main thread both send).
private final class ProtocolOutput: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    private init(fd: Int32) { self.fd = fd }

    static func takeStandardOutput() -> ProtocolOutput {
        signal(SIGPIPE, SIG_IGN)  // a vanished reader makes writes fail, not the process die
        let fd = dup(STDOUT_FILENO)
        _ = dup2(STDERR_FILENO, STDOUT_FILENO)
        return ProtocolOutput(fd: fd >= 0 ? fd : STDOUT_FILENO)
    }

    /// Writes one event line (`TrainingEvent.jsonLine()`).
    func send(line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.withLock {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

#if os(Linux)
/// glibc's `prctl` is variadic, which Swift does not import; integer arguments pass the same way.
@_silgen_name("prctl")
private func linuxPrctl(_ option: Int32, _ argument: UInt) -> Int32
#endif
