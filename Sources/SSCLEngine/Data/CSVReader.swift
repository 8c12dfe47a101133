import Foundation

/// Reads comma-separated text (RFC 4180): a header row, fields optionally in double quotes
/// (a quoted field may hold commas, newlines and `""` for a quote), `\n` or `\r\n` line
/// ends. Blank lines are skipped. Each row remembers the line it starts on, so errors can
/// point where an editor would.
enum CSVReader {
    struct Table {
        var header: [String]
        /// Data rows, as read (no check that they match the header's width).
        var rows: [[String]]
        /// The 1-based line each data row starts on (the header is on line `headerLine`).
        var lines: [Int]
        var headerLine: Int
    }

    /// With `dataDirectory`, the opened file must lie inside it (see `DatasetFile`).
    static func read(_ url: URL, within dataDirectory: DataDirectory? = nil) throws -> Table {
        try parse(try DatasetFile.read(url, within: dataDirectory), file: url.path)
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> Table {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"),
            carriageReturn = UInt8(ascii: "\r")
        var rows: [[String]] = []
        var lines: [Int] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowStartLine = 1
        var inQuotes = false
        var wasQuoted = false
        var afterQuote = false

        func endField() {
            let text = String(decoding: field, as: UTF8.self)
            fields.append(wasQuoted ? text : text.trimmingCharacters(in: .whitespaces))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            afterQuote = false
        }
        func endRow() {
            endField()
            let blank = fields.count == 1 && fields[0].isEmpty
            if !blank {
                rows.append(fields)
                lines.append(rowStartLine)
            }
            fields.removeAll(keepingCapacity: true)
        }

        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // UTF-8 byte-order mark
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if b == newline { line += 1 }
                    field.append(b)
                }
            } else if b == comma {
                endField()
            } else if b == newline {
                endRow()
                line += 1
                rowStartLine = line
            } else if b == carriageReturn && i + 1 < bytes.count && bytes[i + 1] == newline {
                // the \n that follows ends the row
            } else if b == quote && field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) && !afterQuote {
                field.removeAll(keepingCapacity: true)
                inQuotes = true
                wasQuoted = true
            } else if afterQuote {
                if b != 0x20 && b != 0x09 {
                    throw DatasetError(file: file, row: line, "unexpected text after a closing quote")
                }
            } else {
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw DatasetError(file: file, row: rowStartLine, "quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRow() }

        guard !rows.isEmpty else { throw DatasetError(file: file, "file is empty (no header row)") }
        let header = rows.removeFirst()
        let headerLine = lines.removeFirst()
        var seen = Set<String>()
        for name in header {
            if name.isEmpty { throw DatasetError(file: file, row: headerLine, "the header has an empty column name") }
            if !seen.insert(name).inserted {
                throw DatasetError(file: file, row: headerLine, "column '\(name)' appears twice in the header")
            }
        }
        return Table(header: header, rows: rows, lines: lines, headerLine: headerLine)
    }
}
