import Foundation

/// The line format of `metrics.jsonl` and of the worker protocol: one JSON object per event,
/// `{"type", "time", ...}` with sorted keys, where `type` is one of
/// - `started`: `pid`, `resumed`, `train_count`, `test_count`, `steps_per_epoch`, `total_steps`
/// - `step`: `epoch`, `epochs`, `step`, `steps`, `loss`, `lr`, `images_per_s`, `elapsed_s`
/// - `eval`: `epoch`, `step`, `knn_accuracy`, `linear_accuracy`, `alignment`, `uniformity`
/// - `checkpoint`, `stopped`: `epoch`, `step`
/// - `log`: `message`
/// - `result`: `result` (the `result.json` object)
/// - `error`: `code`, `message`
/// - `diagnostics`: `epoch`, `step`, the `fn_*` rates the loss has (`FalseNegativeRates`) and,
///   on the steps that report one, `histogram` (a `SimilarityHistogram`)
///
/// `time` is RFC 3339 UTC with milliseconds. Numbers that are not finite are `null`.
/// Metric keys are `MetricName` raw values. Unknown keys are ignored.
extension TrainingEvent: Codable {
    /// The `type` of a line.
    public enum LineType: String, Sendable, Codable {
        case started, step, eval, checkpoint, log, result, stopped, error, diagnostics
    }

    public var lineType: LineType {
        switch kind {
        case .started: .started
        case .step: .step
        case .evaluation: .eval
        case .checkpoint: .checkpoint
        case .log: .log
        case .result: .result
        case .stopped: .stopped
        case .error: .error
        case .diagnostics: .diagnostics
        }
    }

    struct Field: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(_ metric: MetricName) { stringValue = metric.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let type = Field("type"), time = Field("time")
        static let pid = Field("pid"), resumed = Field("resumed"), trainCount = Field("train_count")
        static let testCount = Field("test_count"), stepsPerEpoch = Field("steps_per_epoch")
        static let totalSteps = Field("total_steps")
        static let epoch = Field("epoch"), epochs = Field("epochs"), step = Field("step"), steps = Field("steps")
        static let elapsed = Field("elapsed_s"), message = Field("message"), result = Field("result")
        static let code = Field("code"), histogram = Field("histogram")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(lineType, forKey: .type)
        try c.encode(Self.timestamp(milliseconds), forKey: .time)
        switch kind {
        case let .started(s):
            try c.encode(s.pid, forKey: .pid)
            try c.encode(s.resumed, forKey: .resumed)
            try c.encode(s.trainCount, forKey: .trainCount)
            try c.encode(s.testCount, forKey: .testCount)
            try c.encode(s.stepsPerEpoch, forKey: .stepsPerEpoch)
            try c.encode(s.totalSteps, forKey: .totalSteps)
        case let .step(s):
            try c.encode(s.epoch, forKey: .epoch)
            try c.encode(s.epochs, forKey: .epochs)
            try c.encode(s.globalStep, forKey: .step)
            try c.encode(s.totalSteps, forKey: .steps)
            try c.encodeNumber(s.loss, forKey: Field(.loss))
            try c.encodeNumber(s.lr, forKey: Field(.lr))
            try c.encodeNumber(s.imagesPerSecond, forKey: Field(.imagesPerSecond))
            try c.encodeNumber(s.elapsedSeconds, forKey: .elapsed)
        case let .evaluation(e):
            try c.encode(e.epoch, forKey: .epoch)
            try c.encode(e.globalStep, forKey: .step)
            try c.encodeNumber(e.knnAccuracy, forKey: Field(.knnAccuracy))
            try c.encodeNumber(e.linearAccuracy, forKey: Field(.linearAccuracy))
            try c.encodeNumber(e.alignment, forKey: Field(.alignment))
            try c.encodeNumber(e.uniformity, forKey: Field(.uniformity))
        case let .checkpoint(p), let .stopped(p):
            try c.encode(p.epoch, forKey: .epoch)
            try c.encode(p.step, forKey: .step)
        case let .log(message):
            try c.encode(message, forKey: .message)
        case let .result(result):
            try c.encode(result, forKey: .result)
        case let .error(failure):
            try c.encode(failure.code, forKey: .code)
            try c.encode(failure.message, forKey: .message)
        case let .diagnostics(d):
            try c.encode(d.epoch, forKey: .epoch)
            try c.encode(d.globalStep, forKey: .step)
            for (name, value) in d.rates.values { try c.encodeNumber(value, forKey: Field(name)) }
            try c.encodeIfPresent(d.histogram, forKey: .histogram)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Field.self)
        let type = try c.decode(LineType.self, forKey: .type)
        let text = try c.decode(String.self, forKey: .time)
        guard let milliseconds = Self.milliseconds(fromTimestamp: text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: c,
                                                   debugDescription: "not an RFC 3339 UTC time: \(text)")
        }
        let kind: Kind
        switch type {
        case .started:
            kind = .started(RunStart(
                pid: try c.decode(Int32.self, forKey: .pid), resumed: try c.decode(Bool.self, forKey: .resumed),
                trainCount: try c.decode(Int.self, forKey: .trainCount), testCount: try c.decode(Int.self, forKey: .testCount),
                stepsPerEpoch: try c.decode(Int.self, forKey: .stepsPerEpoch),
                totalSteps: try c.decode(Int.self, forKey: .totalSteps)))
        case .step:
            kind = .step(StepReport(
                epoch: try c.decode(Int.self, forKey: .epoch), epochs: try c.decode(Int.self, forKey: .epochs),
                globalStep: try c.decode(Int.self, forKey: .step), totalSteps: try c.decode(Int.self, forKey: .steps),
                loss: try c.decodeNumber(forKey: Field(.loss)), lr: try c.decodeNumber(forKey: Field(.lr)),
                imagesPerSecond: try c.decodeNumber(forKey: Field(.imagesPerSecond)),
                elapsedSeconds: try c.decodeNumber(forKey: .elapsed)))
        case .eval:
            kind = .evaluation(EvaluationReport(
                epoch: try c.decode(Int.self, forKey: .epoch), globalStep: try c.decode(Int.self, forKey: .step),
                knnAccuracy: try c.decodeNumber(forKey: Field(.knnAccuracy)),
                linearAccuracy: try c.decodeOptionalNumber(forKey: Field(.linearAccuracy)),
                alignment: try c.decodeNumber(forKey: Field(.alignment)),
                uniformity: try c.decodeNumber(forKey: Field(.uniformity))))
        case .checkpoint:
            kind = .checkpoint(try Self.position(c))
        case .stopped:
            kind = .stopped(try Self.position(c))
        case .log:
            kind = .log(try c.decode(String.self, forKey: .message))
        case .result:
            kind = .result(try c.decode(TrainingResult.self, forKey: .result))
        case .error:
            kind = .error(TrainingFailure(code: try c.decode(TrainingFailure.Code.self, forKey: .code),
                                          message: try c.decode(String.self, forKey: .message)))
        case .diagnostics:
            kind = .diagnostics(try Self.diagnostics(c))
        }
        self.init(kind, milliseconds: milliseconds)
    }

    private static func diagnostics(_ c: KeyedDecodingContainer<Field>) throws -> DiagnosticsReport {
        var values: [MetricName: Double] = [:]
        for name in FalseNegativeRates.metricNames {
            if c.contains(Field(name)) { values[name] = try c.decodeNumber(forKey: Field(name)) }
        }
        guard let rates = FalseNegativeRates(values: values) else {
            throw DecodingError.keyNotFound(Field(.fnRateAll), .init(codingPath: c.codingPath,
                                                                     debugDescription: "a diagnostics line needs fn_rate_all"))
        }
        return DiagnosticsReport(epoch: try c.decode(Int.self, forKey: .epoch), globalStep: try c.decode(Int.self, forKey: .step),
                                 rates: rates, histogram: try c.decodeIfPresent(SimilarityHistogram.self, forKey: .histogram))
    }

    private static func position(_ c: KeyedDecodingContainer<Field>) throws -> RunPosition {
        RunPosition(epoch: try c.decode(Int.self, forKey: .epoch), step: try c.decode(Int.self, forKey: .step))
    }

    /// The event as one line of JSON (no newline): sorted keys, so equal events give equal lines.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a number, a string or a `TrainingResult`, and non-finite numbers are
        // written as null: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Parses one line; the error names the field and the reason.
    public init(jsonLine: some StringProtocol) throws(TrainingEventLineError) {
        do {
            self = try JSONDecoder().decode(TrainingEvent.self, from: Data(jsonLine.utf8))
        } catch {
            throw TrainingEventLineError(error)
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` from milliseconds since 1970.
    static func timestamp(_ milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// The inverse of `timestamp`, also without a fraction or with more digits (truncated to
    /// milliseconds); nil for anything else.
    static func milliseconds(fromTimestamp text: String) -> Int64? {
        guard text.hasSuffix("Z") || text.hasSuffix("z") else { return nil }
        var whole = Substring(text.dropLast())
        var fraction: Int64 = 0
        if let dot = whole.firstIndex(of: ".") {
            let digits = whole[whole.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = Int64(digits.prefix(3).padding(toLength: 3, withPad: "0", startingAt: 0))!
            whole = whole[..<dot]
        }
        guard whole.count == 19,
              let date = try? Date.ISO8601FormatStyle().parse(String(whole) + "Z") else { return nil }
        return Int64(date.timeIntervalSince1970) * 1000 + fraction
    }
}
