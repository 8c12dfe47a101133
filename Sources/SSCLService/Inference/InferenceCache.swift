import SSCLEngine
import Synchronization

/// What the inference service keeps between requests, in one byte-bounded LRU across jobs
/// (`--embedding-cache-mb`): each job's loaded dataset (its train statistics and rows), its
/// loaded weights, the train split's embeddings for the neighbour search and the projection,
/// the last three per weights version. Loading a newer version drops the job's older ones.
final class InferenceCache: Sendable {
    enum Key: Hashable, Sendable {
        case dataset(job: String)
        case model(job: String, TrainedWeights.Version)
        case trainIndex(job: String, TrainedWeights.Version)
        case projection(job: String, TrainedWeights.Version)

        var job: String {
            switch self {
            case let .dataset(job), let .model(job, _), let .trainIndex(job, _), let .projection(job, _): job
            }
        }

        var version: TrainedWeights.Version? {
            switch self {
            case .dataset: nil
            case let .model(_, v), let .trainIndex(_, v), let .projection(_, v): v
            }
        }
    }

    enum Value: Sendable {
        case dataset(Dataset)
        case model(LoadedModel)
        case trainIndex(NearestNeighbors)
        case projection(ProjectionResponse)
    }

    private let lru: Mutex<ByteBoundedLRU<Key, Value>>

    init(capacityBytes: Int) {
        lru = Mutex(ByteBoundedLRU(capacity: capacityBytes))
    }

    func value(for key: Key) -> Value? {
        lru.withLock { $0.value(for: key) }
    }

    /// Stores `value`; entries of the same job from another weights version go first.
    func insert(_ value: Value, bytes: Int, for key: Key) {
        lru.withLock { lru in
            if let version = key.version {
                lru.removeAll { $0.job == key.job && $0.version != nil && $0.version != version }
            }
            lru.insert(value, bytes: bytes, for: key)
        }
    }

    /// Bytes held now, and the number of entries.
    var usage: (bytes: Int, entries: Int) {
        lru.withLock { ($0.bytes, $0.count) }
    }
}
