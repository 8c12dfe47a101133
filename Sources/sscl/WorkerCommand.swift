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
/// Stdout carries only the protocol, one JSON object per line, written as it happens:
/// `started`, then the trainer's events (`step`, `eval`, `checkpoint`, `log`), then one of
/// `result`, `stopped` or `error`. Everything human-readable goes to stderr. Exit status
/// 0 finished, 3 stopped on request (SIGTERM or SIGINT; checkpoint written), 1 failed.
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
        let output = ProtocolOutput.takeStandardOutput()
        let stop = StopSignal()
        let signals = [SIGTERM, SIGINT].map { Self.onSignal($0) { stop.requestStop() } }
        defer { signals.forEach { $0.cancel() } }
        let logger = Logger(label: "sscl.worker", factory: { StreamLogHandler.standardError(label: $0) })
        do {
            let outcome = try train(output: output, stop: stop, logger: logger)
            switch outcome {
            case let .stopped(epoch, step):
                output.send(["type": "stopped", "epoch": epoch, "step": step])
                throw ExitCode(3)
            case .completed:
                return
            }
        } catch let failure as WorkerFailure {
            printError("worker: \(failure.code): \(failure.message)")
            output.send(["type": "error", "code": failure.code, "message": failure.message])
            throw ExitCode(1)
        }
    }

    /// Everything from the job file to the result; throws `WorkerFailure` with the protocol's code.
    private func train(output: ProtocolOutput, stop: StopSignal, logger: Logger) throws -> TrainingOutcome {
        let spec = try WorkerFailure.wrap("invalid_job") {
            try JobSpec.parse(json: try Data(contentsOf: URL(fileURLWithPath: job)))
        }
        let outDir = URL(fileURLWithPath: dir, isDirectory: true)
        try WorkerFailure.wrap("internal") {
            try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        }
        let base = URL(fileURLWithPath: dataDir ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let dataset = try WorkerFailure.wrap("dataset_error") {
            try DatasetLoader.load(spec.dataset, seed: spec.seed, baseDirectory: base)
        }
        let trainer = try WorkerFailure.wrap("internal") { try Trainer(spec: spec, dataset: dataset, logger: logger) }
        let checkpointURL = outDir.appendingPathComponent("checkpoint.bin")
        let resumed = resume && FileManager.default.fileExists(atPath: checkpointURL.path)
        if resumed {
            let checkpoint = try WorkerFailure.wrap("checkpoint_mismatch") { try Checkpoint.read(from: checkpointURL) }
            try WorkerFailure.wrap("checkpoint_mismatch") { try trainer.restore(from: checkpoint) }
        }
        output.send(["type": "started", "pid": Int(getpid()), "resumed": resumed, "train_count": dataset.train.count,
                     "test_count": dataset.test.count, "steps_per_epoch": trainer.stepsPerEpoch,
                     "total_steps": trainer.totalSteps])
        output.send(line: TrainingEvent.log(
            "\(dataset.name): \(dataset.summary), \(trainer.stepsPerEpoch) steps " +
            "per epoch, \(spec.threads) thread(s), BLAS \(BLAS.coreName)" + (resumed ? ", resuming from its checkpoint" : "")
        ).jsonLine())

        let metricsURL = outDir.appendingPathComponent("metrics.jsonl")
        if !resumed || !FileManager.default.fileExists(atPath: metricsURL.path) {
            _ = FileManager.default.createFile(atPath: metricsURL.path, contents: nil)
        }
        let metrics = try WorkerFailure.wrap("internal") {
            let handle = try FileHandle(forWritingTo: metricsURL)
            try handle.seekToEnd()
            return handle
        }
        defer { try? metrics.close() }

        let box = UncheckedBox(trainer)
        let thread = TrainingThread(name: "sscl-worker-train") {
            try box.value.run(checkpointURL: checkpointURL, stop: stop) { event in
                let line = event.jsonLine()
                metrics.write(Data((line + "\n").utf8))
                output.send(line: line)
            }
        }
        let outcome = try WorkerFailure.wrap("internal") { try thread.join() }
        if case let .completed(result) = outcome {
            try WorkerFailure.wrap("internal") {
                try trainer.exportModel(to: outDir.appendingPathComponent("model.safetensors"))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(result).write(to: outDir.appendingPathComponent("result.json"), options: .atomic)
                encoder.outputFormatting = [.sortedKeys]
                let object = String(decoding: try encoder.encode(result), as: UTF8.self)
                output.send(line: #"{"type":"result","result":"# + object + "}")
            }
        }
        return outcome
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

    /// Routes `signal` to `handler` on a global queue (the main thread waits on training).
    static func onSignal(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// Why the worker gives up, with the protocol's error code.
private struct WorkerFailure: Error {
    var code: String
    var message: String

    /// Runs `body`, turning its error into a failure: `fallback` unless the error says better.
    static func wrap<T>(_ fallback: String, _ body: () throws -> T) throws(WorkerFailure) -> T {
        do {
            return try body()
        } catch let error as WorkerFailure {
            throw error
        } catch let error as JobSpecValidationError {
            throw WorkerFailure(code: "invalid_job",
                                message: error.issues.map { "\($0.path): \($0.reason)" }.joined(separator: "; "))
        } catch let error as TrainingError {
            switch error {
            case .datasetTooSmall: throw WorkerFailure(code: "dataset_error", message: error.description)
            default: throw WorkerFailure(code: error.code, message: error.description)
            }
        } catch {
            throw WorkerFailure(code: fallback, message: "\(error)")
        }
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

    func send(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        send(line: String(decoding: data, as: UTF8.self))
    }

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
