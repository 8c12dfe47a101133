import Foundation

/// One line of the worker protocol: what `sscl worker` writes to its stdout, one JSON
/// object per line (`{"type": "started" | "step" | "eval" | "checkpoint" | "log" |
/// "result" | "stopped" | "error", ...}`). The worker process is the only producer;
/// `WorkerProcess` parses each line and hands the message to the scheduler.
public enum WorkerMessage: Sendable, Equatable {
    /// The dataset is loaded and training begins (`resumed`: from a checkpoint).
    case started(pid: Int32, totalSteps: Int, stepsPerEpoch: Int, resumed: Bool)
    /// One optimisation step; `step` is 1-based and counts earlier attempts' steps too.
    /// Numbers the worker could not report (JSON null) are NaN.
    case step(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, lr: Double,
              imagesPerSecond: Double, elapsedSeconds: Double)
    /// An evaluation of the frozen encoder after `epoch` epochs (`step` steps).
    case evaluation(epoch: Int, step: Int, knnAccuracy: Double, linearAccuracy: Double?,
                    alignment: Double, uniformity: Double)
    /// A checkpoint was written holding `epoch` finished epochs and `step` steps.
    case checkpoint(epoch: Int, step: Int)
    /// A human-readable line: the trainer's log events, the worker's stderr, and stdout
    /// lines that are not protocol messages.
    case log(String)
    /// The run finished; `json` is the `result.json` object (UTF-8 JSON).
    case result(json: Data)
    /// The run stopped on request after writing its checkpoint (`epoch` is 0-based, in progress).
    case stopped(epoch: Int, step: Int)
    /// The run failed: `code` is one of `invalid_job`, `dataset_error`, `time_limit`,
    /// `diverged`, `checkpoint_mismatch`, `internal`.
    case error(code: String, message: String)
}

extension WorkerMessage {
    /// Parses one protocol line; nil for anything that is not a known message (garbled
    /// output, a stray print), which the supervisor then keeps as a log line.
    public static func parse(line: String) -> WorkerMessage? {
        let bytes = Data(line.utf8)
        guard bytes.first == UInt8(ascii: "{"),
              let e = try? JSONDecoder().decode(WorkerLine.self, from: bytes)
        else { return nil }
        switch e.type {
        case "started":
            guard let pid = e.pid, let total = e.totalSteps, let perEpoch = e.stepsPerEpoch, let resumed = e.resumed
            else { return nil }
            return .started(pid: pid, totalSteps: total, stepsPerEpoch: perEpoch, resumed: resumed)
        case "step":
            guard let epoch = e.epoch, let epochs = e.epochs, let step = e.step, let steps = e.steps else { return nil }
            return .step(epoch: epoch, epochs: epochs, step: step, steps: steps, loss: e.loss ?? .nan, lr: e.lr ?? .nan,
                         imagesPerSecond: e.imagesPerSecond ?? .nan, elapsedSeconds: e.elapsedSeconds ?? .nan)
        case "eval":
            guard let epoch = e.epoch, let step = e.step else { return nil }
            return .evaluation(epoch: epoch, step: step, knnAccuracy: e.knnAccuracy ?? .nan,
                               linearAccuracy: e.linearAccuracy, alignment: e.alignment ?? .nan,
                               uniformity: e.uniformity ?? .nan)
        case "checkpoint":
            guard let epoch = e.epoch, let step = e.step else { return nil }
            return .checkpoint(epoch: epoch, step: step)
        case "log":
            guard let message = e.message else { return nil }
            return .log(message)
        case "result":
            guard e.result != nil, let json = resultBytes(line: bytes) else { return nil }
            return .result(json: json)
        case "stopped":
            guard let epoch = e.epoch, let step = e.step else { return nil }
            return .stopped(epoch: epoch, step: step)
        case "error":
            guard let code = e.code else { return nil }
            return .error(code: code, message: e.message ?? "")
        default:
            return nil
        }
    }

    /// How the worker begins a result line: the object's bytes are then kept exactly as the
    /// worker encoded them (re-encoding could change how numbers are spelled).
    static let resultPrefix = #"{"type":"result","result":"#

    private static func resultBytes(line: Data) -> Data? {
        let prefix = Data(resultPrefix.utf8)
        if line.starts(with: prefix), line.last == UInt8(ascii: "}") {
            let inner = Data(line.dropFirst(prefix.count).dropLast())
            if (try? JSONSerialization.jsonObject(with: inner)) is [String: Any] { return inner }
        }
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              let result = object["result"] as? [String: Any]
        else { return nil }
        return try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    }
}

/// Every field any message may carry; a line whose fields have the wrong JSON types does not decode.
private struct WorkerLine: Decodable {
    var type: String
    var pid: Int32?
    var resumed: Bool?
    var totalSteps: Int?
    var stepsPerEpoch: Int?
    var epoch: Int?
    var epochs: Int?
    var step: Int?
    var steps: Int?
    var loss: Double?
    var lr: Double?
    var imagesPerSecond: Double?
    var elapsedSeconds: Double?
    var knnAccuracy: Double?
    var linearAccuracy: Double?
    var alignment: Double?
    var uniformity: Double?
    var message: String?
    var code: String?
    var result: AnyJSONObject?

    enum CodingKeys: String, CodingKey {
        case type, pid, resumed, totalSteps = "total_steps", stepsPerEpoch = "steps_per_epoch", epoch, epochs
        case step, steps, loss, lr, imagesPerSecond = "images_per_s", elapsedSeconds = "elapsed_s"
        case knnAccuracy = "knn_accuracy", linearAccuracy = "linear_accuracy", alignment, uniformity
        case message, code, result
    }
}

/// Decodes from any JSON object, ignoring its contents: only its presence is checked.
private struct AnyJSONObject: Decodable {
    init(from decoder: Decoder) throws {
        _ = try decoder.container(keyedBy: AnyKey.self)
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
