import Foundation
import Logging

/// A minimal HTTP/1.1 server: one event-loop thread polls every socket, a fixed pool of
/// handler threads runs the `HTTPHandler`. It knows nothing of the application.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 0), handler: router, logger: logger)
/// try server.start()
/// // ... on SIGTERM:
/// server.shutdown(gracePeriod: 5)
/// ```
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let state: LockedValue<State>

    private enum Phase { case idle, running, stopping, stopped }

    private struct State {
        var phase = Phase.idle
        var port = 0
        var onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)?
        var mailbox: LoopMailbox?
        var pool: HandlerThreadPool?
        var loopFinished: DispatchSemaphore?
        var loop: HTTPEventLoop?
    }

    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), handler: any HTTPHandler, logger: Logger,
        onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.state = LockedValue(State(onRequestCompleted: onRequestCompleted))
    }

    /// Called on the event loop after each response is queued with the request, its status
    /// and the seconds since the request was read; keep it quick (a counter, a histogram).
    /// Takes effect only if set before `start()`.
    public var onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)? {
        get { state.withLock { $0.onRequestCompleted } }
        set { state.withLock { $0.onRequestCompleted = newValue } }
    }

    /// The bound port, once started (the kernel's choice when configured with 0).
    public var port: Int {
        state.withLock { $0.port }
    }

    /// CPU seconds used so far by the event-loop thread (nil when not running): a test's
    /// measure of whether the loop sleeps in `poll` or spins.
    func loopCPUSeconds() -> Double? {
        state.withLock { $0.loop }?.cpuSeconds()
    }

    /// Binds, listens and starts the loop and handler threads; throws if the address is unusable.
    public func start() throws {
        let callback = try state.withLock { state in
            guard state.phase == .idle else { throw HTTPServerError.alreadyStarted }
            return state.onRequestCompleted
        }
        let listener = try POSIXSocket.listen(host: configuration.host, port: configuration.port)
        let mailbox: LoopMailbox
        do {
            mailbox = try LoopMailbox()
        } catch {
            POSIXSocket.closeDescriptor(listener)
            throw error
        }
        let port = POSIXSocket.localPort(listener)
        let pool = HandlerThreadPool(threads: configuration.handlerThreads, name: "sscl-http-handler")
        let loop = HTTPEventLoop(
            configuration: configuration, listener: listener, mailbox: mailbox, pool: pool, handler: handler,
            logger: logger, onRequestCompleted: callback)
        let finished = DispatchSemaphore(value: 0)
        state.withLock { state in
            state.phase = .running
            state.port = port
            state.mailbox = mailbox
            state.pool = pool
            state.loopFinished = finished
            state.loop = loop
        }
        pool.start()
        let thread = Thread {
            loop.run()
            finished.signal()
        }
        thread.name = "sscl-http-loop"
        thread.start()
        logger.info("listening on \(configuration.host):\(port)")
    }

    /// Stops accepting, closes idle connections and event streams, lets requests in flight
    /// finish and be written (for up to `gracePeriod` seconds), then closes everything.
    /// Blocks until done; call it from a plain thread, not from Swift's cooperative pool.
    /// False if a handler was still running at the end (what it uses must stay open).
    @discardableResult
    public func shutdown(gracePeriod: Double = 5) -> Bool {
        let running: (LoopMailbox, HandlerThreadPool, DispatchSemaphore)? = state.withLock { state in
            guard state.phase == .running, let mailbox = state.mailbox, let pool = state.pool,
                  let finished = state.loopFinished else { return nil }
            state.phase = .stopping
            return (mailbox, pool, finished)
        }
        guard let (mailbox, pool, finished) = running else { return true }
        let deadline = MonotonicClock.now() + max(0, gracePeriod)
        logger.info("shutting down: finishing requests in flight")
        if mailbox.post(.shutdown(deadline: deadline)) {
            _ = finished.wait(timeout: .now() + max(0, gracePeriod) + 2)
        }
        let handlersStopped = pool.stop(deadline: max(deadline, MonotonicClock.now() + 0.5))
        if !handlersStopped {
            logger.warning("shutdown: a handler is still running after the grace period")
        }
        state.withLock { state in
            state.phase = .stopped
            state.mailbox = nil
            state.pool = nil
            state.loopFinished = nil
            state.loop = nil
        }
        logger.info("stopped")
        return handlersStopped
    }
}
