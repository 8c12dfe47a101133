import Foundation
import Logging
@testable import SSCLHTTP

extension HTTPServer {
    /// A started server on an ephemeral 127.0.0.1 port with `TestRoutes` unless told otherwise.
    static func make(
        _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        handler: any HTTPHandler = TestRoutes(), logger: Logger = .quiet,
        onRequestCompleted: (@Sendable (HTTPRequest, Int, Double) -> Void)? = nil
    ) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(port: 0)
        configure(&configuration)
        let server = HTTPServer(
            configuration: configuration, handler: handler, logger: logger, onRequestCompleted: onRequestCompleted)
        try server.start()
        return server
    }

    func client(timeout: Double = 5, receiveBufferBytes: Int32? = nil, sourceAddress: String? = nil) throws -> RawClient {
        try RawClient(port: port, timeout: timeout, receiveBufferBytes: receiveBufferBytes, sourceAddress: sourceAddress)
    }
}

extension Logger {
    static let quiet = Logger(label: "sscl.http.test") { _ in SwiftLogNoOpLogHandler() }
}

/// Routes exercising each kind of response.
struct TestRoutes: HTTPHandler {
    var streams = StreamRegistry()

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/hello"):
            return .text(200, "hello")
        case ("POST", "/echo"), ("PUT", "/echo"):
            var headers = HTTPHeaders()
            headers.set(name: "Content-Type", value: request.headers["Content-Type"] ?? "application/octet-stream")
            return HTTPResponse(status: 200, headers: headers, body: .data(request.body))
        case (_, "/info"):
            let info: [String: Any] = [
                "method": request.method, "path": request.path, "rawPath": request.rawPath, "query": request.query,
                "version": request.version, "isHead": request.isHead, "target": request.target,
                "remote": request.remoteAddress, "host": request.headers["host"] ?? "",
            ]
            return .json(200, try! JSONSerialization.data(withJSONObject: info, options: [.sortedKeys]))
        case ("GET", "/slow"):
            usleep(UInt32(Int(request.query["ms"] ?? "300")! * 1000))
            return .text(200, "slow")
        case ("GET", "/big"):
            let count = Int(request.query["bytes"] ?? "0")!
            return HTTPResponse(status: 200, body: .data(Data((0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) })))
        case ("GET", "/file"):
            return .file(URL(fileURLWithPath: request.query["path"] ?? "/nonexistent"), contentType: "application/octet-stream")
        case ("GET", "/events"):
            let streams = streams
            return .eventStream { writer in streams.add(writer) }
        case ("GET", "/close"):
            return .text(200, "bye", headers: ["Connection": "close"])
        case ("DELETE", "/thing"):
            return .empty(204)
        default:
            return .error(404, code: "not_found", message: "no route for \(request.path)")
        }
    }
}

/// Writers handed out by `/events`, for tests to push through.
final class StreamRegistry: @unchecked Sendable {
    private let condition = NSCondition()
    private var writers: [EventStreamWriter] = []

    func add(_ writer: EventStreamWriter) {
        condition.lock()
        writers.append(writer)
        condition.broadcast()
        condition.unlock()
    }

    /// The `index`th writer, waiting up to `timeout` seconds for it.
    func writer(_ index: Int = 0, timeout: Double = 5) -> EventStreamWriter? {
        condition.lock()
        defer { condition.unlock() }
        let limit = Date(timeIntervalSinceNow: timeout)
        while writers.count <= index {
            if !condition.wait(until: limit) { return nil }
        }
        return writers[index]
    }
}

/// Log lines kept for assertions.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    var logger: Logger {
        Logger(label: "sscl.http.test") { _ in CapturingHandler(log: self) }
    }

    fileprivate func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
}

private struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.append("\(event.level) \(event.message)")
    }
}

/// Waits until `condition` holds or `timeout` seconds pass.
func eventually(timeout: Double = 3, _ condition: () -> Bool) -> Bool {
    let limit = Date(timeIntervalSinceNow: timeout)
    while Date() < limit {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// A GET request with the usual Host header.
func get(_ target: String, headers: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)\r\n"
}
