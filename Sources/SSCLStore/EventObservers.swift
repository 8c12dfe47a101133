import Foundation

/// The callbacks registered with `JobStore.observeEvents`, safe to add to and call from any
/// thread. A lock rather than `Mutex`, which needs macOS 15.
final class EventObservers: @unchecked Sendable {
    private let lock = NSLock()
    private var observers: [@Sendable (String) -> Void] = []

    func add(_ observer: @escaping @Sendable (String) -> Void) {
        lock.withLock { observers.append(observer) }
    }

    /// Calls every observer for every job id, outside the lock.
    func notify(_ jobIDs: [String]) {
        let current = lock.withLock { observers }
        guard !current.isEmpty else { return }
        for jobID in jobIDs {
            for observer in current { observer(jobID) }
        }
    }
}
