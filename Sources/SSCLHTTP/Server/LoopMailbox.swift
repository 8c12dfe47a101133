#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thread-safe queue into the event loop plus the pipe that wakes its `poll`. At most one
/// wake byte is in flight, so a burst of stream events costs one write.
final class LoopMailbox: @unchecked Sendable {
    private let lock = LockedValue(State())
    let wakeDescriptor: Int32
    private let signalDescriptor: Int32

    private struct State {
        var messages: [LoopMessage] = []
        var wakePending = false
        var closed = false
    }

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HTTPServerError.system("pipe", errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = fds[0]
        signalDescriptor = fds[1]
    }

    /// Queues a message; false once the loop has ended (the message is dropped).
    @discardableResult
    func post(_ message: LoopMessage) -> Bool {
        lock.withLock { state in
            guard !state.closed else { return false }
            state.messages.append(message)
            if !state.wakePending {
                state.wakePending = true
                var byte: UInt8 = 1
                _ = write(signalDescriptor, &byte, 1)
            }
            return true
        }
    }

    /// Called by the loop when the wake pipe is readable. The pipe is emptied before the
    /// queue is taken, so a message posted in between still leaves a wake byte behind.
    func drain() -> [LoopMessage] {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &scratch, scratch.count) > 0 {}
        return lock.withLock { state in
            state.wakePending = false
            defer { state.messages.removeAll() }
            return state.messages
        }
    }

    /// Refuses further messages and closes the pipe; returns what was never delivered.
    func close() -> [LoopMessage] {
        lock.withLock { state in
            guard !state.closed else { return [] }
            state.closed = true
            #if canImport(Glibc)
            Glibc.close(wakeDescriptor)
            Glibc.close(signalDescriptor)
            #else
            Darwin.close(wakeDescriptor)
            Darwin.close(signalDescriptor)
            #endif
            defer { state.messages.removeAll() }
            return state.messages
        }
    }
}
