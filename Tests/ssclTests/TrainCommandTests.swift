import Foundation
import SSCLEngine
import Testing

/// `sscl train` end to end on the shipped fashion-mnist-mini, in a tiny configuration.
@Suite struct TrainCommandTests {
    static func writeJob(_ dir: URL, epochs: Int = 2, extra: String = "") throws -> URL {
        let job = """
            {"name": "cli-test", "dataset": {"name": "fashion-mnist-mini", "train_limit": 256},
             "model": {"hidden": [32], "projection": [16, 8]},
             "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
             "epochs": \(epochs), "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": true}\(extra)}
            """
        let url = dir.appendingPathComponent("job.json")
        try Data(job.utf8).write(to: url)
        return url
    }

    @Test func writesMetricsCheckpointModelAndResult() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try Self.writeJob(dir)
        let out = try CommandRunner.run(["train", job.path, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 0, "\(out.stderr)")
        let run = dir.appendingPathComponent("run")
        for name in ["metrics.jsonl", "checkpoint.bin", "model.safetensors", "result.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name)")
        }
        let result = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("result.json"))) as? [String: Any])
        for key in ["knn_accuracy", "linear_accuracy", "baseline_knn_accuracy", "raw_knn_accuracy",
                    "sample_knn_accuracy", "sample_train_count", "sample_test_count", "alignment", "uniformity", "epochs", "steps", "seconds", "final_loss",
                    "version", "blas_core", "threads"] {
            #expect(result[key] != nil, "result.json lacks \(key)")
        }
        #expect(result["steps"] as? Int == 16)
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.filter { $0["type"] as? String == "step" }.count == 16)
        #expect(lines.filter { $0["type"] as? String == "eval" }.count == 2)
        #expect(!out.stderr.contains("\u{1B}["), "no terminal control codes when stderr is not a terminal")
    }

    /// `sscl train` and `sscl worker` run the same `TrainingRun`: the same events in the same
    /// order with the same numbers (one thread, same seed), and the worker's stdout is its
    /// metrics.jsonl line for line.
    @Test func trainAndWorkerWriteTheSameEvents() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try Self.writeJob(dir, extra: #", "threads": 1"#)
        let trainDir = dir.appendingPathComponent("train"), workerDir = dir.appendingPathComponent("worker")
        let train = try CommandRunner.run(["train", job.path, "--out", trainDir.path])
        #expect(train.status == 0, "\(train.stderr)")
        let worker = try CommandRunner.run(["worker", "--job", job.path, "--dir", workerDir.path])
        #expect(worker.status == 0, "\(worker.stderr)")

        let workerFile = try String(contentsOf: workerDir.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(worker.stdout == workerFile)
        let trainRead = try MetricsLog.read(from: trainDir.appendingPathComponent("metrics.jsonl"))
        let workerRead = try MetricsLog.read(from: workerDir.appendingPathComponent("metrics.jsonl"))
        #expect(trainRead.rejected.isEmpty && workerRead.rejected.isEmpty)
        let (a, b) = (trainRead.events, workerRead.events)
        // A one-thread job's curve points are computed beside training and come (with their
        // log line) wherever they are ready: compare them apart from the rest, which is in order.
        func isCurvePoint(_ e: TrainingEvent) -> Bool {
            if e.lineType == .eval { return true }
            if case let .log(line) = e.kind { return line.hasSuffix("(beside training)") }
            return false
        }
        let (inOrderA, inOrderB) = (a.filter { !isCurvePoint($0) }, b.filter { !isCurvePoint($0) })
        #expect(inOrderA.map(\.lineType) == inOrderB.map(\.lineType))
        #expect(a.filter(isCurvePoint).map(\.lineType) == b.filter(isCurvePoint).map(\.lineType))
        #expect(a.filter { $0.lineType == .eval }.count == 2)
        #expect(a.map(\.lineType).filter { $0 == .step }.count == 16)
        #expect(a.first { $0.lineType == .started } != nil && a.last?.lineType == .result)
        #expect(inOrderA.flatMap(\.metricValues).filter { $0.name != .imagesPerSecond }
                == inOrderB.flatMap(\.metricValues).filter { $0.name != .imagesPerSecond })
        #expect(a.filter { $0.lineType == .eval }.flatMap(\.metricValues) == b.filter { $0.lineType == .eval }.flatMap(\.metricValues))
        guard case var .result(trainResult) = a.last?.kind, case let .result(workerResult) = b.last?.kind else { return }
        trainResult.seconds = workerResult.seconds
        trainResult.imagesPerSecond = workerResult.imagesPerSecond
        trainResult.evalSeconds = workerResult.evalSeconds
        #expect(trainResult == workerResult)
    }

    @Test func invalidJobNamesEveryFieldAndExitsWithStatus2() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = dir.appendingPathComponent("bad.json")
        try Data(#"{"dataset": {"name": "fashion-mnist-mini"}, "loss": {"temperature": -1}, "batch_size": 1, "epoch": 3}"#.utf8)
            .write(to: job)
        let out = try CommandRunner.run(["train", job.path, "--out", dir.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("loss.temperature"))
        #expect(out.stderr.contains("batch_size"))
        #expect(out.stderr.contains("epoch"))
    }

    @Test func missingDatasetFolderIsAClearError() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = dir.appendingPathComponent("job.json")
        try Data(#"{"dataset": {"format": "idx", "path": "no/such/folder"}}"#.utf8).write(to: job)
        let out = try CommandRunner.run(["train", job.path, "--out", dir.path])
        #expect(out.status == 1)
        #expect(out.stderr.contains("no/such/folder"))
    }

    @Test func interruptCheckpointsAndResumeFinishes() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Long enough never to finish before the interrupt lands.
        let job = try Self.writeJob(dir, epochs: 4000)
        let runDir = dir.appendingPathComponent("run")
        let running = try CommandRunner.start(["train", job.path, "--out", runDir.path])
        let metrics = runDir.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: metrics, encoding: .utf8)) ?? ""
            if text.contains(#""step":3,"#) { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(running.process.processIdentifier, SIGINT)
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus == 130)
        #expect(FileManager.default.fileExists(atPath: runDir.appendingPathComponent("checkpoint.bin").path))
        #expect(!FileManager.default.fileExists(atPath: runDir.appendingPathComponent("result.json").path))

        func loggedSteps() throws -> [Int] {
            try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
                .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["type"] as? String == "step" }
                .compactMap { $0["step"] as? Int }
        }
        // Resume the same model with a job shortened to a few epochs (of 8 steps) past the stop.
        let stoppedAt = try #require(try loggedSteps().last)
        let epochs = stoppedAt / 8 + 2
        _ = try Self.writeJob(dir, epochs: epochs)
        let resumed = try CommandRunner.run(["train", job.path, "--out", runDir.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try loggedSteps() == Array(1...(epochs * 8)), "every step logged once across both runs")
    }
}

/// The export read by the reference implementation, Hugging Face's `safetensors` for Python
/// (installed by scripts/test.sh when PyPI is reachable).
@Suite struct SafetensorsInteropTests {
    static let pythonHasSafetensors: Bool = {
        guard let out = try? CommandRunner.runTool("/usr/bin/env", ["python3", "-c", "import safetensors, numpy"]) else { return false }
        return out.status == 0
    }()

    @Test(.enabled(if: pythonHasSafetensors, "python3 with safetensors and numpy"))
    func exportLoadsWithTheSafetensorsLibrary() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try TrainCommandTests.writeJob(dir, epochs: 1)
        let run = dir.appendingPathComponent("run")
        let train = try CommandRunner.run(["train", job.path, "--out", run.path])
        #expect(train.status == 0, "\(train.stderr)")
        let script = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], "np") as f:
                meta = f.metadata()
                shapes = {k: list(f.get_tensor(k).shape) for k in f.keys()}
                total = float(sum(float(f.get_tensor(k).astype("float64").sum()) for k in f.keys()))
            print(json.dumps({"shapes": shapes, "job": json.loads(meta["job"])["name"], "total": total}))
            """
        let out = try CommandRunner.runTool("/usr/bin/env", ["python3", "-c", script, run.appendingPathComponent("model.safetensors").path])
        #expect(out.status == 0, "\(out.stderr)")
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let shapes = try #require(parsed["shapes"] as? [String: [Int]])
        #expect(shapes["encoder.1.weight"] == [32, 784])
        #expect(shapes["head.2.weight"] == [8, 16])
        #expect(parsed["job"] as? String == "cli-test")
        #expect((parsed["total"] as? Double)?.isFinite == true)
    }
}
