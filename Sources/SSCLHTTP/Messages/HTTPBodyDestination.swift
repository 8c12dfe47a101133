import Foundation

/// Where the server puts a request body while it arrives (`HTTPHandler.bodyDestination`).
public enum HTTPBodyDestination: Sendable, Equatable {
    /// In memory, up to the server's `maxBodyBytes`, handed over as `HTTPRequest.body`.
    case memory
    /// Written to a new file in `directory` as it arrives, so a large upload never sits in
    /// memory; a declared length over `maxBytes` gets 413 before any of the body is read. The
    /// request reaches the handler with `bodyFile` set (and `body` empty); the server deletes the
    /// file once `handle` returns, so a handler that keeps it moves it (a rename in the same
    /// file system). The directory must exist.
    case file(directory: URL, maxBytes: Int)
}
