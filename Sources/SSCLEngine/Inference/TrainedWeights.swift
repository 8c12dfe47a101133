import Foundation

/// A job folder's newest weights: `model.safetensors` once the job has succeeded, else the
/// latest `checkpoint.bin` (written by the trainer at every evaluation and when it stops), so
/// a running job can be used and looked at while it trains.
public struct TrainedWeights: Sendable {
    public enum Source: String, Sendable, Codable {
        case model
        case checkpoint
    }

    /// Which file, and a stamp that changes whenever it is rewritten (cheap to check per request).
    public struct Version: Sendable, Hashable {
        public var source: Source
        public var modified: Date
        public var bytes: Int
    }

    public var version: Version
    /// Parameters and buffers by export name (`encoder.1.weight`).
    public var tensors: [NamedTensor]
    /// The optimiser step the weights are from (-1 when a model file does not say).
    public var step: Int

    public static let modelFileName = "model.safetensors"
    public static let checkpointFileName = "checkpoint.bin"

    /// The file `latest(in:)` would read now, or nil when the job has neither.
    public static func currentVersion(in directory: URL) -> Version? {
        for source in [Source.model, .checkpoint] {
            let url = directory.appendingPathComponent(source == .model ? modelFileName : checkpointFileName)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let modified = attributes[.modificationDate] as? Date,
                  let size = attributes[.size] as? NSNumber else { continue }
            return Version(source: source, modified: modified, bytes: size.intValue)
        }
        return nil
    }

    /// Reads the newest weights; nil when the job has none yet.
    public static func latest(in directory: URL) throws -> TrainedWeights? {
        guard let version = currentVersion(in: directory) else { return nil }
        switch version.source {
        case .model:
            let contents = try SafetensorsFile.read(from: directory.appendingPathComponent(modelFileName))
            return TrainedWeights(version: version, tensors: contents.tensors,
                                  step: contents.metadata["global_step"].flatMap { Int($0) } ?? -1)
        case .checkpoint:
            let checkpoint = try Checkpoint.read(from: directory.appendingPathComponent(checkpointFileName))
            var tensors: [NamedTensor] = []
            for t in checkpoint.tensors {
                for prefix in ["param/", "buffer/"] where t.name.hasPrefix(prefix) {
                    tensors.append(NamedTensor(name: String(t.name.dropFirst(prefix.count)), shape: t.shape, values: t.values))
                }
            }
            return TrainedWeights(version: version, tensors: tensors, step: checkpoint.globalStep)
        }
    }
}
