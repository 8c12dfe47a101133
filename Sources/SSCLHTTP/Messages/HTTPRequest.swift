import Foundation

/// One parsed request, handed to an `HTTPHandler` on a handler thread.
public struct HTTPRequest: Sendable {
    /// The method; a HEAD request reads "GET" here (see `isHead`) so GET routes answer it.
    public var method: String
    /// True when the client sent HEAD: the server sends the head of the GET response, no body.
    public var isHead: Bool
    /// The raw request target as sent (`/a%20b?x=1`).
    public var target: String
    /// The percent-decoded path, without the query (`/a b`). Not normalised: `..` stays.
    public var path: String
    /// The path as sent, still percent-encoded, without the query.
    public var rawPath: String
    /// The raw query string after `?` (empty when absent).
    public var rawQuery: String
    /// Decoded query parameters (`+` is a space); the last of repeated names wins.
    public var query: [String: String]
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    public var headers: HTTPHeaders
    public var body: Data
    /// The body's file when the handler asked for one (`HTTPBodyDestination.file`); `body` is
    /// then empty. Deleted by the server once the handler returns.
    public var bodyFile: URL?
    /// The peer as `host:port` (`[host]:port` for IPv6).
    public var remoteAddress: String

    /// Builds a request from its target; an invalid percent-encoding in the path leaves
    /// `path` equal to `rawPath` (the server itself answers such targets with 400).
    public init(
        method: String, target: String, version: String = "HTTP/1.1",
        headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), remoteAddress: String = "",
        isHead: Bool = false
    ) {
        let parts = RequestTarget(target)
        self.method = method
        self.isHead = isHead
        self.target = target
        self.rawPath = parts.rawPath
        self.path = parts.path ?? parts.rawPath
        self.rawQuery = parts.rawQuery
        self.query = parts.query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The method the client sent on the wire (HEAD for HEAD requests).
    public var wireMethod: String { isHead ? "HEAD" : method }
}
