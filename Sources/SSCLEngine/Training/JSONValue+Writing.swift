import Foundation

extension JSONValue {
    /// JSON text with members in their stored order. Pretty output indents objects by two
    /// spaces and keeps arrays of scalars on one line (`"hidden": [512, 512]`).
    public func jsonText(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    public func jsonData(pretty: Bool = false) -> Data { Data(jsonText(pretty: pretty).utf8) }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            if !pretty || items.allSatisfy(\.isScalar) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += pretty ? ", " : "," }
                    item.write(to: &out, pretty: pretty, indent: indent)
                }
                out += "]"
            } else {
                writeBlock(open: "[", close: "]", count: items.count, to: &out, indent: indent) { i, out in
                    items[i].write(to: &out, pretty: true, indent: indent + 1)
                }
            }
        case .object(let members):
            if !pretty || members.isEmpty {
                out += "{"
                for (i, m) in members.enumerated() {
                    if i > 0 { out += "," }
                    Self.writeString(m.key, to: &out)
                    out += ":"
                    m.value.write(to: &out, pretty: false, indent: indent)
                }
                out += "}"
            } else {
                writeBlock(open: "{", close: "}", count: members.count, to: &out, indent: indent) { i, out in
                    Self.writeString(members[i].key, to: &out)
                    out += ": "
                    members[i].value.write(to: &out, pretty: true, indent: indent + 1)
                }
            }
        }
    }

    /// One element per line, indented one level deeper than the brackets.
    private func writeBlock(open: String, close: String, count: Int, to out: inout String, indent: Int,
                            element: (Int, inout String) -> Void) {
        let inner = String(repeating: "  ", count: indent + 1)
        out += open + "\n"
        for i in 0..<count {
            out += inner
            element(i, &out)
            out += i + 1 < count ? ",\n" : "\n"
        }
        out += String(repeating: "  ", count: indent) + close
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
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
        out += "\""
    }
}
