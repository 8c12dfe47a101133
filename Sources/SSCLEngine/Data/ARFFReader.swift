import Foundation

/// Reads Weka's Attribute-Relation File Format (ARFF; OpenML serves it too): `@relation`,
/// one `@attribute NAME TYPE` per column (`numeric`/`real`/`integer`, a nominal
/// `{a, b, c}`, `string`, `date`), then `@data` with one row per line, dense
/// (`1.5, red, ?`) or sparse (`{0 1.5, 2 red}`, absent entries are 0). `%` starts a
/// comment; names and values may be quoted with ' or "; `?` is a missing value.
/// Spec: https://waikato.github.io/weka-wiki/formats_and_processing/arff_stable/
enum ARFFReader {
    enum AttributeType: Equatable {
        case numeric
        case nominal([String])
        case string
        case date
    }

    struct Attribute: Equatable {
        var name: String
        var type: AttributeType
    }

    struct Table {
        var relation: String
        var attributes: [Attribute]
        /// Data rows: one value per attribute, nil where missing (`?`).
        var rows: [[String?]]
        /// The 1-based line of each data row.
        var lines: [Int]
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> Table {
        let text = String(decoding: bytes, as: UTF8.self)
        var relation = ""
        var attributes: [Attribute] = []
        var rows: [[String?]] = []
        var lines: [Int] = []
        var inData = false
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("%") { continue }
            if !inData {
                let lower = line.lowercased()
                if lower.hasPrefix("@relation") {
                    relation = unquote(String(line.dropFirst(9)).trimmingCharacters(in: .whitespaces))
                } else if lower.hasPrefix("@attribute") {
                    attributes.append(try attribute(String(line.dropFirst(10)), file: file, line: lineNumber))
                } else if lower.hasPrefix("@data") {
                    guard !attributes.isEmpty else {
                        throw DatasetError(file: file, row: lineNumber, "@data comes before any @attribute")
                    }
                    inData = true
                } else {
                    throw DatasetError(file: file, row: lineNumber, "expected @relation, @attribute or @data")
                }
                continue
            }
            let values: [String?]
            if line.hasPrefix("{") {
                values = try sparseRow(line, attributes: attributes, file: file, line: lineNumber)
            } else {
                let fields = try split(stripComment(line), file: file, line: lineNumber)
                guard fields.count == attributes.count else {
                    throw DatasetError(file: file, row: lineNumber,
                                       "has \(fields.count) values but there are \(attributes.count) attributes")
                }
                values = fields.map { $0 == "?" ? nil : $0 }
            }
            rows.append(values)
            lines.append(lineNumber)
        }
        guard inData else { throw DatasetError(file: file, "no @data section: not an ARFF file?") }
        return Table(relation: relation, attributes: attributes, rows: rows, lines: lines)
    }

    /// `NAME TYPE`, the name possibly quoted.
    private static func attribute(_ rest: String, file: String, line: Int) throws -> Attribute {
        let text = rest.trimmingCharacters(in: .whitespaces)
        var name = ""
        var remainder = Substring(text)
        if let q = text.first, q == "'" || q == "\"" {
            guard let end = text.dropFirst().firstIndex(of: q) else {
                throw DatasetError(file: file, row: line, "unterminated quoted attribute name")
            }
            name = String(text[text.index(after: text.startIndex)..<end])
            remainder = text[text.index(after: end)...]
        } else {
            let parts = text.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else { throw DatasetError(file: file, row: line, "an @attribute needs a name and a type") }
            name = String(parts[0])
            remainder = parts[1]
        }
        let type = remainder.trimmingCharacters(in: .whitespaces)
        let lower = type.lowercased()
        if type.hasPrefix("{") {
            guard let close = type.lastIndex(of: "}") else {
                throw DatasetError(file: file, row: line, column: name, "a nominal type needs a closing }")
            }
            let inner = String(type[type.index(after: type.startIndex)..<close])
            let values = try split(inner, file: file, line: line)
            guard !values.isEmpty else { throw DatasetError(file: file, row: line, column: name, "a nominal type without values") }
            return Attribute(name: name, type: .nominal(values))
        }
        if ["numeric", "real", "integer"].contains(lower) { return Attribute(name: name, type: .numeric) }
        if lower == "string" { return Attribute(name: name, type: .string) }
        if lower.hasPrefix("date") { return Attribute(name: name, type: .date) }
        if lower.hasPrefix("relational") {
            throw DatasetError(file: file, row: line, column: name, "relational attributes are not supported")
        }
        throw DatasetError(file: file, row: line, column: name, "unknown attribute type (expected numeric, real, integer, {values}, string or date)")
    }

    /// `{index value, ...}`: unnamed entries are 0 (or the first nominal value, as Weka does).
    private static func sparseRow(_ line: String, attributes: [Attribute], file: String, line number: Int) throws -> [String?] {
        guard let close = line.lastIndex(of: "}") else {
            throw DatasetError(file: file, row: number, "a sparse row needs a closing }")
        }
        var values: [String?] = attributes.map {
            if case .nominal(let names) = $0.type { return names[0] }
            return "0"
        }
        let inner = String(line[line.index(after: line.startIndex)..<close])
        for entry in try split(inner, file: file, line: number) {
            let parts = entry.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, let index = Int(parts[0]), attributes.indices.contains(index) else {
                throw DatasetError(file: file, row: number, "a sparse entry is not 'index value'")  // no row content in errors
            }
            let value = unquote(parts[1].trimmingCharacters(in: .whitespaces))
            values[index] = value == "?" ? nil : value
        }
        return values
    }

    /// A `%` outside quotes ends the line's content.
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        for (i, c) in zip(line.indices, line) {
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == "%" {
                return String(line[..<i])
            }
        }
        return line
    }

    /// Comma-separated values; quotes (' or ") keep commas and spaces, `\` escapes inside them.
    static func split(_ text: String, file: String, line: Int) throws -> [String] {
        var out: [String] = []
        var field = ""
        var quote: Character?
        var escaped = false
        var wasQuoted = false
        for c in text {
            if let q = quote {
                if escaped { field.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil } else {
                    field.append(c)
                }
            } else if c == "'" || c == "\"" {
                quote = c
                wasQuoted = true
                field = ""  // spaces before the opening quote are not part of the value
            } else if c == "," {
                out.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""
                wasQuoted = false
            } else if !(wasQuoted && (c == " " || c == "\t")) {
                field.append(c)  // (spaces after a closing quote are dropped)
            }
        }
        guard quote == nil else { throw DatasetError(file: file, row: line, "an unterminated quote") }
        let last = wasQuoted ? field : field.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty || wasQuoted || !out.isEmpty { out.append(last) }
        return out
    }

    private static func unquote(_ s: String) -> String {
        guard s.count >= 2, let f = s.first, (f == "'" || f == "\""), s.last == f else { return s }
        return String(s.dropFirst().dropLast())
    }
}
