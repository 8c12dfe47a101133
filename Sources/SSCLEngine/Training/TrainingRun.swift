import Foundation
import Logging

/// One attempt at a job in its folder, the same for `sscl train` and `sscl worker`: loads the
/// data, restores the checkpoint when resuming, trains on a dedicated thread, appends every
/// event to `metrics.jsonl`, exports `model.safetensors` and `result.json`, and hands each
/// event to a sink as it happens (the terminal display, the worker's stdout), with its line:
/// each event is encoded once, for the file and the sink.
///
/// The events of an attempt: `log` (loading), `started`, the trainer's `log`, `step`,
/// `diagnostics`, `eval` and `checkpoint`, then exactly one of `result`, `stopped` or
/// `error`. An error before the folder could be opened reaches only the sink.
public struct TrainingRun: Sendable {
    public let spec: JobSpec
    public let directory: URL
    /// Relative dataset paths resolve against it.
    public let dataDirectory: URL
    /// Continue from `checkpoint.bin` when it exists (and append to `metrics.jsonl`).
    public let resume: Bool
    /// The service's worker: every dataset file must lie inside `dataDirectory` (or a built-in
    /// folder) when it is opened, checked on the opened file (see `DatasetFile`).
    public let confined: Bool
    let logger: Logger

    public init(spec: JobSpec, directory: URL, dataDirectory: URL, confined: Bool = false, resume: Bool, logger: Logger) {
        self.spec = spec
        self.directory = directory
        self.dataDirectory = dataDirectory
        self.confined = confined
        self.resume = resume
        self.logger = logger
    }

    public var checkpointURL: URL { directory.appendingPathComponent("checkpoint.bin") }
    public var metricsURL: URL { directory.appendingPathComponent(MetricsLog.fileName) }
    public var modelURL: URL { directory.appendingPathComponent("model.safetensors") }
    public var resultURL: URL { directory.appendingPathComponent("result.json") }

    /// Receives each event and its `jsonLine()`, on the calling thread or the training thread.
    public typealias Sink = @Sendable (_ event: TrainingEvent, _ line: String) -> Void

    /// Blocks the caller until the attempt ends; training itself runs on its own thread.
    /// `stop` ends it after the current step with a checkpoint (`.stopped`).
    /// - Throws: the failure it reported last as an `error` event.
    public func run(stop: StopSignal = StopSignal(), report sink: @escaping Sink) throws(TrainingFailure) -> TrainingOutcome {
        let resumed = resume && FileManager.default.fileExists(atPath: checkpointURL.path)
        let log: MetricsLog
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            log = try MetricsLog(url: metricsURL, append: resumed)
        } catch {
            let failure = TrainingFailure(error, fallback: .internal)
            let event = TrainingEvent(.error(failure))
            sink(event, event.jsonLine())
            throw failure
        }
        defer { log.close() }
        let emit: @Sendable (TrainingEvent) -> Void = { event in
            let line = event.jsonLine()
            log.append(line: line)
            sink(event, line)
        }
        do {
            let outcome = try attempt(resumed: resumed, stop: stop, emit: emit)
            if let error = log.writeError {
                emit(TrainingEvent(.log("\(MetricsLog.fileName) is incomplete: \(error)")))
            }
            return outcome
        } catch {
            emit(TrainingEvent(.error(error)))
            throw error
        }
    }

    private func attempt(resumed: Bool, stop: StopSignal,
                         emit: @escaping @Sendable (TrainingEvent) -> Void) throws(TrainingFailure) -> TrainingOutcome {
        emit(TrainingEvent(.log("loading \(Self.describe(spec.dataset.source))")))
        let dataset = try Self.step(.datasetError) {
            try DatasetLoader.load(spec.dataset, seed: spec.seed, baseDirectory: dataDirectory,
                                   within: confined ? DataDirectory(dataDirectory) : nil, threads: spec.threads)
        }
        let trainer = try Self.step(.internal) { try Trainer(spec: spec, dataset: dataset, logger: logger) }
        if resumed {
            try Self.step(.checkpointMismatch) { try trainer.restore(from: try Checkpoint.read(from: checkpointURL)) }
            if trainer.measuresDiagnostics, let earlier = try? MetricsLog.read(from: metricsURL) {
                trainer.restoreDiagnostics(from: earlier.events)
            }
        }
        emit(TrainingEvent(.started(RunStart(
            pid: ProcessInfo.processInfo.processIdentifier, resumed: resumed, trainCount: dataset.train.count,
            testCount: dataset.test.count, stepsPerEpoch: trainer.stepsPerEpoch, totalSteps: trainer.totalSteps))))
        emit(TrainingEvent(.log(
            "\(dataset.name): \(dataset.summary), \(trainer.stepsPerEpoch) steps "
            + "per epoch, \(spec.threads) thread(s), BLAS \(BLAS.coreName)" + (resumed ? ", resuming from its checkpoint" : ""))))
        if dataset.isImage && trainer.spec.augment.flip {
            // Flip is the user's choice, but it is wrong for data whose mirror image is another
            // item (text, digits, many diagrams): say that it is on.
            emit(TrainingEvent(.log("augment.flip is on: a mirrored image counts as the same item; "
                                    + "set \"augment\": {\"flip\": false} if left and right matter in this data")))
        }

        if trainer.spec.eval.diagnosticsEvery > 0 && !trainer.measuresDiagnostics {
            emit(TrainingEvent(.log("false-negative diagnostics are off: the dataset has no labels that tell classes apart")))
        }

        let box = TrainerBox(trainer)
        let checkpoint = checkpointURL
        let thread = TrainingThread(name: "sscl-train") {
            try box.trainer.run(checkpointURL: checkpoint, stop: stop, onEvent: emit)
        }
        let outcome = try Self.step(.internal) { try thread.join() }
        switch outcome {
        case let .completed(result):
            try Self.step(.internal) {
                try trainer.exportModel(to: modelURL)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try encoder.encode(result).write(to: resultURL, options: .atomic)
            }
            emit(TrainingEvent(.result(result)))
        case let .stopped(epoch, step):
            emit(TrainingEvent(.stopped(RunPosition(epoch: epoch, step: step))))
        }
        return outcome
    }

    /// Runs one stage; its error becomes a failure with `code` unless the error says better.
    private static func step<T>(_ code: TrainingFailure.Code, _ body: () throws -> T) throws(TrainingFailure) -> T {
        do {
            return try body()
        } catch {
            throw TrainingFailure(error, fallback: code)
        }
    }

    static func describe(_ source: DatasetSource) -> String {
        switch source {
        case let .builtin(name): name
        case let .idx(path): "IDX folder \(path)"
        case let .npz(path, kind): "NumPy archive \(path) (\(kind.rawValue))"
        case let .npy(x, y, kind): "NumPy arrays \(x), \(y) (\(kind.rawValue))"
        case let .arff(train, test, _): "ARFF \(train)" + (test.map { " + \($0)" } ?? "")
        case let .csv(train, test, _): "CSV \(train)" + (test.map { " + \($0)" } ?? "")
        case let .imageFolder(folder): "image folder \(folder.path)"
        }
    }
}

/// Hands the trainer to the training thread; the caller does not touch it until `join()`.
private final class TrainerBox: @unchecked Sendable {
    let trainer: Trainer
    init(_ trainer: Trainer) { self.trainer = trainer }
}
