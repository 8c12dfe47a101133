#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// The single thread that owns every socket: one `poll(2)` over the listener, the wake
/// pipe and all connections, so an idle connection costs a descriptor and a few hundred
/// bytes, never a thread. Complete requests go to the handler pool; responses come back
/// through the mailbox. Confined to its thread once `run()` starts, hence unchecked.
final class HTTPEventLoop: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    let mailbox: LoopMailbox
    let pool: HandlerThreadPool
    let handler: any HTTPHandler
    let logger: Logger
    let onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)?
    let date = HTTPDate()

    private var listener: Int32
    var connections: [UInt64: HTTPConnection] = [:]
    /// Open connections per remote host, for `maxConnectionsPerAddress`.
    private var connectionsPerHost: [String: Int] = [:]
    private var nextID: UInt64 = 1
    var draining = false
    private var drainDeadline = Double.infinity
    private var acceptPausedUntil = 0.0
    var scratch = [UInt8](repeating: 0, count: 64 << 10)
    /// The loop thread's CPU clock while it runs, so tests can tell an idle loop from a spinning one.
    private let cpuClock = LockedValue<clockid_t?>(nil)

    init(
        configuration: HTTPServerConfiguration, listener: Int32, mailbox: LoopMailbox, pool: HandlerThreadPool,
        handler: any HTTPHandler, logger: Logger, onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)?
    ) {
        self.configuration = configuration
        self.listener = listener
        self.mailbox = mailbox
        self.pool = pool
        self.handler = handler
        self.logger = logger
        self.onRequestCompleted = onRequestCompleted
    }

    func run() {
        #if canImport(Glibc)
        var clock = clockid_t()
        if pthread_getcpuclockid(pthread_self(), &clock) == 0 { cpuClock.withLock { $0 = clock } }
        #endif
        defer { cpuClock.withLock { $0 = nil } }
        var descriptors: [pollfd] = []
        var polled: [HTTPConnection] = []
        while true {
            var now = MonotonicClock.now()
            if draining && (connections.isEmpty || now >= drainDeadline) { break }
            descriptors.removeAll(keepingCapacity: true)
            polled.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0))
            let accepting = listener >= 0 && now >= acceptPausedUntil
            descriptors.append(pollfd(fd: accepting ? listener : -1, events: Int16(POLLIN), revents: 0))
            var nextDeadline = draining ? drainDeadline : now + 5
            if listener >= 0 && !accepting { nextDeadline = min(nextDeadline, acceptPausedUntil) }
            for connection in connections.values {
                var events: Int32 = 0
                if connection.wantsRead { events |= Int32(POLLIN) }
                if !connection.outbound.isEmpty { events |= Int32(POLLOUT) }
                descriptors.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
                polled.append(connection)
                if let deadline = connection.deadline(configuration) { nextDeadline = min(nextDeadline, deadline) }
            }
            let timeout = Int32(max(0, min(5000, ((nextDeadline - now) * 1000).rounded(.up))))
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno != EINTR {
                logger.error("poll failed: \(String(cString: strerror(errno)))")
                break
            }
            if ready > 0 {
                for (index, connection) in polled.enumerated() {
                    let revents = Int32(descriptors[index + 2].revents)
                    guard revents != 0, connections[connection.id] === connection else { continue }
                    handle(connection, revents: revents)
                }
                if descriptors[1].revents != 0 { acceptConnections() }
                if descriptors[0].revents != 0 {
                    for message in mailbox.drain() { receive(message) }
                }
            }
            now = MonotonicClock.now()
            for connection in connections.values where connections[connection.id] === connection {
                if let deadline = connection.deadline(configuration), deadline <= now { timeOut(connection) }
            }
        }
        finish()
    }

    /// CPU seconds the loop thread has used, or nil when it is not running.
    func cpuSeconds() -> Double? {
        cpuClock.withLock { clock in
            // Read under the lock: the thread clears it before it exits, so the clock is valid here.
            guard let clock else { return nil }
            var spec = timespec()
            guard clock_gettime(clock, &spec) == 0 else { return nil }
            return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
        }
    }

    private func handle(_ connection: HTTPConnection, revents: Int32) {
        if revents & Int32(POLLNVAL | POLLERR) != 0 {
            close(connection)
            return
        }
        if revents & Int32(POLLOUT) != 0 {
            flush(connection)
            guard connections[connection.id] === connection else { return }
        }
        if revents & Int32(POLLIN | POLLHUP) != 0 {
            readAvailable(connection)
        }
        // Hang-up (both directions shut) is reported whatever was asked for: with the peer's
        // side already read to its end, nothing more can be read or written.
        if revents & Int32(POLLHUP) != 0, connection.peerClosed, connections[connection.id] === connection {
            close(connection)
        }
    }

    /// A deadline passed: a request too slow to arrive gets 408 (the client learns why), a
    /// silent or stalled connection is just closed.
    private func timeOut(_ connection: HTTPConnection) {
        switch connection.phase {
        case .readingBody(let head, _) where configuration.minRequestBodyBytesPerSecond > 0:
            let rate = String(format: "%g", configuration.minRequestBodyBytesPerSecond)
            let grace = String(format: "%g", configuration.requestBodyGracePeriod)
            reject(connection, HTTPParseError(
                status: 408, code: "body_too_slow",
                message: "the request body arrived slower than \(rate) bytes/s (after the first \(grace) s)"),
                request: makeRequest(head, body: Data(), on: connection))
        case .readingHead where !connection.betweenRequests && !connection.inbound.isEmpty:
            reject(connection, HTTPParseError(
                status: 408, code: "headers_too_slow",
                message: "the request line and headers were not complete within \(String(format: "%g", configuration.headerTimeout)) s"))
        default:
            logger.debug("closing \(connection.remoteAddress): timed out")
            close(connection)
        }
    }

    private func acceptConnections() {
        for _ in 0..<128 {
            switch POSIXSocket.accept(listener) {
            case .success(let (descriptor, host, remote)):
                let now = MonotonicClock.now()
                let fromHost = connectionsPerHost[host, default: 0]
                if fromHost >= configuration.maxConnectionsPerAddress {
                    refuse(descriptor, code: "too_many_connections_from_address",
                           message: "this address has \(fromHost) connections open, the most allowed")
                    logger.warning("refused a connection from \(host): \(fromHost) open (limit per address \(configuration.maxConnectionsPerAddress))")
                    continue
                }
                if connections.count >= configuration.maxConnections && !evictIdleConnection() {
                    refuse(descriptor, code: "too_many_connections", message: "the server is at its connection limit")
                    logger.warning("refused a connection: \(connections.count) open, none idle (limit \(configuration.maxConnections))")
                    continue
                }
                let connection = HTTPConnection(
                    id: nextID, descriptor: descriptor, remoteHost: host, remoteAddress: remote, now: now)
                nextID += 1
                connections[connection.id] = connection
                connectionsPerHost[host] = fromHost + 1
            case .failure(let error):
                switch error.code {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                default:
                    // Out of descriptors or memory: back off instead of spinning on a readable listener.
                    logger.warning("accept failed: \(String(cString: strerror(error.code))); pausing accepts")
                    acceptPausedUntil = MonotonicClock.now() + 0.1
                    return
                }
            }
        }
    }

    /// At the connection cap: closes the keep-alive connection idle the longest (its client
    /// reconnects when it next needs one, as HTTP clients do); false when none is idle.
    private func evictIdleConnection() -> Bool {
        var oldest: HTTPConnection?
        for connection in connections.values where connection.isIdle {
            if oldest.map({ connection.lastActivity < $0.lastActivity }) ?? true { oldest = connection }
        }
        guard let oldest else { return false }
        logger.debug("closing idle \(oldest.remoteAddress) to make room for a new connection")
        close(oldest)
        return true
    }

    /// Over a connection cap: a best-effort 503, then close, without registering the socket.
    private func refuse(_ descriptor: Int32, code: String, message: String) {
        let body = HTTPResponse.errorDocument(code: code, message: message)
        var bytes = ResponseHead.serialize(
            status: 503, headers: ["Content-Type": "application/json"], contentLength: body.count,
            keepAlive: false, date: date.current())
        bytes.append(body)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Self.sendFlags) }
        shutdown(descriptor, Int32(SHUT_WR))
        POSIXSocket.closeDescriptor(descriptor)
    }

    private func receive(_ message: LoopMessage) {
        switch message {
        case .response(let connectionID, let handled):
            guard let connection = connections[connectionID], case .awaitingResponse(let keepAlive) = connection.phase else {
                discard(handled)
                return
            }
            queue(handled, on: connection, requestKeepAlive: keepAlive)
        case .streamData(let connectionID, let data):
            guard let connection = connections[connectionID], case .streaming = connection.phase,
                  !connection.streamEnding else { return }
            if connection.outbound.isEmpty { connection.lastWriteProgress = MonotonicClock.now() }
            connection.outbound.append(.data(data))
            connection.outboundBytes += data.count
            if connection.outboundBytes > configuration.maxStreamBacklogBytes {
                logger.warning("closing event stream to \(connection.remoteAddress): it is not reading")
                close(connection)
                return
            }
            flush(connection)
        case .streamEnd(let connectionID):
            guard let connection = connections[connectionID], case .streaming = connection.phase else { return }
            endStream(connection)
        case .shutdown(let deadline):
            beginDraining(until: deadline)
        }
    }

    /// Stops accepting, drops connections with nothing in flight, and lets the rest finish.
    private func beginDraining(until deadline: Double) {
        guard !draining else { return }
        draining = true
        drainDeadline = deadline
        if listener >= 0 {
            POSIXSocket.closeDescriptor(listener)
            listener = -1
        }
        for connection in Array(connections.values) {
            switch connection.phase {
            case .readingHead, .readingBody, .lingering:
                close(connection)
            case .awaitingResponse, .writing:
                connection.closeAfterResponse = true
            case .streaming(let writer):
                writer.markClosed()
                endStream(connection)
            }
        }
    }

    func endStream(_ connection: HTTPConnection) {
        guard !connection.streamEnding else { return }
        connection.streamEnding = true
        connection.outbound.append(.endOfResponse(keepAlive: false))
        flush(connection)
    }

    func close(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        let remaining = connectionsPerHost[connection.remoteHost, default: 1] - 1
        connectionsPerHost[connection.remoteHost] = remaining > 0 ? remaining : nil
        POSIXSocket.closeDescriptor(connection.descriptor)
        discardSpool(connection)
        for case .file(let descriptor, _) in connection.outbound { POSIXSocket.closeDescriptor(descriptor) }
        connection.outbound.removeAll()
        if case .streaming(let writer) = connection.phase { writer.markClosed() }
    }

    /// A response whose connection is gone: release what it holds.
    func discard(_ handled: HandledRequest) {
        switch handled.payload {
        case .file(let descriptor, _): POSIXSocket.closeDescriptor(descriptor)
        case .stream(let writer): writer?.markClosed()
        case .data: break
        }
    }

    private func finish() {
        for connection in Array(connections.values) { close(connection) }
        if listener >= 0 {
            POSIXSocket.closeDescriptor(listener)
            listener = -1
        }
        for case .response(_, let handled) in mailbox.close() { discard(handled) }
    }

    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0
    #endif
}
