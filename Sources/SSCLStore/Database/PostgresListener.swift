import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One dedicated thread on its own connection: `LISTEN channel`, then poll(2) on the socket and
/// hand every notification's payload to `onNotification`. A dropped connection is reopened and
/// listens again (notifications sent meanwhile are lost; the event streams re-read by id, so
/// they only wake later). Notifications sent by `ignoring`'s own connections are skipped.
final class PostgresListener: @unchecked Sendable {
    let channel: String
    private let url: String
    private let logger: Logger
    private let ignoring: @Sendable (Int32) -> Bool
    private let onNotification: @Sendable (String) -> Void
    private let lock = NSCondition()
    private var stopping = false
    private var running = false
    private var listening = false
    private var thread: Thread?

    /// How long one poll waits: the most `stop()` waits for the thread.
    static let pollMilliseconds: Int32 = 200

    init(url: String, channel: String, logger: Logger, ignoring: @escaping @Sendable (Int32) -> Bool,
         onNotification: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.channel = channel
        self.logger = logger
        self.ignoring = ignoring
        self.onNotification = onNotification
    }

    /// Starts the thread and waits (up to `timeout`) until it listens, so a notification sent
    /// after `start` returns is heard.
    func start(timeout: TimeInterval = 10) {
        lock.lock()
        running = true
        lock.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "sscl.store.listen"
        lock.lock()
        self.thread = thread
        lock.unlock()
        thread.start()
        lock.lock()
        let deadline = Date().addingTimeInterval(timeout)
        while !listening && running && lock.wait(until: deadline) {}
        lock.unlock()
    }

    /// Stops the thread and waits for it to end (without waiting when called from an observer
    /// on the thread itself).
    func stop() {
        lock.lock()
        stopping = true
        if thread !== Thread.current {
            while running { lock.wait() }
        }
        lock.unlock()
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func run() {
        defer {
            lock.lock()
            running = false
            listening = false
            lock.broadcast()
            lock.unlock()
        }
        var connection: PostgresConnection?
        var failures = 0
        while !shouldStop {
            do {
                if connection == nil || connection?.isOpen == false {
                    connection = nil
                    let fresh = try PostgresConnection(url: url)
                    try fresh.executeScript("LISTEN \(channel)")
                    connection = fresh
                    if failures > 0 { logger.info("listening for store events again", metadata: ["channel": "\(channel)"]) }
                    failures = 0
                    lock.lock()
                    listening = true
                    lock.broadcast()
                    lock.unlock()
                }
                guard let connection else { continue }
                var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Self.pollMilliseconds)
                if ready < 0 && errno != EINTR {
                    throw PostgresError(sqlState: "08006", message: "poll: \(String(cString: strerror(errno)))")
                }
                guard ready > 0 else { continue }
                for (pid, payload) in try connection.consumeNotifications() where !ignoring(pid) {
                    onNotification(payload)
                }
            } catch {
                connection = nil
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning("store event listener lost its connection; retrying", metadata: ["error": "\(error)"])
                }
                // Back off up to a second, checking for stop.
                for _ in 0..<min(failures, 5) where !shouldStop { usleep(200_000) }
            }
        }
    }
}
