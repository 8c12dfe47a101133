import Foundation

/// A flag another thread raises to ask a training run to stop after its current step
/// (it then writes a checkpoint and returns). Thread-safe.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    public init() {}

    public func requestStop() {
        lock.lock(); raised = true; lock.unlock()
    }

    public var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return raised
    }
}
