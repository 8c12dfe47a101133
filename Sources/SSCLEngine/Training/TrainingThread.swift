import Foundation

/// Runs CPU-heavy work on its own OS thread, never on Swift's cooperative pool (which has
/// one thread per core here: two busy tasks there would freeze every `async` caller).
public final class TrainingThread<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var outcome: Result<Value, Error>?

    /// Starts `body` at once on a new thread with an 8 MiB stack.
    public init(name: String, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let result = Result { try body() }
            lock.lock(); outcome = result; lock.unlock()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Whether the body has finished (then `join` returns at once).
    public var isFinished: Bool {
        lock.lock(); defer { lock.unlock() }
        return outcome != nil
    }

    /// Blocks the caller until the body has finished; returns its value or rethrows its error.
    public func join() throws -> Value {
        done.wait()
        done.signal()
        lock.lock(); defer { lock.unlock() }
        return try outcome!.get()
    }
}
