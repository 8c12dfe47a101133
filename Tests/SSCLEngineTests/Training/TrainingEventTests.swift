import Foundation
import Testing
@testable import SSCLEngine

/// The one line format of `metrics.jsonl` and the worker protocol.
@Suite struct TrainingEventTests {
    static let result = TrainingResult(
        knnAccuracy: 0.8125, linearAccuracy: 0.84375, baselineKnnAccuracy: 0.7, baselineLinearAccuracy: nil,
        rawKnnAccuracy: 0.6953125, alignment: 0.09536615123985703, uniformity: -2.5e-7, epochs: 2, steps: 8,
        seconds: 1.2345678901234567, finalLoss: 4.23847, imagesPerSecond: 12345.678, dataset: "fashion-mnist-mini",
        trainCount: 128, testCount: 200, representationSize: 32, version: "0.1.0", blasCore: "Haswell", threads: 2)

    /// A measurement with every rate and a histogram (an NT-Xent one has neither hard nor synthetic).
    static let diagnostics = DiagnosticsReport(
        epoch: 2, globalStep: 20,
        rates: FalseNegativeRates(all: 0.0987, hard: 0.3125, syntheticOne: 0.5, syntheticBoth: 0.125, weightShare: 0.1875),
        histogram: SimilarityHistogram(step: 20, epoch: 2, positives: (0..<40).map { $0 == 38 ? 64 : 0 },
                                       negatives: (0..<40).map { $0 * 3 }, hard: (0..<40).map { $0 / 2 }, synthetic: nil))

    /// One event of every kind (and both shapes of the optional fields), at distinct times.
    static let everyKind: [TrainingEvent] = {
        let kinds: [TrainingEvent.Kind] = [
            .started(RunStart(pid: 31581, resumed: false, trainCount: 128, testCount: 200, stepsPerEpoch: 4, totalSteps: 8)),
            .started(RunStart(pid: 7, resumed: true, trainCount: 1, testCount: 0, stepsPerEpoch: 1, totalSteps: 1)),
            .step(StepReport(epoch: 1, epochs: 2, globalStep: 1, totalSteps: 8, loss: 4.23847, lr: 0.025,
                             imagesPerSecond: 1480.5, elapsedSeconds: 0.06)),
            .step(StepReport(epoch: 2, epochs: 2, globalStep: 8, totalSteps: 8, loss: 1e-300, lr: 0.30000000000000004,
                             imagesPerSecond: .leastNonzeroMagnitude, elapsedSeconds: 123456789.123)),
            .evaluation(EvaluationReport(epoch: 1, globalStep: 4, knnAccuracy: 0.52, linearAccuracy: nil,
                                         alignment: 0.0985, uniformity: -0.79)),
            .evaluation(EvaluationReport(epoch: 2, globalStep: 8, knnAccuracy: 0.5, linearAccuracy: 0.61,
                                         alignment: 1, uniformity: -1)),
            .checkpoint(RunPosition(epoch: 1, step: 4)),
            .log("baseline: kNN / 0.5 ✓ \"quoted\"\nsecond line\t\u{1}"),
            .log(""),
            .result(result),
            .stopped(RunPosition(epoch: 0, step: 3)),
        ] + TrainingFailure.Code.allCases.map { .error(TrainingFailure(code: $0, message: "why: \($0.rawValue)")) } + [
            .diagnostics(diagnostics),
            .diagnostics(DiagnosticsReport(epoch: 3, globalStep: 40, rates: FalseNegativeRates(all: 0.1, weightShare: 0.25),
                                           histogram: nil)),
        ]
        return kinds.enumerated().map { TrainingEvent($1, milliseconds: 1_795_794_326_348 + Int64($0) * 1001) }
    }()

    @Test func everyKindRoundTripsThroughItsLine() throws {
        for event in Self.everyKind {
            let line = event.jsonLine()
            #expect(!line.contains("\n"), "one line: \(line)")
            let decoded = try TrainingEvent(jsonLine: line)
            #expect(decoded == event, "\(line)")
            #expect(decoded.jsonLine() == line, "equal events give equal lines")
        }
    }

    /// The keys the README documents for each line type.
    @Test func linesCarryTheDocumentedKeys() throws {
        let documented: [String: Set<String>] = [
            "started": ["pid", "resumed", "train_count", "test_count", "steps_per_epoch", "total_steps"],
            "step": ["epoch", "epochs", "step", "steps", "loss", "lr", "images_per_s", "elapsed_s"],
            "eval": ["epoch", "step", "knn_accuracy", "linear_accuracy", "alignment", "uniformity"],
            "checkpoint": ["epoch", "step"], "stopped": ["epoch", "step"], "log": ["message"],
            "result": ["result"], "error": ["code", "message"],
            "diagnostics": ["epoch", "step", "fn_rate_all", "fn_weight_share"],
        ]
        var seen: Set<String> = []
        for event in Self.everyKind {
            let object = try #require(JSONSerialization.jsonObject(with: Data(event.jsonLine().utf8)) as? [String: Any])
            let type = try #require(object["type"] as? String)
            seen.insert(type)
            var keys = documented[type, default: []].union(["type", "time"])
            if case let .diagnostics(d) = event.kind, d.histogram != nil {
                keys.formUnion(["fn_rate_hard", "fn_rate_synthetic_one", "fn_rate_synthetic_both", "histogram"])
            }
            #expect(Set(object.keys) == keys, "\(type)")
        }
        #expect(seen == Set(documented.keys))
        #expect(Self.everyKind[0].jsonLine().contains(#""time":"2026-11-27T15:45:26.348Z""#))
        // Metric keys are the metric names.
        let step = try #require(JSONSerialization.jsonObject(with: Data(Self.everyKind[2].jsonLine().utf8)) as? [String: Any])
        let eval = try #require(JSONSerialization.jsonObject(with: Data(Self.everyKind[5].jsonLine().utf8)) as? [String: Any])
        for value in Self.everyKind[2].metricValues + Self.everyKind[5].metricValues {
            #expect((step[value.name.rawValue] ?? eval[value.name.rawValue]) as? Double == value.value, "\(value.name)")
        }
        let diagnostics = TrainingEvent(.diagnostics(Self.diagnostics))
        #expect(Set((Self.everyKind[2].metricValues + Self.everyKind[5].metricValues + diagnostics.metricValues).map(\.name))
                == Set(MetricName.allCases))
        let line = try #require(JSONSerialization.jsonObject(with: Data(diagnostics.jsonLine().utf8)) as? [String: Any])
        for value in diagnostics.metricValues {
            #expect(line[value.name.rawValue] as? Double == value.value && value.step == 20, "\(value.name)")
        }
        let histogram = try #require(line["histogram"] as? [String: Any])
        #expect((histogram["bin_edges"] as? [Double])?.count == 41 && histogram["synthetic"] == nil, "absent, not null")
    }

    @Test func nonFiniteNumbersAreNullAndReadBackAsNaN() throws {
        let event = TrainingEvent(.step(StepReport(epoch: 1, epochs: 1, globalStep: 1, totalSteps: 1, loss: .nan,
                                                   lr: .infinity, imagesPerSecond: -.infinity, elapsedSeconds: 0)))
        let line = event.jsonLine()
        #expect(line.contains(#""loss":null"#) && line.contains(#""lr":null"#) && line.contains(#""images_per_s":null"#))
        guard case let .step(s) = try TrainingEvent(jsonLine: line).kind else { Issue.record("not a step"); return }
        #expect(s.loss.isNaN && s.lr.isNaN && s.imagesPerSecond.isNaN && s.elapsedSeconds == 0)

        var result = Self.result
        result.baselineKnnAccuracy = .nan
        result.finalLoss = .infinity
        result.linearAccuracy = .nan
        let json = result.json()
        #expect(json.contains(#""baseline_knn_accuracy":null"#) && json.contains(#""final_loss":null"#))
        #expect(json.contains(#""linear_accuracy":null"#) && json.contains(#""baseline_linear_accuracy":null"#))
        let back = try JSONDecoder().decode(TrainingResult.self, from: Data(json.utf8))
        #expect(back.baselineKnnAccuracy.isNaN && back.finalLoss.isNaN && back.linearAccuracy == nil)
    }

    /// The result inside a `result` line is byte for byte the result's own JSON, which is what
    /// the service stores: decoding the line and encoding its result gives the same bytes back.
    @Test func resultKeepsItsBytes() throws {
        let line = TrainingEvent(.result(Self.result)).jsonLine()
        #expect(line.contains(#""result":"# + Self.result.json() + ","))
        guard case let .result(decoded) = try TrainingEvent(jsonLine: line).kind else { Issue.record("not a result"); return }
        #expect(decoded == Self.result)
        #expect(decoded.json() == Self.result.json())
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys]
        #expect(try JSONDecoder().decode(TrainingResult.self, from: pretty.encode(Self.result)) == Self.result)
    }

    /// Lines written before this format was typed (metrics.jsonl of older runs) still read.
    @Test func readsTheLinesOfEarlierVersions() throws {
        let step = try TrainingEvent(jsonLine: #"{"elapsed_s":0.06,"epoch":1,"epochs":2,"images_per_s":1480.5,"loss":4.23847,"lr":0.025,"step":1,"steps":8,"time":"2026-11-27T15:45:26.348Z","type":"step"}"#)
        #expect(step == TrainingEvent(.step(StepReport(epoch: 1, epochs: 2, globalStep: 1, totalSteps: 8, loss: 4.23847,
                                                       lr: 0.025, imagesPerSecond: 1480.5, elapsedSeconds: 0.06)),
                                      milliseconds: 1_795_794_326_348))
        let eval = try TrainingEvent(jsonLine: #"{"alignment":0.0985,"epoch":1,"knn_accuracy":0.52,"linear_accuracy":null,"step":4,"time":"2026-11-27T15:45:26.3Z","type":"eval","uniformity":-0.79}"#)
        #expect(eval.milliseconds == 1_795_794_326_300)
        #expect(eval.metricValues.map(\.name) == [.knnAccuracy, .alignment, .uniformity])
        let log = try TrainingEvent(jsonLine: #"{"message":"a \/ b","time":"2026-11-27T15:45:26Z","type":"log"}"#)
        #expect(log.kind == .log("a / b") && log.milliseconds == 1_795_794_326_000)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00.000Z", Int64(0)), ("2001-09-09T01:46:40.123Z", 1_000_000_000_123),
        ("2026-11-27T15:45:26.348Z", 1_795_794_326_348), ("2026-11-27T15:45:26.007Z", 1_795_794_326_007),
    ])
    func timesAreRFC3339WithMilliseconds(text: String, milliseconds: Int64) {
        #expect(TrainingEvent.timestamp(milliseconds) == text)
        #expect(TrainingEvent.milliseconds(fromTimestamp: text) == milliseconds)
        #expect(TrainingEvent(.log("x"), time: Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.0004))
            .milliseconds == milliseconds)
    }

    static let time = #""time":"2026-11-27T15:45:26.348Z""#

    /// (Foundation's decoder reports a number that does not fit its field, 1.5 for an Int or
    /// 1e400, as invalid JSON without a path: those name no field.)
    @Test(arguments: [
        ("", ""), ("not json at all", ""), ("{}", "type"), ("[1,2]", ""), ("null", ""),
        (#"{"type":42}"#, "type"), (#"{"type":"launch"}"#, "type"), (#"{"type":"step"}"#, "time"),
        (#"{"type":"step","time":"yesterday"}"#, "time"),
        (#"{"type":"step",\#(time)}"#, "epoch"),
        (#"{"type":"step",\#(time),"epoch":"1","epochs":2,"step":1,"steps":8}"#, "epoch"),
        (#"{"type":"step",\#(time),"epoch":1,"epochs":2,"step":1,"steps":8,"loss":1,"lr":1,"images_per_s":1}"#, "elapsed_s"),
        (#"{"type":"started",\#(time),"pid":99999999999,"resumed":false,"train_count":1,"test_count":1,"total_steps":8,"steps_per_epoch":4}"#, ""),
        (#"{"type":"started",\#(time),"pid":1,"resumed":"no","train_count":1,"test_count":1,"total_steps":8,"steps_per_epoch":4}"#, "resumed"),
        (#"{"type":"result",\#(time),"result":[1]}"#, "result"), (#"{"type":"result",\#(time)}"#, "result"),
        (#"{"type":"result",\#(time),"result":{"steps":8}}"#, "result.knn_accuracy"),
        (#"{"type":"error",\#(time),"message":"no code"}"#, "code"),
        (#"{"type":"error",\#(time),"code":"oops","message":"unknown code"}"#, "code"),
        (#"{"type":"checkpoint",\#(time),"epoch":1.5,"step":2}"#, ""),
        (#"{"type":"log",\#(time),"message":7}"#, "message"),
        ("{\"type\":\"log\",\"message\":\"\u{0}\"", ""), (String(repeating: "{", count: 10_000), ""),
        (String(repeating: "[", count: 100_000), ""), ("\u{FFFD}\u{FFFD}{\"type\"", ""),
        (#"{"type":"step",\#(time),"epoch":1e400}"#, ""),
    ])
    func rejectsWhatIsNotAnEventNamingTheField(line: String, field: String) {
        #expect(throws: TrainingEventLineError.self) { try TrainingEvent(jsonLine: line) }
        do {
            _ = try TrainingEvent(jsonLine: line)
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(!error.reason.isEmpty)
        }
    }
}
