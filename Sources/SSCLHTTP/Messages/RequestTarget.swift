/// The parts of a request target: origin form (`/p?q`), absolute form
/// (`http://host/p?q`: its authority, then its path) or `*`.
public struct RequestTarget: Sendable {
    /// The `host[:port]` of an absolute-form target (RFC 9112 §3.2.2: it replaces the Host
    /// header, so host checks must use it); nil for the other forms. May hold a userinfo
    /// (`user@host`), which the caller should refuse.
    public var authority: String?
    public var rawPath: String
    /// nil when the path holds a malformed `%` escape, invalid UTF-8 or a decoded control character.
    public var path: String?
    public var rawQuery: String
    public var query: [String: String]

    public init(_ target: String) {
        var rest = Substring(target)
        authority = nil
        for scheme in ["http://", "https://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                authority = String(rest[..<slash])
                rest = rest[slash...]
            } else {
                authority = String(rest)
                rest = "/"
            }
            if rest.hasPrefix("?") { rest = "/" + rest }
            break
        }
        if let mark = rest.firstIndex(of: "?") {
            rawPath = String(rest[..<mark])
            rawQuery = String(rest[rest.index(after: mark)...])
        } else {
            rawPath = String(rest)
            rawQuery = ""
        }
        path = Self.percentDecode(rawPath, plusIsSpace: false).flatMap { decoded in
            decoded.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? nil : decoded
        }
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = ""
            }
            let key = Self.percentDecode(name, plusIsSpace: true) ?? String(name)
            query[key] = Self.percentDecode(value, plusIsSpace: true) ?? String(value)
        }
        self.query = query
    }

    /// Decodes `%XX` escapes; nil on a malformed escape or bytes that are not UTF-8.
    static func percentDecode<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
