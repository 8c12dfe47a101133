import Foundation

/// What `sscl serve` is started with.
public struct ServiceConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// With a token, every `/v1` call needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Host names accepted in the `Host` header besides the bound address and localhost.
    public var allowedHosts: [String] = []
    /// Dataset paths in jobs resolve inside it (relative paths against it).
    public var dataDirectory: URL
    /// The dashboard's files.
    public var publicDirectory: URL?
    public var maxBodyBytes = 1 << 20
    /// Largest dataset upload (`POST /v1/datasets`), streamed to disk rather than held in memory.
    public var maxUploadBytes = 2 << 30
    /// What an uploaded image-folder archive may unpack to.
    public var archiveLimits = ArchiveLimits()
    /// Seconds a client has to send complete request headers.
    public var headerTimeout: Double = 10
    /// Seconds an idle keep-alive connection stays open.
    public var idleTimeout: Double = 60
    /// Open connections; at the limit the longest-idle keep-alive connection makes room.
    public var maxConnections = 1024
    /// Open connections from one remote address.
    public var maxConnectionsPerAddress = 256
    /// Bytes per second a request body must average once it has taken 5 s (0: no minimum).
    public var minRequestBodyBytesPerSecond: Double = 240
    /// Threads of the service's own for embed, neighbours and projections (`--inference-threads`).
    public var inferenceThreads = 1
    /// Inference requests running or waiting at once (more get 503); the HTTP server gets this
    /// many handler threads on top of its own, so they never hold up the rest of the API.
    public var maxInferenceRequests = 16
    /// Bytes the inference cache may hold: datasets, weights, train embeddings (`--embedding-cache-mb`).
    public var embeddingCacheBytes = 512 << 20

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// True when bound to a loopback address only.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
