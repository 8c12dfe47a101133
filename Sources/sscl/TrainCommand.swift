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
        let run = TrainingRun(spec: spec, directory: outDir,
                              dataDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath,
                                                 isDirectory: true),
                              resume: resume, logger: logger)
        if resume && !FileManager.default.fileExists(atPath: run.checkpointURL.path) {
            printError("--resume: there is no checkpoint to continue from at \(run.checkpointURL.path)")
            throw ExitCode(1)
        }
        let display = ProgressDisplay()
        let stop = StopSignal()
        let interrupt = Self.onInterrupt { stop.requestStop() }
        defer { interrupt.cancel() }
        let outcome: TrainingOutcome
        do {
            outcome = try run.run(stop: stop) { event, _ in display.show(event) }
        } catch {
            throw ExitCode(1)  // the display has shown the error event
        }
        switch outcome {
        case let .stopped(epoch, step):
            display.line("stopped at epoch \(epoch + 1), step \(step); checkpoint in \(run.checkpointURL.path) " +
                         "(continue with --resume)")
            throw ExitCode(130)
        case .completed:
            display.line("outputs in \(outDir.path)")
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

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
