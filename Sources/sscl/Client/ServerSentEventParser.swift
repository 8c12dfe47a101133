/// The text/event-stream format (WHATWG HTML, "Server-sent events"), parsed incrementally:
/// bytes arrive in arbitrary chunks from the network, so a line, or a CR LF pair, may be split
/// across two calls of `feed`. Events end at a blank line; an unterminated one at the end of
/// the stream is dropped, as the spec says.
struct ServerSentEventParser: Sendable {
    /// The latest `retry:` value in milliseconds, nil until the server sends one.
    private(set) var retryMilliseconds: Int?
    /// The last event id (kept across events, as the spec says).
    private(set) var lastEventID: String?

    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var type = ""
    private var data = ""
    private var hasData = false

    /// Consumes `bytes` and returns the events they complete, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CR LF pair
            }
            if byte == 0x0D || byte == 0x0A {
                afterCR = byte == 0x0D
                if let event = process(line) { events.append(event) }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func process(_ bytes: [UInt8]) -> ServerSentEvent? {
        var text = String(decoding: bytes, as: UTF8.self)
        if atStart {
            atStart = false
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        }
        if text.isEmpty { return dispatch() }
        if text.hasPrefix(":") { return nil }  // a comment (the server's keep-alive)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event":
            type = String(value)
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "id":
            if !value.contains("\u{0}") { lastEventID = String(value) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let ms = Int(value) { retryMilliseconds = ms }
        default:
            break  // unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            type = ""
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(type: type.isEmpty ? "message" : type, data: data, id: lastEventID)
    }
}
