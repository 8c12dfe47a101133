import SSCLEngine
import Synchronization

/// A job's trained encoder, shared by every request: forward passes take the mutex, because the
/// engine's layers keep per-call scratch state.
final class LoadedModel: Sendable {
    let version: TrainedWeights.Version
    let step: Int
    let representationSize: Int
    let rowSize: Int
    /// Bytes of the weights (what the cache counts).
    let bytes: Int
    private let model: Mutex<ContrastiveModel>

    init(spec: ModelSpec, inputShape: [Int], weights: TrainedWeights) throws {
        let model = try ContrastiveModel(spec: spec, inputShape: inputShape, weights: weights.tensors)
        version = weights.version
        step = weights.step
        representationSize = model.representationSize
        rowSize = inputShape.reduce(1, *)
        bytes = (model.parameters + model.buffers).reduce(0) { $0 + 4 * $1.value.count }
        self.model = Mutex(model)
    }

    /// f(x) of `count` preprocessed rows, [count, representationSize].
    func representations(of rows: [Float], count: Int) -> [Float] {
        model.withLock { $0.representations(of: rows, count: count, chunk: 256) }
    }
}
