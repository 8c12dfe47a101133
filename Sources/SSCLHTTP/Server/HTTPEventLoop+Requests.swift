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
            if head.contentLength > configuration.maxBodyBytes {
                reject(connection, HTTPParseError(
                    status: 413, code: "body_too_large",
                    message: "the body exceeds \(configuration.maxBodyBytes) bytes"),
                    request: makeRequest(head, body: Data(), on: connection))
                return false
            }
            connection.phase = .readingBody(head, receivedAt: now)
            if head.expectsContinue && head.version == "HTTP/1.1" && connection.inbound.count < head.contentLength {
                connection.outbound.append(.data(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)))
                flush(connection)
            }
            return true
        }
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
