import ArgumentParser
import Foundation
import Logging
import SSCLEngine

/// `sscl train JOB.json`: runs a job in the foreground and writes its outputs to a folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a job described by a JSON file.",
        discussion: """
            Writes DIR/metrics.jsonl, DIR/checkpoint.bin (every epoch and on Ctrl-C), \
            DIR/model.safetensors and DIR/result.json. Relative dataset paths resolve against \
            the current directory. Ctrl-C stops after the current step; --resume continues.
            """
    )

    @Argument(help: ArgumentHelp("The job description.", valueName: "JOB.json"))
    var job: String

    @Option(name: .long, help: ArgumentHelp("Output folder (default: runs/<job name>).", valueName: "DIR"))
    var out: String?

    @Flag(name: .long, help: "Continue from DIR/checkpoint.bin.")
    var resume = false

    @Flag(name: .long, help: "Print the resolved job (every default filled in) and exit.")
    var dryRun = false

    func run() throws {
        var logger = Logger(label: "sscl.train")
        logger.logLevel = .warning
        let spec: JobSpec
        do {
            spec = try JobSpec.parse(json: try Data(contentsOf: URL(fileURLWithPath: job)))
        } catch let error as JobSpecValidationError {
            printError("\(job): invalid job:")
            for issue in error.issues { printError("  \(issue.path): \(issue.reason)") }
            throw ExitCode(2)
        } catch {
            printError("\(job): \(error)")
            throw ExitCode(2)
        }
        if dryRun {
            print(String(decoding: spec.jsonData(pretty: true), as: UTF8.self))
            return
        }
        let outDir = URL(fileURLWithPath: out ?? "runs/\(spec.name)", isDirectory: true)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let checkpointURL = outDir.appendingPathComponent("checkpoint.bin")

        let display = ProgressDisplay()
        display.line("loading \(Self.describe(spec.dataset.source))")
        let dataset: Dataset
        do {
            dataset = try DatasetLoader.load(spec.dataset, seed: spec.seed,
                                             baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } catch {
            printError("dataset: \(error)")
            throw ExitCode(1)
        }
        let trainer: Trainer
        do {
            trainer = try Trainer(spec: spec, dataset: dataset, logger: logger)
            if resume {
                try trainer.restore(from: try Checkpoint.read(from: checkpointURL))
            }
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        display.line("\(dataset.name): \(dataset.summary), " +
                     "\(trainer.stepsPerEpoch) steps per epoch, \(spec.threads) thread(s), BLAS \(BLAS.coreName)")

        let metricsURL = outDir.appendingPathComponent("metrics.jsonl")
        if !resume || !FileManager.default.fileExists(atPath: metricsURL.path) {
            _ = FileManager.default.createFile(atPath: metricsURL.path, contents: nil)
        }
        let metrics = try FileHandle(forWritingTo: metricsURL)
        try metrics.seekToEnd()

        let stop = StopSignal()
        let interrupt = Self.onInterrupt { stop.requestStop() }
        let box = UncheckedBox(trainer)
        let displayBox = UncheckedBox(display)
        let thread = TrainingThread(name: "sscl-train") {
            try box.value.run(checkpointURL: checkpointURL, stop: stop) { event in
                metrics.write(Data((event.jsonLine() + "\n").utf8))
                displayBox.value.show(event)
            }
        }
        let outcome: TrainingOutcome
        do {
            outcome = try thread.join()
        } catch {
            display.line("error: \(error)")
            throw ExitCode(1)
        }
        interrupt.cancel()
        try metrics.close()
        switch outcome {
        case let .stopped(epoch, step):
            display.line("stopped at epoch \(epoch + 1), step \(step); checkpoint in \(checkpointURL.path) " +
                         "(continue with --resume)")
            throw ExitCode(130)
        case let .completed(result):
            try trainer.exportModel(to: outDir.appendingPathComponent("model.safetensors"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: outDir.appendingPathComponent("result.json"), options: .atomic)
            display.line(String(format: "done in %.1f s: kNN %.4f (random encoder %.4f, raw inputs %.4f)",
                                result.seconds, result.knnAccuracy, result.baselineKnnAccuracy, result.rawKnnAccuracy)
                         + (result.linearAccuracy.map { String(format: ", linear %.4f", $0) } ?? ""))
            display.line("outputs in \(outDir.path)")
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

    /// Routes SIGINT to `handler` (on a global queue, since the main thread waits).
    static func onInterrupt(_ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// Hands a non-Sendable value to the training thread; the main thread no longer touches it
/// until `join()` returns.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
