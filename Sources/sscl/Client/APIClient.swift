import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The service's REST API over URLSession, for the client commands. Calls block the calling
/// thread (the CLI's main thread) on a semaphore until URLSession's queue has the answer; no
/// work runs on Swift's cooperative pool.
final class APIClient: Sendable {
    let base: URL
    let token: String?

    /// What a call answered, whatever its status.
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    init(base: URL, token: String?) {
        self.base = base
        self.token = token
    }

    /// `path` (starting with "/") below the base URL, with `query`.
    func url(_ path: String, query: [URLQueryItem] = []) -> URL {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        let prefix = components.percentEncodedPath.hasSuffix("/")
            ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        components.percentEncodedPath = prefix + path
        components.queryItems = query.isEmpty ? nil : query
        return components.url!
    }

    /// A job id (or any user-given name) as one path segment.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func request(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil,
                 timeout: TimeInterval = 60) -> URLRequest {
        var request = URLRequest(url: url(path, query: query), timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        return request
    }

    /// Sends one request and waits for the whole answer; throws only when there is none.
    func send(_ request: URLRequest) throws -> Response {
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                box.set(.success(Response(status: http.statusCode, body: data ?? Data())))
            } else {
                box.set(.failure(ClientError.unreachable(server: self.base.absoluteString,
                                                         reason: error.map { Self.reason($0) } ?? "no HTTP answer")))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.get()
    }

    /// Sends one request and decodes a 2xx answer as `T`; any other status is a `ClientError.server`.
    func call<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, query: [URLQueryItem] = [],
                            body: Data? = nil) throws -> T {
        let request = request(method, path, query: query, body: body)
        let response = try send(request)
        let name = "\(method) \(path)"
        try Self.check(response, request: name)
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw ClientError.unreadable(request: name, reason: Self.reason(decoding: error))
        }
    }

    /// Throws the server's error for a status other than 2xx.
    static func check(_ response: Response, request: String) throws {
        guard !(200..<300).contains(response.status) else { return }
        throw ClientError.server(status: response.status, request: request,
                                 body: try? JSONDecoder().decode(APIErrorBody.self, from: response.body),
                                 text: String(decoding: response.body.prefix(1000), as: UTF8.self))
    }

    /// An event stream request; `run()` on the result blocks until the server ends the stream,
    /// `onEvent` (called on URLSession's queue, one event at a time) returns false, or it drops.
    /// `idleTimeout`: the server sends a keep-alive every 15 s, so silence this long means dead.
    func streamConnection(_ path: String, lastEventID: Int64?, idleTimeout: TimeInterval = 40,
                          onEvent: @escaping @Sendable (ServerSentEvent) -> Bool) -> EventStreamConnection {
        var request = request("GET", path, timeout: idleTimeout)
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        if let lastEventID { request.setValue(String(lastEventID), forHTTPHeaderField: "Last-Event-ID") }
        return EventStreamConnection(server: base.absoluteString, request: request, onEvent: onEvent)
    }

    /// A URL error in a few words ("Could not connect to the server.").
    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }

    static func reason(decoding error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
             let DecodingError.dataCorrupted(context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// The answer handed from URLSession's queue to the waiting thread (the semaphore orders them).
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<APIClient.Response, any Error> = .failure(ClientError.local("no answer"))

    func set(_ value: Result<APIClient.Response, any Error>) { lock.withLock { result = value } }
    func get() throws -> APIClient.Response { try lock.withLock { result }.get() }
}
