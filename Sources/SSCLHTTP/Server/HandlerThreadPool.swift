import Foundation

/// A fixed set of dedicated threads running handlers, so a slow handler never blocks the
/// event loop and never occupies Swift's small cooperative pool.
final class HandlerThreadPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var alive = 0
    private let threadCount: Int
    private let name: String

    init(threads: Int, name: String) {
        self.threadCount = max(1, threads)
        self.name = name
    }

    func start() {
        condition.lock()
        alive = threadCount
        condition.unlock()
        for index in 0..<threadCount {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Queues a job; false once the pool is stopping (the job is not run).
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Lets queued jobs finish, then ends the threads; waits until they are gone or
    /// `deadline` (monotonic seconds) passes. True when every thread ended.
    @discardableResult
    func stop(deadline: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while alive > 0 {
            let remaining = deadline - MonotonicClock.now()
            if remaining <= 0 { return false }
            _ = condition.wait(until: Date(timeIntervalSinceNow: remaining))
        }
        return true
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                alive -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
