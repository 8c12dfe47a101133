#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reading: bytes in, request heads parsed and checked against the limits, complete
/// requests handed to the handler pool one at a time per connection (so pipelined
/// requests are answered in order).
extension HTTPEventLoop {
    func readAvailable(_ connection: HTTPConnection) {
        for _ in 0..<4 where connection.wantsRead && !connection.peerClosed {
            let count = scratch.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                connection.lastActivity = MonotonicClock.now()
                switch connection.phase {
                case .streaming, .lingering:
                    continue
                case .readingHead where connection.betweenRequests:
                    // The next request's first byte (a blank line counts): its head's clock starts.
                    connection.betweenRequests = false
                    connection.headStartedAt = connection.lastActivity
                default:
                    break
                }
                connection.inbound.append(contentsOf: scratch[0..<count])
                if count < scratch.count { break }
            } else if count == 0 {
                connection.peerClosed = true
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                close(connection)
                return
            }
        }
        processInbound(connection)
        guard connections[connection.id] === connection, connection.peerClosed else { return }
        switch connection.phase {
        case .readingHead, .readingBody, .streaming, .lingering:
            close(connection)
        case .awaitingResponse, .writing:
            break
        }
    }

    /// Advances the connection as far as its buffered bytes allow.
    func processInbound(_ connection: HTTPConnection) {
        while connections[connection.id] === connection {
            switch connection.phase {
            case .readingHead:
                guard readHead(connection) else { return }
            case .readingBody(let head, let receivedAt):
                if let spool = connection.spool {
                    guard spoolBody(connection, spool, head: head) else { return }
                    var request = makeRequest(head, body: Data(), on: connection)
                    request.bodyFile = spool.url
                    dispatch(request, keepAlive: head.keepAlive, receivedAt: receivedAt, on: connection)
                    return
                }
                guard connection.inbound.count >= head.contentLength else { return }
                let body = Data(connection.inbound[0..<head.contentLength])
                connection.inbound.removeFirst(head.contentLength)
                dispatch(makeRequest(head, body: body, on: connection), keepAlive: head.keepAlive,
                         receivedAt: receivedAt, on: connection)
                return
            default:
                return
            }
        }
    }

    /// Parses a head if one is complete; false when more bytes are needed or it was rejected.
    private func readHead(_ connection: HTTPConnection) -> Bool {
        let leading = connection.inbound.prefix { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }.count
        if leading > 0 {
            connection.inbound.removeFirst(leading)
            connection.scanOffset = 0
        }
        guard !connection.inbound.isEmpty else { return false }
        guard let end = RequestHeadParser.headEnd(in: connection.inbound, from: connection.scanOffset) else {
            if connection.inbound.count > configuration.maxHeaderBytes {
                reject(connection, HTTPParseError(
                    status: 431, code: "headers_too_large",
                    message: "the request line and headers exceed \(configuration.maxHeaderBytes) bytes"))
            } else {
                connection.scanOffset = max(0, connection.inbound.count - 3)
            }
            return false
        }
        guard end <= configuration.maxHeaderBytes else {
            reject(connection, HTTPParseError(
                status: 431, code: "headers_too_large",
                message: "the request line and headers exceed \(configuration.maxHeaderBytes) bytes"))
            return false
        }
        let result = RequestHeadParser.parse(connection.inbound[0..<end])
        connection.inbound.removeFirst(end)
        connection.scanOffset = 0
        switch result {
        case .failure(let error):
            reject(connection, error)
            return false
        case .success(let head):
            let now = MonotonicClock.now()
            let destination = handler.bodyDestination(for: makeRequest(head, body: Data(), on: connection))
            let limit: Int
            switch destination {
            case .memory: limit = configuration.maxBodyBytes
            case .file(_, let maxBytes): limit = maxBytes
            }
            if head.contentLength > limit {
                reject(connection, HTTPParseError(
                    status: 413, code: "body_too_large",
                    message: "the body exceeds \(limit) bytes"),
                    request: makeRequest(head, body: Data(), on: connection))
                return false
            }
            if case .file(let directory, _) = destination {
                let url = directory.appendingPathComponent("body-\(UUID().uuidString).part")
                let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    logger.error("cannot create \(url.path) for a request body: \(String(cString: strerror(errno)))")
                    reject(connection, HTTPParseError(
                        status: 500, code: "body_not_stored", message: "the server could not create a file for the body"),
                        request: makeRequest(head, body: Data(), on: connection))
                    return false
                }
                connection.spool = BodySpool(url: url, descriptor: descriptor)
            }
            connection.phase = .readingBody(head, receivedAt: now)
            if head.expectsContinue && head.version == "HTTP/1.1" && connection.inbound.count < head.contentLength {
                connection.outbound.append(.data(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)))
                flush(connection)
            }
            return true
        }
    }

    /// Moves the buffered body bytes into the spool file; true once the whole body is there
    /// (the file is closed), false while more is to come or after a failed write (answered 500).
    ///
    /// The write happens here, on the loop thread: at most what one poll round read (4 reads of
    /// the 64 KiB scratch buffer), and a write to a local disk lands in the page cache in
    /// microseconds. Handing chunks to another thread would need a second, bounded queue and
    /// back-pressure on reading for no gain on a local data directory; the cost is that a data
    /// directory on a stalling network file system would stall the other connections too.
    private func spoolBody(_ connection: HTTPConnection, _ spool: BodySpool, head: ParsedHead) -> Bool {
        let take = min(connection.inbound.count, head.contentLength - spool.written)
        var offset = 0
        while offset < take {
            let count = connection.inbound.withUnsafeBytes { write(spool.descriptor, $0.baseAddress! + offset, take - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                logger.error("writing a request body to \(spool.url.path) failed: \(String(cString: strerror(errno)))")
                reject(connection, HTTPParseError(
                    status: 500, code: "body_not_stored", message: "the server could not store the body (disk full?)"),
                    request: makeRequest(head, body: Data(), on: connection))
                return false
            }
            offset += count
        }
        if take == connection.inbound.count { connection.inbound.removeAll(keepingCapacity: true) } else {
            connection.inbound.removeFirst(take)
        }
        spool.written += take
        guard spool.written == head.contentLength else { return false }
        POSIXSocket.closeDescriptor(spool.descriptor)
        spool.descriptor = -1
        connection.spool = nil
        return true
    }

    /// Closes and deletes a body file the request will not reach a handler with.
    func discardSpool(_ connection: HTTPConnection) {
        guard let spool = connection.spool else { return }
        if spool.descriptor >= 0 { POSIXSocket.closeDescriptor(spool.descriptor) }
        unlink(spool.url.path)
        connection.spool = nil
    }

    func makeRequest(_ head: ParsedHead, body: Data, on connection: HTTPConnection) -> HTTPRequest {
        let isHead = head.method == "HEAD"
        return HTTPRequest(
            method: isHead ? "GET" : head.method, target: head.target, version: head.version, headers: head.headers,
            body: body, remoteAddress: connection.remoteAddress, isHead: isHead)
    }

    /// Hands the request to a handler thread; the response comes back through the mailbox.
    private func dispatch(_ request: HTTPRequest, keepAlive: Bool, receivedAt: Double, on connection: HTTPConnection) {
        connection.phase = .awaitingResponse(keepAlive: keepAlive)
        let handler = handler, mailbox = mailbox, pool = pool, id = connection.id
        let accepted = pool.submit {
            let response = handler.handle(request)
            // The handler moved the body's file if it keeps it; whatever is left goes.
            if let file = request.bodyFile { unlink(file.path) }
            var handled = HandledRequest(
                request: request, status: response.status, headers: response.headers, payload: .data(Data()),
                receivedAt: receivedAt)
            var start: (@Sendable (EventStreamWriter) -> Void)?
            switch response.body {
            case .data(let data):
                handled.payload = .data(data)
            case .file(let url, let contentType):
                if let (descriptor, size) = Self.openRegularFile(url) {
                    handled.payload = .file(descriptor: descriptor, size: size)
                    handled.headers.set(name: "Content-Type", value: contentType)
                } else {
                    handled.status = 404
                    handled.headers = ["Content-Type": "application/json"]
                    handled.payload = .data(HTTPResponse.errorDocument(code: "not_found", message: "no such file"))
                }
            case .eventStream(let body):
                if request.isHead {
                    handled.payload = .stream(nil)
                } else {
                    let writer = EventStreamWriter(connectionID: id, mailbox: mailbox) { callback in
                        if !pool.submit(callback) { callback() }
                    }
                    handled.payload = .stream(writer)
                    start = body
                }
            }
            guard mailbox.post(.response(connectionID: id, handled)) else {
                if case .file(let descriptor, _) = handled.payload { POSIXSocket.closeDescriptor(descriptor) }
                if case .stream(let writer?) = handled.payload { writer.markClosed() }
                return
            }
            if let start, case .stream(let writer?) = handled.payload { start(writer) }
        }
        if !accepted {
            if let file = request.bodyFile { unlink(file.path) }
            reject(connection, HTTPParseError(status: 503, code: "shutting_down", message: "the server is shutting down"),
                   request: request)
        }
    }

    /// Opens a regular file for reading on the calling (handler) thread.
    private static func openRegularFile(_ url: URL) -> (Int32, Int)? {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            POSIXSocket.closeDescriptor(descriptor)
            return nil
        }
        return (descriptor, Int(info.st_size))
    }

    /// Answers a request the server refuses itself with the JSON error shape, then closes.
    func reject(_ connection: HTTPConnection, _ error: HTTPParseError, request: HTTPRequest? = nil) {
        discardSpool(connection)
        let body = HTTPResponse.errorDocument(code: error.code, message: error.message)
        var bytes = ResponseHead.serialize(
            status: error.status, headers: ["Content-Type": "application/json"], contentLength: body.count,
            keepAlive: false, date: date.current())
        bytes.append(body)
        connection.phase = .writing
        connection.lastWriteProgress = MonotonicClock.now()
        connection.inbound.removeAll()
        connection.outbound.append(.data(bytes))
        connection.outboundBytes += bytes.count
        connection.outbound.append(.endOfResponse(keepAlive: false))
        let request = request ?? error.method.map { method in
            HTTPRequest(method: method, target: error.target ?? "", remoteAddress: connection.remoteAddress)
        }
        let method = request?.wireMethod ?? "-", path = request?.path ?? "-"
        logger.info("\(method) \(path) \(error.status) 0.0ms")
        if let request { onRequestCompleted?(request, error.status, 0) }
        flush(connection)
    }
}
