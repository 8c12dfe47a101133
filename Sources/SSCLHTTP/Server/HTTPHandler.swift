import Foundation

/// Turns a request into a response. Called on one of the server's handler threads (never on
/// the event loop and never on Swift's cooperative pool), so it may block briefly, e.g. on
/// a database read.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse

    /// Where this request's body goes, decided from its head alone (`body` is empty) before
    /// any of the body is read. Called on the event-loop thread, so keep it to a lookup (a
    /// route match); the default keeps every body in memory.
    func bodyDestination(for request: HTTPRequest) -> HTTPBodyDestination
}

extension HTTPHandler {
    public func bodyDestination(for request: HTTPRequest) -> HTTPBodyDestination { .memory }
}

/// A handler made from a closure, for tests and small servers.
public struct HTTPClosureHandler: HTTPHandler {
    private let body: @Sendable (HTTPRequest) -> HTTPResponse
    private let destination: @Sendable (HTTPRequest) -> HTTPBodyDestination

    public init(bodyDestination: @escaping @Sendable (HTTPRequest) -> HTTPBodyDestination = { _ in .memory },
                _ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.body = body
        self.destination = bodyDestination
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        body(request)
    }

    public func bodyDestination(for request: HTTPRequest) -> HTTPBodyDestination {
        destination(request)
    }
}
