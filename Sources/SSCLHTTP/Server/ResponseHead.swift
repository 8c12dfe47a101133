import Foundation

/// The status line and header block of a response. The server owns `Date`, `Server`
/// (unless the handler set one), `Content-Length` and `Connection`; header text that would
/// break the framing (CR, LF, NUL) is replaced so a handler cannot inject fields.
enum ResponseHead {
    private static let owned: Set<String> = ["content-length", "connection", "date", "transfer-encoding", "keep-alive"]

    static func serialize(status: Int, headers: HTTPHeaders, contentLength: Int?, keepAlive: Bool, date: String) -> Data {
        var text = "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n"
        text += "Date: \(date)\r\n"
        if !headers.contains("Server") { text += "Server: sscl\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        for (name, value) in headers where !owned.contains(name.lowercased()) {
            text += "\(sanitized(name)): \(sanitized(value))\r\n"
        }
        text += "\r\n"
        return Data(text.utf8)
    }

    private static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" || $0 == "\0" ? " " : $0 }))
    }
}
