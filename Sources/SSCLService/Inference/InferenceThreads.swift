import Foundation
import Synchronization

/// Threads of the service's own for inference (`--inference-threads`): never Swift's
/// cooperative pool, never the HTTP event loop. A request handler hands its work over and
/// waits; at most `threads` pieces of work run at once, so inference never takes more cores
/// than that from training. Started on first use.
final class InferenceThreads: Sendable {
    let threads: Int
    /// Work waiting beyond this is refused (`InferenceError.busy`) rather than queued forever.
    let maxQueued: Int
    private let queue = Mutex<Queue>(Queue())
    private let available = DispatchSemaphore(value: 0)

    private struct Queue: ~Copyable {
        var work: [@Sendable () -> Void] = []
        var started = false
    }

    init(threads: Int, maxQueued: Int = 256) {
        precondition(threads > 0)
        self.threads = threads
        self.maxQueued = maxQueued
    }

    /// Runs `body` on an inference thread and returns its result; the caller blocks meanwhile.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        let accepted = queue.withLock { queue -> Bool in
            guard queue.work.count < maxQueued else { return false }
            if !queue.started {
                queue.started = true
                for i in 0..<threads { startThread(i) }
            }
            queue.work.append {
                let outcome = Result { try body() }
                result.withLock { $0 = outcome }
                done.signal()
            }
            return true
        }
        guard accepted else { throw InferenceError.busy(queued: maxQueued) }
        available.signal()
        done.wait()
        return try result.withLock { $0! }.get()
    }

    private func startThread(_ i: Int) {
        let thread = Thread { [self] in
            while true {
                available.wait()
                let next = queue.withLock { $0.work.isEmpty ? nil : $0.work.removeFirst() }
                next?()
            }
        }
        thread.name = "sscl-inference-\(i)"
        thread.stackSize = 8 << 20
        thread.start()
    }
}
