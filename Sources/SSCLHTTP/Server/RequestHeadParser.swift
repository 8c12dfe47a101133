/// Parses a request head (request line and header fields) strictly: anything ambiguous is
/// rejected rather than guessed at, because lenient parsers are how requests get smuggled.
enum RequestHeadParser {
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// The index just past the blank line that ends the head (CRLF CRLF, or bare LFs),
    /// searching from `start`; nil when the head is not complete yet.
    static func headEnd(in buffer: [UInt8], from start: Int) -> Int? {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var index = max(0, start)
        let count = buffer.count
        while index < count {
            if buffer[index] == lf {
                if index + 1 < count && buffer[index + 1] == lf { return index + 2 }
                if index + 2 < count && buffer[index + 1] == cr && buffer[index + 2] == lf { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// Parses `head`, the bytes before the blank line.
    static func parse(_ head: ArraySlice<UInt8>) -> Result<ParsedHead, HTTPParseError> {
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else {
            return .failure(.malformedRequestLine("empty request line"))
        }
        let partial: ParsedRequestLine
        switch parseRequestLine(requestLine) {
        case .success(let line): partial = line
        case .failure(let error): return .failure(error)
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            switch parseField(line) {
            case .success(let field): headers.add(name: field.name, value: field.value)
            case .failure(let error): return .failure(error.with(partial))
            }
        }
        return finish(partial, headers: headers)
    }

    fileprivate struct ParsedRequestLine {
        var method: String
        var target: String
        var minorVersion: Int
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) -> Result<ParsedRequestLine, HTTPParseError> {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            return .failure(.malformedRequestLine("expected METHOD SP target SP HTTP-version"))
        }
        guard parts[0].allSatisfy(isTokenByte) else {
            return .failure(.malformedRequestLine("the method is not a token"))
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.malformedRequestLine("the request target holds a control character, space or non-ASCII byte"))
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = Array(parts[2])
        guard version.count == 8, version.starts(with: Array("HTTP/".utf8)), version[6] == UInt8(ascii: "."),
              isDigit(version[5]), isDigit(version[7]) else {
            return .failure(.malformedRequestLine("malformed HTTP version"))
        }
        guard version[5] == UInt8(ascii: "1") else {
            return .failure(HTTPParseError(
                status: 505, code: "http_version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are supported",
                method: method, target: target))
        }
        guard methods.contains(method) else {
            return .failure(HTTPParseError(
                status: 501, code: "not_implemented", message: "method \(method) is not implemented",
                method: method, target: target))
        }
        let lower = target.lowercased()
        let originForm = target.hasPrefix("/")
        let absoluteForm = lower.hasPrefix("http://") || lower.hasPrefix("https://")
        let asteriskForm = target == "*" && method == "OPTIONS"
        guard originForm || absoluteForm || asteriskForm else {
            return .failure(.malformedRequestLine("the request target must start with /"))
        }
        return .success(ParsedRequestLine(method: method, target: target, minorVersion: Int(version[7] - UInt8(ascii: "0"))))
    }

    private static func parseField(_ line: ArraySlice<UInt8>) -> Result<(name: String, value: String), HTTPParseError> {
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            return .failure(.malformedHeader("folded header lines are not accepted"))
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return .failure(.malformedHeader("a header line has no colon"))
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            return .failure(.malformedHeader("a header name is empty or not a token"))
        }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == 0x20 || byte == 0x09 { value = value.dropFirst() }
        while let byte = value.last, byte == 0x20 || byte == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            return .failure(.malformedHeader("a header value holds a control character"))
        }
        return .success((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }

    private static func finish(_ line: ParsedRequestLine, headers: HTTPHeaders) -> Result<ParsedHead, HTTPParseError> {
        func fail(_ status: Int, _ code: String, _ message: String) -> Result<ParsedHead, HTTPParseError> {
            .failure(HTTPParseError(status: status, code: code, message: message, method: line.method, target: line.target))
        }
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { return fail(400, "bad_request", "more than one Host header") }
        if line.minorVersion >= 1 && hosts.isEmpty { return fail(400, "missing_host", "HTTP/1.1 requests need a Host header") }
        if headers.contains("Transfer-Encoding") {
            return fail(411, "length_required", "chunked request bodies are not supported; send Content-Length")
        }
        var contentLength = 0
        let lengths = headers.values(for: "Content-Length").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if !lengths.isEmpty {
            var parsed: Set<Int> = []
            for text in lengths {
                let digits = text.trimmingSpaces()
                guard !digits.isEmpty, digits.utf8.allSatisfy(isDigit) else {
                    return fail(400, "invalid_content_length", "Content-Length must be a decimal number")
                }
                parsed.insert(digits.utf8.count > 18 ? Int.max : Int(digits)!)
            }
            guard parsed.count == 1 else {
                return fail(400, "invalid_content_length", "conflicting Content-Length values")
            }
            contentLength = parsed.first!
        }
        let target = RequestTarget(line.target)
        guard target.path != nil else {
            return fail(400, "bad_request", "the path holds a malformed percent-escape or a control character")
        }
        let keepAlive = line.minorVersion >= 1
            ? !headers.hasToken("close", for: "Connection")
            : headers.hasToken("keep-alive", for: "Connection") && !headers.hasToken("close", for: "Connection")
        let expectsContinue = headers["Expect"].map { HTTPHeaders.equalNames($0, "100-continue") } ?? false
        return .success(ParsedHead(
            method: line.method, target: line.target, version: "HTTP/1.\(line.minorVersion)", headers: headers,
            contentLength: contentLength, keepAlive: keepAlive, expectsContinue: expectsContinue))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

/// A request head that parsed.
struct ParsedHead: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: HTTPHeaders
    /// `Int.max` when the declared length does not even fit (the caller answers 413).
    var contentLength: Int
    var keepAlive: Bool
    var expectsContinue: Bool
}

/// A request the server answers itself, with its status and error code.
struct HTTPParseError: Error, Sendable {
    var status: Int
    var code: String
    var message: String
    var method: String?
    var target: String?

    static func malformedRequestLine(_ message: String) -> HTTPParseError {
        HTTPParseError(status: 400, code: "malformed_request_line", message: message)
    }

    static func malformedHeader(_ message: String) -> HTTPParseError {
        HTTPParseError(status: 400, code: "malformed_header", message: message)
    }

    fileprivate func with(_ line: RequestHeadParser.ParsedRequestLine) -> HTTPParseError {
        var copy = self
        copy.method = line.method
        copy.target = line.target
        return copy
    }
}
