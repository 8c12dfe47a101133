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
    let remoteAddress: String
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
    /// The peer sent FIN: answer what is in flight, then close.
    var peerClosed = false
    /// Shutting down: no keep-alive after the response in flight.
    var closeAfterResponse = false
    var streamEnding = false

    init(id: UInt64, descriptor: Int32, remoteAddress: String, now: Double) {
        self.id = id
        self.descriptor = descriptor
        self.remoteAddress = remoteAddress
        self.headStartedAt = now
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    /// Whether to poll for input. While a request is in flight we buffer a little of what
    /// follows (pipelining) but stop reading past that, so a flood cannot grow memory.
    var wantsRead: Bool {
        switch phase {
        case .awaitingResponse, .writing: inbound.count < 64 << 10
        default: true
        }
    }

    /// When this connection is given up on, for the phase it is in; nil for never.
    func deadline(_ configuration: HTTPServerConfiguration) -> Double? {
        switch phase {
        case .readingHead:
            if inbound.isEmpty && requestsServed > 0 { return lastActivity + configuration.idleTimeout }
            return headStartedAt + configuration.headerTimeout
        case .readingBody:
            return lastActivity + configuration.idleTimeout
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
