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
    private var nextID: UInt64 = 1
    var draining = false
    private var drainDeadline = Double.infinity
    private var acceptPausedUntil = 0.0
    var scratch = [UInt8](repeating: 0, count: 64 << 10)

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
            for connection in connections.values {
                if let deadline = connection.deadline(configuration), deadline <= now {
                    logger.debug("closing \(connection.remoteAddress): timed out")
                    close(connection)
                }
            }
        }
        finish()
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
    }

    private func acceptConnections() {
        for _ in 0..<128 {
            switch POSIXSocket.accept(listener) {
            case .success(let (descriptor, remote)):
                let now = MonotonicClock.now()
                if connections.count >= configuration.maxConnections {
                    refuseBusy(descriptor)
                    continue
                }
                let connection = HTTPConnection(id: nextID, descriptor: descriptor, remoteAddress: remote, now: now)
                nextID += 1
                connections[connection.id] = connection
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

    /// Over the connection cap: a best-effort 503, then close, without registering the socket.
    private func refuseBusy(_ descriptor: Int32) {
        let body = HTTPResponse.errorDocument(code: "too_many_connections", message: "the server is at its connection limit")
        var bytes = ResponseHead.serialize(
            status: 503, headers: ["Content-Type": "application/json"], contentLength: body.count,
            keepAlive: false, date: date.current())
        bytes.append(body)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Self.sendFlags) }
        shutdown(descriptor, Int32(SHUT_WR))
        POSIXSocket.closeDescriptor(descriptor)
        logger.warning("refused a connection: \(connections.count) open (limit \(configuration.maxConnections))")
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
        POSIXSocket.closeDescriptor(connection.descriptor)
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
