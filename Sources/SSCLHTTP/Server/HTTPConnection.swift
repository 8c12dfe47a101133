import Foundation

/// One client connection. Owned by the event loop thread: nothing here is shared.
final class HTTPConnection {
    enum Phase {
        /// Waiting for (the rest of) a request head.
        case readingHead
        /// The head is parsed; waiting for `contentLength` body bytes.
        case readingBody(ParsedHead, receivedAt: Double)
        /// A handler thread has the request.
        case awaitingResponse(keepAlive: Bool)
        /// The response is queued in `outbound`.
        case writing
        /// An open Server-Sent Events stream.
        case streaming(EventStreamWriter)
        /// Our side is shut; discarding input until the peer closes, so unread request bytes
        /// do not turn our close into a reset that destroys the response.
        case lingering(until: Double)
    }

    /// Outbound bytes, in order; file chunks are read from disk as they reach the front.
    enum Chunk {
        case data(Data)
        case file(descriptor: Int32, remaining: Int)
        case endOfResponse(keepAlive: Bool)
    }

    let id: UInt64
    let descriptor: Int32
    /// The peer's `host:port`, as requests and logs show it.
    let remoteAddress: String
    /// The peer's host alone: what the per-address connection cap counts.
    let remoteHost: String
    var phase: Phase = .readingHead
    var inbound: [UInt8] = []
    /// Where the search for the end of the head resumes, so a byte-at-a-time client costs O(n).
    var scanOffset = 0
    var outbound: [Chunk] = []
    /// Bytes of the first outbound data chunk already sent.
    var outboundOffset = 0
    var outboundBytes = 0
    var headStartedAt: Double
    var lastActivity: Double
    var lastWriteProgress: Double
    var requestsServed = 0
    /// Kept alive after a response, no byte of the next request yet: idle, and the first to go
    /// when connection slots run short. The next head's clock starts at its first byte.
    var betweenRequests = false
    /// The peer sent FIN: answer what is in flight, then close.
    var peerClosed = false
    /// Shutting down: no keep-alive after the response in flight.
    var closeAfterResponse = false
    var streamEnding = false
    /// The file a body is being written to (`HTTPBodyDestination.file`), while it arrives.
    var spool: BodySpool?

    init(id: UInt64, descriptor: Int32, remoteHost: String, remoteAddress: String, now: Double) {
        self.id = id
        self.descriptor = descriptor
        self.remoteHost = remoteHost
        self.remoteAddress = remoteAddress
        self.headStartedAt = now
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    /// Whether to poll for input. While a request is in flight we buffer a little of what
    /// follows (pipelining) but stop reading past that, so a flood cannot grow memory. Once the
    /// peer has closed its side there is nothing left to read, and polling for it would wake
    /// the loop at once, forever (end of file stays readable).
    var wantsRead: Bool {
        if peerClosed { return false }
        return switch phase {
        case .awaitingResponse, .writing: inbound.count < 64 << 10
        default: true
        }
    }

    /// Idle between requests with nothing buffered: closing it loses nothing.
    var isIdle: Bool {
        guard case .readingHead = phase else { return false }
        return betweenRequests && inbound.isEmpty
    }

    /// When this connection is given up on, for the phase it is in; nil for never.
    func deadline(_ configuration: HTTPServerConfiguration) -> Double? {
        switch phase {
        case .readingHead:
            if betweenRequests { return lastActivity + configuration.idleTimeout }
            return headStartedAt + configuration.headerTimeout
        case .readingBody(let head, let receivedAt):
            let stalled = lastActivity + configuration.idleTimeout
            let rate = configuration.minRequestBodyBytesPerSecond
            guard rate > 0 else { return stalled }
            // The moment the average rate since the head falls below the minimum, if no more arrives.
            let received = Double(min((spool?.written ?? 0) + inbound.count, head.contentLength))
            return min(stalled, receivedAt + max(configuration.requestBodyGracePeriod, received / rate))
        case .awaitingResponse:
            return nil
        case .writing:
            return lastWriteProgress + configuration.idleTimeout
        case .streaming:
            return outbound.isEmpty ? nil : lastWriteProgress + configuration.idleTimeout
        case .lingering(let until):
            return until
        }
    }
}

/// A request body on its way to disk: the open file and how much of the body it holds.
final class BodySpool {
    let url: URL
    var descriptor: Int32
    var written = 0

    init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }
}
