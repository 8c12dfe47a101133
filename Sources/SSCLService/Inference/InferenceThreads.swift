import Foundation
import SSCLEngine
import Synchronization

/// Threads of the service's own for inference (`--inference-threads`): never Swift's
/// cooperative pool, never the HTTP event loop. A request handler hands its work over and
/// waits; at most `threads` pieces of work run at once, so inference never takes more cores
/// than that from training. At most `maxRequests` requests may be in here at once (running or
/// waiting): the service gives the HTTP server that many handler threads more than it would
/// have, so waiting for inference never leaves the rest of the API without one; beyond that
/// a request is refused (`InferenceError.busy`, 503). Started on first use.
final class InferenceThreads: Sendable {
    let threads: Int
    let maxRequests: Int
    private let queue = Mutex<Queue>(Queue())
    private let available = DispatchSemaphore(value: 0)

    private struct Queue: ~Copyable {
        var work: [@Sendable () -> Void] = []
        var started = false
        /// Requests inside `run`, running or waiting.
        var requests = 0
    }

    init(threads: Int, maxRequests: Int) {
        precondition(threads > 0)
        self.threads = threads
        self.maxRequests = maxRequests
    }

    /// Runs `body` on an inference thread and returns its result; the caller blocks meanwhile.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        let admitted = queue.withLock { queue -> Bool in
            guard queue.requests < maxRequests else { return false }
            queue.requests += 1
            if !queue.started {
                queue.started = true
                // Each inference thread computes alone: OpenBLAS threads on top would take more
                // cores than --inference-threads from training.
                BLAS.setThreads(1)
                for i in 0..<threads { startThread(i) }
            }
            queue.work.append {
                let outcome = Result { try body() }
                result.withLock { $0 = outcome }
                done.signal()
            }
            return true
        }
        guard admitted else { throw InferenceError.busy(requests: maxRequests) }
        defer { queue.withLock { $0.requests -= 1 } }
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
