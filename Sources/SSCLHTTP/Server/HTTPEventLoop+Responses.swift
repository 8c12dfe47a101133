#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writing: responses serialised and queued, written as far as the socket accepts (files
/// read from disk a slice at a time), then the connection kept alive or closed.
extension HTTPEventLoop {
    func queue(_ handled: HandledRequest, on connection: HTTPConnection, requestKeepAlive: Bool) {
        let request = handled.request
        let forbidsBody = HTTPStatus.forbidsBody(handled.status)
        var keepAlive = requestKeepAlive && !connection.closeAfterResponse && !connection.peerClosed && !draining
            && !handled.headers.hasToken("close", for: "Connection")
        var headers = handled.headers
        let head: Data
        switch handled.payload {
        case .data(let data):
            head = ResponseHead.serialize(
                status: handled.status, headers: headers, contentLength: forbidsBody ? nil : data.count,
                keepAlive: keepAlive, date: date.current())
            connection.outbound.append(.data(head))
            connection.outboundBytes += head.count
            if !request.isHead && !forbidsBody && !data.isEmpty {
                connection.outbound.append(.data(data))
                connection.outboundBytes += data.count
            }
            connection.phase = .writing
        case .file(let descriptor, let size):
            head = ResponseHead.serialize(
                status: handled.status, headers: headers, contentLength: size, keepAlive: keepAlive, date: date.current())
            connection.outbound.append(.data(head))
            connection.outboundBytes += head.count
            if request.isHead || size == 0 {
                POSIXSocket.closeDescriptor(descriptor)
            } else {
                connection.outbound.append(.file(descriptor: descriptor, remaining: size))
            }
            connection.phase = .writing
        case .stream(let writer):
            keepAlive = false
            headers.set(name: "Content-Type", value: "text/event-stream")
            headers.set(name: "Cache-Control", value: "no-cache")
            headers.set(name: "X-Accel-Buffering", value: "no")
            head = ResponseHead.serialize(
                status: handled.status, headers: headers, contentLength: nil, keepAlive: false, date: date.current())
            connection.outbound.append(.data(head))
            connection.outboundBytes += head.count
            if let writer, !draining {
                // Stays open; the writer's close (or shutdown) queues the end, after every event sent before it.
                connection.phase = .streaming(writer)
                connection.streamEnding = false
            } else {
                writer?.markClosed()
                connection.phase = .writing
            }
        }
        if case .writing = connection.phase {
            connection.outbound.append(.endOfResponse(keepAlive: keepAlive))
        }
        // A stalled write is timed from now, not from whatever this connection last wrote.
        connection.lastWriteProgress = MonotonicClock.now()
        let seconds = connection.lastWriteProgress - handled.receivedAt
        logger.info("\(request.wireMethod) \(request.path) \(handled.status) \(String(format: "%.1f", seconds * 1000))ms")
        onRequestCompleted?(request, handled.status, seconds)
        flush(connection)
    }

    /// Writes queued chunks until the socket would block or the queue is empty.
    func flush(_ connection: HTTPConnection) {
        while connections[connection.id] === connection, let chunk = connection.outbound.first {
            switch chunk {
            case .data(let data):
                let remaining = data.count - connection.outboundOffset
                let sent = data.withUnsafeBytes { buffer in
                    send(connection.descriptor, buffer.baseAddress! + connection.outboundOffset, remaining, Self.sendFlags)
                }
                if sent < 0 {
                    if errno == EINTR { continue }
                    if errno != EAGAIN && errno != EWOULDBLOCK { close(connection) }
                    return
                }
                connection.lastWriteProgress = MonotonicClock.now()
                connection.outboundBytes -= sent
                if case .streaming(let writer) = connection.phase { writer.acknowledgeWritten(sent) }
                if sent < remaining {
                    connection.outboundOffset += sent
                    return
                }
                connection.outboundOffset = 0
                connection.outbound.removeFirst()
            case .file(let descriptor, let remaining):
                let slice = min(remaining, 256 << 10)
                var data = Data(count: slice)
                let count = data.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, slice) }
                guard count > 0 else {
                    // The file shrank under us: the promised length cannot be met, so end the connection.
                    logger.warning("file ended early while sending to \(connection.remoteAddress)")
                    close(connection)
                    return
                }
                if count < slice { data.removeSubrange(count...) }
                connection.outboundBytes += count
                if count == remaining {
                    POSIXSocket.closeDescriptor(descriptor)
                    connection.outbound[0] = .data(data)
                } else {
                    connection.outbound[0] = .file(descriptor: descriptor, remaining: remaining - count)
                    connection.outbound.insert(.data(data), at: 0)
                }
            case .endOfResponse(let keepAlive):
                connection.outbound.removeFirst()
                finishResponse(connection, keepAlive: keepAlive)
                return
            }
        }
    }

    private func finishResponse(_ connection: HTTPConnection, keepAlive: Bool) {
        connection.requestsServed += 1
        connection.streamEnding = false
        connection.outboundBytes = 0
        if case .streaming(let writer) = connection.phase { writer.markClosed() }
        guard keepAlive, !draining, !connection.closeAfterResponse, !connection.peerClosed else {
            closeGracefully(connection)
            return
        }
        let now = MonotonicClock.now()
        connection.phase = .readingHead
        connection.headStartedAt = now
        connection.lastActivity = now
        connection.betweenRequests = connection.inbound.isEmpty
        processInbound(connection)
        if connections[connection.id] === connection, !connection.outbound.isEmpty { flush(connection) }
    }

    /// Shuts our side and lingers briefly, reading and discarding, so that unread request
    /// bytes do not make the kernel reset the connection before the client reads our answer.
    private func closeGracefully(_ connection: HTTPConnection) {
        if draining || connection.peerClosed {
            shutdown(connection.descriptor, Int32(SHUT_WR))
            close(connection)
            return
        }
        shutdown(connection.descriptor, Int32(SHUT_WR))
        connection.inbound.removeAll()
        connection.phase = .lingering(until: MonotonicClock.now() + min(2, configuration.idleTimeout))
    }
}
