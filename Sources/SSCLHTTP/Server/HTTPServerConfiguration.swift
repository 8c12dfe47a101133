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
    /// Seconds a client has to send a complete request head (from connect, or from the first byte).
    public var headerTimeout: Double = 10
    /// Seconds a keep-alive connection may sit between requests, and a stalled read or write may last.
    public var idleTimeout: Double = 60
    /// Open connections beyond this are answered 503 and closed.
    public var maxConnections: Int = 1024
    /// Threads running `HTTPHandler.handle`.
    public var handlerThreads: Int = 4
    /// Bytes an event stream may have queued for a slow reader before it is dropped.
    public var maxStreamBacklogBytes: Int = 8 << 20

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20,
        maxHeaderBytes: Int = 16 << 10, headerTimeout: Double = 10, idleTimeout: Double = 60,
        maxConnections: Int = 1024, handlerThreads: Int = 4
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.handlerThreads = handlerThreads
    }
}
