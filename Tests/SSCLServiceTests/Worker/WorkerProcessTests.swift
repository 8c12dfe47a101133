import Foundation
import Logging
import SSCLEngine
import Testing
@testable import SSCLService

/// Real `sscl worker` processes on tiny jobs (128 inputs of fashion-mnist-mini, 4 steps per epoch).
@Suite(.serialized) struct WorkerProcessTests {
    @Test func runsAJobToCompletion() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let run = try WorkerRun(job: try writeJob(in: dir), dir: dir.appendingPathComponent("out"))
        let (messages, exit) = await run.finish()

        #expect(exit == .exited(0))
        #expect(run.exitCalls == 1)
        let kinds = messages.map(\.type).filter { $0 != "log" }
        #expect(kinds.filter { $0 != "eval" } == ["started"] + Array(repeating: "step", count: 4) + ["checkpoint"]
                + Array(repeating: "step", count: 4) + ["checkpoint", "result"])
        // One thread: epoch 1's curve point is computed beside epoch 2 and comes once ready.
        let evals = kinds.indices.filter { kinds[$0] == "eval" }, stepsAt = kinds.indices.filter { kinds[$0] == "step" }
        #expect(evals.count == 2)
        if evals.count == 2, stepsAt.count == 8 {
            #expect(evals[0] > stepsAt[3] && evals[1] > stepsAt[7] && evals[1] < kinds.lastIndex(of: "checkpoint")!)
        }
        guard case let .started(start) = messages.first(where: { $0.type != "log" })?.kind else {
            Issue.record("no started"); return
        }
        #expect(start.pid == run.process.pid)
        #expect(start.totalSteps == 8 && start.stepsPerEpoch == 4 && !start.resumed)
        let steps = messages.compactMap(\.stepNumber)
        #expect(steps == Array(1...8))
        guard case let .result(result) = messages.last(where: { $0.type != "log" })?.kind else {
            Issue.record("no result"); return
        }
        #expect(result.steps == 8)
        #expect(result.trainCount == 128)
        for file in ["checkpoint.bin", "model.safetensors", "result.json", "metrics.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(file)").path), "\(file)")
        }
        let metrics = try String(contentsOf: dir.appendingPathComponent("out/metrics.jsonl"), encoding: .utf8)
        #expect(metrics.split(separator: "\n").filter { $0.contains(#""type":"step""#) }.count == 8)
        #expect(run.process.hasExited)
    }

    @Test func stopsWithACheckpointAndResumesFromIt() async throws {
        let dir = try TestBinary.temporaryDirectory()
        // The first run is far too long to finish before the stop arrives (a short one can race
        // past it on an idle machine), and the worker can run far ahead of the pipe, so the
        // resumed job (same model) is sized after the stop: a few 4-step epochs past it.
        let long = try writeJob(in: dir, epochs: 60_000, everyEpochs: 100_000, file: "long.json")
        let out = dir.appendingPathComponent("out")
        let first = try WorkerRun(job: long, dir: out)
        let (messages, exit) = await first.finish(stopAfterStep: 3)

        #expect(exit == .exited(WorkerExit.stoppedCode))
        let lastStep = try #require(messages.compactMap(\.stepNumber).last)
        #expect(lastStep >= 3 && lastStep < 240_000)
        let epochs = lastStep / 4 + 3
        let job = try writeJob(in: dir, epochs: epochs, everyEpochs: 1000)
        guard case let .stopped(position) = messages.last(where: { $0.type != "log" })?.kind else {
            Issue.record("no stopped message"); return
        }
        #expect(position.step == lastStep)
        #expect(!messages.contains { $0.type == "result" })
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.bin").path))

        let second = try WorkerRun(job: job, dir: out, resume: true)
        let (resumedMessages, resumedExit) = await second.finish()
        #expect(resumedExit == .exited(0))
        guard case let .started(start) = resumedMessages.first(where: { $0.type != "log" })?.kind else {
            Issue.record("no started"); return
        }
        #expect(start.resumed && start.totalSteps == epochs * 4)
        let steps = resumedMessages.compactMap(\.stepNumber)
        #expect(steps.first == lastStep + 1)
        #expect(steps.last == epochs * 4)
        #expect(resumedMessages.last(where: { $0.type != "log" })?.type == "result")
    }

    @Test func reportsAnInvalidJob() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let job = dir.appendingPathComponent("job.json")
        try Data(#"{"name": "bad", "epochs": 0}"#.utf8).write(to: job)
        let run = try WorkerRun(job: job, dir: dir.appendingPathComponent("out"))
        let (messages, exit) = await run.finish()

        #expect(exit == .exited(WorkerExit.failureCode))
        guard case let .error(failure) = messages.last(where: { $0.type != "log" })?.kind else {
            Issue.record("no error message in \(messages)"); return
        }
        #expect(failure.code == .invalidJob)
        #expect(failure.message.contains("dataset") && failure.message.contains("epochs"))
        // The worker's stderr arrives as log lines.
        #expect(messages.contains { if case let .log(line) = $0.kind { line.contains("invalid_job") } else { false } })
    }

    @Test func reportsACheckpointOfAnotherModel() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let (_, firstExit) = try await WorkerRun(job: try writeJob(in: dir), dir: out).finish()
        #expect(firstExit == .exited(0))
        let other = try writeJob(in: dir, hidden: 16, file: "other.json")
        let (messages, exit) = try await WorkerRun(job: other, dir: out, resume: true).finish()
        #expect(exit == .exited(1))
        guard case let .error(failure) = messages.last(where: { $0.type != "log" })?.kind else { Issue.record("no error"); return }
        #expect(failure.code == .checkpointMismatch)
    }

    @Test func resolvesDatasetPathsInTheDataDirectory() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var csv = "a,b,c,d,label\n"
        for i in 0..<120 {
            let label = i % 2
            csv += "\(Double(label) + Double(i % 7) * 0.1),\(i % 5),\(Double(i) * 0.01),\(1 - label),\(label)\n"
        }
        try Data(csv.utf8).write(to: data.appendingPathComponent("rows.csv"))
        let job = dir.appendingPathComponent("job.json")
        try Data("""
            {"name": "csv", "dataset": {"format": "csv", "train": "rows.csv", "test_fraction": 0.25},
             "model": {"encoder": "mlp", "hidden": [8], "projection": [8, 4]}, "epochs": 1, "batch_size": 32,
             "eval": {"linear_probe": false, "knn_k": 3}}
            """.utf8).write(to: job)

        let (missing, missingExit) = try await WorkerRun(job: job, dir: dir.appendingPathComponent("a"),
                                                         dataDirectory: dir).finish()
        #expect(missingExit == .exited(1))
        guard case let .error(failure) = missing.last(where: { $0.type != "log" })?.kind else {
            Issue.record("no error"); return
        }
        #expect(failure.code == .datasetError)
        #expect(failure.message.contains("rows.csv"))

        let (messages, exit) = try await WorkerRun(job: job, dir: dir.appendingPathComponent("b"),
                                                   dataDirectory: data).finish()
        #expect(exit == .exited(0))
        #expect(messages.last(where: { $0.type != "log" })?.type == "result")
    }

    @Test func reportsAKilledWorker() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let run = try WorkerRun(job: try writeJob(in: dir, epochs: 500), dir: dir.appendingPathComponent("out"))
        // Its own process group: a Ctrl-C at the server's terminal does not reach it.
        #expect(getpgid(run.process.pid) == run.process.pid)
        #expect(getpgid(run.process.pid) != getpgrp())
        let (_, exit) = await run.finish(killAfterStep: 2)
        #expect(exit == .signalled(9))
        #expect(exit?.description == "killed by signal 9 (SIGKILL)")
        #expect(run.exitCalls == 1)
        run.process.kill()  // after the reap: a no-op, never a signal to a reused pid
    }

    @Test func failsToSpawnAMissingExecutable() throws {
        let dir = try TestBinary.temporaryDirectory()
        #expect(throws: WorkerSpawnError.self) {
            _ = try WorkerProcess(executable: dir.appendingPathComponent("no-such-sscl"), jobFile: dir, directory: dir,
                                  resume: false, dataDirectory: nil, logger: Logger(label: "test"),
                                  onMessage: { _ in }, onExit: { _ in })
        }
    }

    /// A worker whose parent dies gets SIGTERM from the kernel, checkpoints and exits.
    @Test func diesWithItsParent() async throws {
        let dir = try TestBinary.temporaryDirectory()
        let job = try writeJob(in: dir, epochs: 2000, everyEpochs: 1000)
        let log = dir.appendingPathComponent("worker.jsonl")
        let script = "'\(TestBinary.sscl.path)' worker --job '\(job.path)' --dir '\(dir.path)/out' " +
                     ">'\(log.path)' 2>/dev/null & echo $!; wait"
        let parent = Process()
        parent.executableURL = URL(fileURLWithPath: "/bin/sh")
        parent.arguments = ["-c", script]
        let pipe = Pipe()
        parent.standardOutput = pipe
        try parent.run()
        let firstLine = try await onThread { String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self) }
        let workerPID = try #require(Int32(firstLine.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Once it says `started`, it has asked for the parent-death signal.
        #expect(try await poll(seconds: 10) {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(#""type":"step""#)
        })
        kill(parent.processIdentifier, SIGKILL)
        #expect(try await poll(seconds: 5) { !isAlive(workerPID) }, "worker \(workerPID) outlived its parent")
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.last?.contains(#""type":"stopped""#) == true)
        parent.waitUntilExit()
    }
}

/// A job on 128 inputs of fashion-mnist-mini: 4 steps per epoch, about 3 ms each.
private func writeJob(in dir: URL, epochs: Int = 2, everyEpochs: Int = 1, hidden: Int = 32,
                      file: String = "job.json") throws -> URL {
    let url = dir.appendingPathComponent(file)
    let json = """
        {"name": "tiny", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
         "model": {"encoder": "mlp", "hidden": [\(hidden)], "projection": [16, 8]},
         "epochs": \(epochs), "batch_size": 32,
         "eval": {"linear_probe": false, "knn_k": 10, "every_epochs": \(everyEpochs)}}
        """
    try Data(json.utf8).write(to: url)
    return url
}

/// One supervised worker, its messages and exit collected in order.
private final class WorkerRun: Sendable {
    enum Event: Sendable {
        case message(TrainingEvent)
        case exit(WorkerExit)
    }

    let process: WorkerProcess
    private let events: AsyncStream<Event>
    private let exitCounter = ExitCounter()

    /// How many times `onExit` ran.
    var exitCalls: Int { exitCounter.value }

    init(job: URL, dir: URL, resume: Bool = false, dataDirectory: URL? = nil) throws {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        events = stream
        let counter = exitCounter
        process = try WorkerProcess(
            executable: TestBinary.sscl, jobFile: job, directory: dir, resume: resume, dataDirectory: dataDirectory,
            logger: Logger(label: "test.worker"),
            onMessage: { continuation.yield(.message($0)) },
            onExit: { exit in
                counter.increment()
                continuation.yield(.exit(exit))
                continuation.finish()
            })
    }

    /// Messages until the exit, which must come last (stderr's log lines interleave with
    /// stdout's messages in any order); stops or kills the worker after the
    /// given step. A watchdog kills a worker that runs past 60 s.
    func finish(stopAfterStep: Int? = nil, killAfterStep: Int? = nil) async -> ([TrainingEvent], WorkerExit?) {
        let process = self.process
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            process.kill()
        }
        defer { watchdog.cancel() }
        var messages: [TrainingEvent] = []
        var exit: WorkerExit?
        for await event in events {
            switch event {
            case let .message(message):
                #expect(exit == nil, "a message after the exit")
                messages.append(message)
                if let step = message.stepNumber {
                    if let stopAfterStep, step == stopAfterStep { process.terminate() }
                    if let killAfterStep, step == killAfterStep { process.kill() }
                }
            case let .exit(value):
                exit = value
            }
        }
        return (messages, exit)
    }
}

private final class ExitCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

private extension TrainingEvent {
    /// The line's `type`.
    var type: String { lineType.rawValue }

    var stepNumber: Int? {
        if case let .step(s) = kind { s.globalStep } else { nil }
    }
}

/// True while `pid` exists and is not a zombie (an orphan's reaper may be slow or absent).
private func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}

/// Checks `condition` every 20 ms until it holds or `seconds` pass.
private func poll(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Runs blocking work on its own thread, keeping Swift's small cooperative pool free.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
