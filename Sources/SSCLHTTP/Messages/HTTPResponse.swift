import Foundation

/// A handler's answer. The server adds `Date`, `Server`, `Content-Length` and `Connection`
/// (any such fields set here are replaced, except `Server`).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: HTTPBody

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = .data(Data())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ data: Data, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .data(data))
    }

    public static func text(
        _ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8",
        headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: contentType)
        return HTTPResponse(status: status, headers: headers, body: .data(Data(text.utf8)))
    }

    public static func empty(_ status: Int = 204, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: .data(Data()))
    }

    public static func file(_ url: URL, contentType: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers, body: .file(url, contentType: contentType))
    }

    public static func eventStream(
        headers: HTTPHeaders = HTTPHeaders(), _ start: @escaping @Sendable (EventStreamWriter) -> Void
    ) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers, body: .eventStream(start))
    }

    /// The service-wide error shape: `{"error": {"code": ..., "message": ...}}`.
    public static func error(_ status: Int, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, errorDocument(code: code, message: message), headers: headers)
    }

    static func errorDocument(code: String, message: String) -> Data {
        Data("{\"error\":{\"code\":\(jsonString(code)),\"message\":\(jsonString(message))}}".utf8)
    }

    /// A JSON string literal; escapes quotes, backslashes and control characters.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
