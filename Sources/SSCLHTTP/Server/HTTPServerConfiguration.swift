/// Where to listen and the limits that keep one client from holding the server.
public struct HTTPServerConfiguration: Sendable {
    /// An IPv4 or IPv6 literal, or a name resolved at start.
    public var host: String = "127.0.0.1"
    /// 0 asks the kernel for a free port; read it back from `HTTPServer.port`.
    public var port: Int = 8080
    /// Larger declared bodies get 413 before any of the body is read.
    public var maxBodyBytes: Int = 1 << 20
    /// Request line plus headers; more gets 431.
    public var maxHeaderBytes: Int = 16 << 10
    /// Seconds a client has to send a complete request head (from connect, or from the first
    /// byte of the next request on a kept-alive connection), however the bytes are spread.
    public var headerTimeout: Double = 10
    /// Seconds a keep-alive connection may sit between requests, and a stalled read or write may last.
    public var idleTimeout: Double = 60
    /// Open connections. At the limit the longest-idle keep-alive connection is closed to make
    /// room; with none idle, a new connection is answered 503 and closed.
    public var maxConnections: Int = 1024
    /// Open connections from one remote address; more are answered 503 and closed, so one
    /// client cannot take every slot.
    public var maxConnectionsPerAddress: Int = 256
    /// After `requestBodyGracePeriod`, a request body must have arrived at this average rate
    /// (bytes per second since its head) or the request gets 408 and the connection closes, so a
    /// body trickled a byte at a time cannot hold a connection forever. 0 turns the check off.
    public var minRequestBodyBytesPerSecond: Double = 240
    /// Seconds a request body may take before `minRequestBodyBytesPerSecond` applies.
    public var requestBodyGracePeriod: Double = 5
    /// Threads running `HTTPHandler.handle`.
    public var handlerThreads: Int = 4
    /// Bytes an event stream may have queued for a slow reader before it is dropped.
    public var maxStreamBacklogBytes: Int = 8 << 20

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20,
        maxHeaderBytes: Int = 16 << 10, headerTimeout: Double = 10, idleTimeout: Double = 60,
        maxConnections: Int = 1024, maxConnectionsPerAddress: Int = 256, minRequestBodyBytesPerSecond: Double = 240,
        requestBodyGracePeriod: Double = 5, handlerThreads: Int = 4
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.minRequestBodyBytesPerSecond = minRequestBodyBytesPerSecond
        self.requestBodyGracePeriod = requestBodyGracePeriod
        self.handlerThreads = handlerThreads
    }
}
