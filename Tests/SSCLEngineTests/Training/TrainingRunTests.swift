import Foundation
import Logging
import Testing
@testable import SSCLEngine

/// A whole attempt in a folder: the sink and `metrics.jsonl` get the same events, in order.
@Suite struct TrainingRunTests {
    /// Events handed to the sink, from whichever thread.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [TrainingEvent] = []
        let stopAfterStep: Int?
        let stop = StopSignal()

        init(stopAfterStep: Int? = nil) { self.stopAfterStep = stopAfterStep }

        func record(_ event: TrainingEvent) {
            lock.withLock { list.append(event) }
            if case let .step(s) = event.kind, s.globalStep == stopAfterStep { stop.requestStop() }
        }

        var events: [TrainingEvent] { lock.withLock { list } }
    }

    static func run(_ spec: JobSpec, in dir: URL, resume: Bool = false,
                    stopAfterStep: Int? = nil) -> (Result<TrainingOutcome, TrainingFailure>, [TrainingEvent]) {
        let recorder = Recorder(stopAfterStep: stopAfterStep)
        let run = TrainingRun(spec: spec, directory: dir, dataDirectory: dir, resume: resume, logger: Logger(label: "test"))
        let outcome = Result { () throws(TrainingFailure) in
            try run.run(stop: recorder.stop) { event, line in
                #expect(line == event.jsonLine())
                recorder.record(event)
            }
        }
        return (outcome, recorder.events)
    }

    static func fileEvents(_ dir: URL) throws -> [TrainingEvent] {
        let file = try MetricsLog.read(from: dir.appendingPathComponent("metrics.jsonl"))
        #expect(file.rejected.isEmpty, "\(file.rejected)")
        return file.events
    }

    @Test func writesEveryReportedEventAndTheOutputs() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (outcome, events) = Self.run(TrainerTests.tinySpec(), in: dir)
        guard case let .success(.completed(result)) = outcome else { Issue.record("\(outcome)"); return }

        #expect(try Self.fileEvents(dir) == events, "metrics.jsonl holds exactly the reported events")
        let types = events.map(\.lineType).filter { $0 != .log }
        #expect(types.filter { $0 != .eval } == [.started] + Array(repeating: .step, count: 5) + [.checkpoint]
                + Array(repeating: .step, count: 5) + [.checkpoint, .result])
        // A one-thread job computes epoch 1's point beside epoch 2's steps: it comes after
        // epoch 1's last step, wherever it is ready; the last one before the final checkpoint.
        let evalPositions = types.indices.filter { types[$0] == .eval }
        let stepPositions = types.indices.filter { types[$0] == .step }
        #expect(evalPositions.count == 2)
        if evalPositions.count == 2 {
            #expect(evalPositions[0] > stepPositions[4])
            #expect(evalPositions[1] > stepPositions[9] && evalPositions[1] < types.lastIndex(of: .checkpoint)!)
        }
        #expect(events.first?.kind == .log("loading fashion-mnist-mini"))
        guard case let .started(start) = events.first(where: { $0.lineType == .started })?.kind else { return }
        #expect(!start.resumed && start.totalSteps == 10 && start.stepsPerEpoch == 5 && start.trainCount == 160)
        #expect(events.last?.kind == .result(result))
        #expect(events.map(\.milliseconds) == events.map(\.milliseconds).sorted())

        let written = try JSONDecoder().decode(TrainingResult.self, from: Data(contentsOf: dir.appendingPathComponent("result.json")))
        #expect(written == result)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("checkpoint.bin").path))
    }

    @Test func aStoppedRunResumesAndTheFileHoldsBothAttempts() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (first, firstEvents) = Self.run(TrainerTests.tinySpec(), in: dir, stopAfterStep: 3)
        guard case .success(.stopped(0, 3)) = first else { Issue.record("\(first)"); return }
        #expect(firstEvents.last?.kind == .stopped(RunPosition(epoch: 0, step: 3)))

        let (second, secondEvents) = Self.run(TrainerTests.tinySpec(), in: dir, resume: true)
        guard case .success(.completed) = second else { Issue.record("\(second)"); return }
        guard case let .started(start) = secondEvents.first(where: { $0.lineType == .started })?.kind else { return }
        #expect(start.resumed)
        let all = try Self.fileEvents(dir)
        #expect(all == firstEvents + secondEvents, "a resumed run appends")
        let steps = all.compactMap { if case let .step(s) = $0.kind { s.globalStep } else { nil } }
        #expect(steps == Array(1...10))

        // A fresh run in the same folder starts the file again.
        let (_, freshEvents) = Self.run(TrainerTests.tinySpec(epochs: 1), in: dir)
        #expect(try Self.fileEvents(dir) == freshEvents)
    }

    @Test func aFailureIsReportedAsTheLastEventAndThrown() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = TrainerTests.tinySpec()
        spec.dataset = DatasetSpec(source: .csv(train: "missing/rows.csv", test: nil, labelColumn: "label"))
        let (outcome, events) = Self.run(spec, in: dir)
        guard case let .failure(failure) = outcome else { Issue.record("\(outcome)"); return }
        #expect(failure.code == .datasetError)
        #expect(failure.message.contains("rows.csv"))
        #expect(events.last?.kind == .error(failure))
        #expect(try Self.fileEvents(dir) == events)
        #expect(!events.contains { $0.lineType == .started })
    }

    @Test func aCheckpointOfAnotherModelIsAMismatch() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = Self.run(TrainerTests.tinySpec(epochs: 1), in: dir)
        var other = TrainerTests.tinySpec()
        other.model.hidden = [16]
        let (outcome, events) = Self.run(other, in: dir, resume: true)
        guard case let .failure(failure) = outcome else { Issue.record("\(outcome)"); return }
        #expect(failure.code == .checkpointMismatch)
        #expect(events.last?.kind == .error(failure))
    }
}
