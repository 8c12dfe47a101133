/// Reads the fields of one JSON object of a job document. Every problem is recorded as a
/// `ValidationIssue` and reading goes on, so the user sees all of them at once; a getter
/// returns nil when its key is absent or invalid, and the caller then keeps the default.
struct JobSpecReader {
    /// Dotted path of this object ("" for the document itself).
    let path: String
    /// The document's top-level key this object lies under (nil for the document itself):
    /// `JobSpec.parse` orders issues by it without re-reading paths (a key may contain `.`).
    let topKey: String?
    private let members: [JSONMember]
    /// Every issue so far, each with the top-level key it belongs to ("" for the document).
    private(set) var located: [(topKey: String, issue: ValidationIssue)] = []
    /// Keys already read or reported, so `finish` does not call them unknown.
    private var handled: Set<String> = []
    /// Unknown keys after this many in one object get no "did you mean" (the search costs
    /// time and they are past the list `JobSpecValidationError` keeps anyway).
    static let maxSuggestions = JobSpecValidationError.maxListed

    init(path: String, members: [JSONMember], topKey: String? = nil) {
        self.path = path
        self.members = members
        self.topKey = topKey
    }

    var issues: [ValidationIssue] { located.map(\.issue) }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the key is present (even as `null`).
    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    mutating func report(_ key: String, _ reason: String) {
        handled.insert(key)
        record(ValidationIssue(path: fieldPath(key), reason: reason), key: key)
    }

    /// An issue about this object as a whole (e.g. "dataset": "required").
    mutating func reportSelf(_ reason: String) {
        record(ValidationIssue(path: path, reason: reason), key: "")
    }

    /// `key` is the member the issue is about ("" for the object itself).
    private mutating func record(_ issue: ValidationIssue, key: String) {
        located.append((topKey ?? key, issue))
    }

    /// False when an issue was reported at the key or inside it.
    func isValid(_ key: String) -> Bool {
        let p = fieldPath(key)
        return !located.contains { $0.issue.path == p || $0.issue.path.hasPrefix(p + ".") || $0.issue.path.hasPrefix(p + "[") }
    }

    /// The raw value, marked as read.
    mutating func value(_ key: String) -> JSONValue? {
        handled.insert(key)
        return members.first { $0.key == key }?.value
    }

    /// True (and marks the key read) when the key is present with a `null` value: optional
    /// fields use it to mean "not set".
    mutating func isNull(_ key: String) -> Bool {
        guard case .null = members.first(where: { $0.key == key })?.value else { return false }
        handled.insert(key)
        return true
    }

    // MARK: Scalars

    /// A finite number within `bounds`. Subnormal values (below 2.2e-308 in magnitude, but not
    /// 0) are refused: they lose precision as text and nothing meaningful is that small.
    mutating func double(_ key: String, _ bounds: NumberBounds) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let text) = v, let d = Double(text), d.isFinite else {
            report(key, "expected a number")
            return nil
        }
        guard !d.isSubnormal else {
            report(key, "too close to 0: must be 0 or at least \(Double.leastNormalMagnitude) in magnitude")
            return nil
        }
        guard bounds.contains(d) else { report(key, bounds.reason); return nil }
        return d
    }

    /// Parsed from the JSON text directly (not through Double) so a printed Float reads back
    /// exactly. The value checked is the Float the job will use, not the text: `5e-324` is
    /// 0 as a Float and `0.99999999` is 1, so both the submitted and the resolved document
    /// (which prints the Float) pass or fail the same rules.
    mutating func float(_ key: String, _ bounds: NumberBounds) -> Float? {
        guard double(key, bounds) != nil, case .number(let text)? = members.first(where: { $0.key == key })?.value
        else { return nil }
        guard let f = Float(text), f.isFinite else { report(key, "too large for a 32-bit float"); return nil }
        guard f.isNormal || Double(text) == 0 else {
            report(key, "too close to 0 for a 32-bit float: must be 0 or at least \(Float.leastNormalMagnitude) in magnitude")
            return nil
        }
        guard bounds.contains(Double(f)) else { report(key, bounds.reason + " (as a 32-bit float it is \(f))"); return nil }
        return f
    }

    /// Integers may be written `3`, `3.0` or `3e0`; `3.5` is not one.
    mutating func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard let v = value(key) else { return nil }
        switch Self.integer(v) {
        case .notInteger: report(key, "expected an integer")
        case .outOfRange: report(key, Self.rangeReason(range))
        case .value(let i):
            guard range.contains(i) else { report(key, Self.rangeReason(range)); return nil }
            return i
        }
        return nil
    }

    /// A non-negative integer up to 2^64 - 1 (random seeds).
    mutating func uint64(_ key: String) -> UInt64? {
        guard let v = value(key) else { return nil }
        guard case .number(let text) = v else { report(key, "expected an integer"); return nil }
        if let u = UInt64(text) { return u }
        guard let d = Double(text), d == d.rounded() else { report(key, "expected an integer"); return nil }
        guard d >= 0, d < 0x1p64 else { report(key, "must be in 0...\(UInt64.max)"); return nil }
        return UInt64(d)
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { report(key, "expected a boolean"); return nil }
        return b
    }

    /// A non-empty string of at most `maxBytes` bytes of UTF-8 (what storage and logs pay
    /// for, unlike characters: one emoji flag is 1 character and 8 bytes) without control
    /// characters, which would break a log line or spoof what a page shows.
    mutating func string(_ key: String, maxBytes: Int = 4096) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { report(key, "expected a string"); return nil }
        guard !s.isEmpty else { report(key, "must not be empty"); return nil }
        guard s.utf8.count <= maxBytes else {
            report(key, "must be at most \(maxBytes) bytes of UTF-8 (it has \(s.utf8.count))")
            return nil
        }
        for (index, character) in s.enumerated() {
            guard let scalar = character.unicodeScalars.first(where: Self.isControl) else { continue }
            let code = String(scalar.value, radix: 16, uppercase: true)
            report(key, "must not contain control characters (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) "
                   + "at character \(index + 1))")
            return nil
        }
        return s
    }

    /// C0 and C1 controls and DEL, line and paragraph separators, and the bidirectional
    /// embeddings, overrides and isolates (which reorder the text shown after them).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// One of a fixed set of names, e.g. an enum's raw values.
    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E?
    where E.RawValue == String {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v, let e = E(rawValue: s) else {
            report(key, "expected one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return e
    }

    /// A non-empty array of integers in `range`; a bad element is reported as `key[i]`.
    mutating func intArray(_ key: String, _ range: ClosedRange<Int>, maxCount: Int = 64) -> [Int]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { report(key, "expected an array of integers"); return nil }
        guard !items.isEmpty else { report(key, "must have at least 1 entry"); return nil }
        guard items.count <= maxCount else { report(key, "must have at most \(maxCount) entries"); return nil }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(fieldPath(key))[\(i)]"
            switch Self.integer(item) {
            case .value(let n) where range.contains(n): out.append(n)
            case .notInteger: record(ValidationIssue(path: itemPath, reason: "expected an integer"), key: key)
            case .value, .outOfRange: record(ValidationIssue(path: itemPath, reason: Self.rangeReason(range)), key: key)
            }
        }
        return out.count == items.count ? out : nil
    }

    // MARK: Structure

    /// The reader of a nested object (nil when absent or not an object). Hand it back to
    /// `absorb` so its issues join this one's.
    mutating func object(_ key: String) -> JobSpecReader? {
        guard let v = value(key) else { return nil }
        guard case .object(let members) = v else { report(key, "expected an object"); return nil }
        return JobSpecReader(path: fieldPath(key), members: members, topKey: topKey ?? key)
    }

    mutating func absorb(_ child: JobSpecReader) { located += child.located }

    /// Reports each of `keys` that is present, e.g. `tau_plus` for an NT-Xent loss.
    mutating func reject(_ keys: [String], reason: String) {
        for key in keys where has(key) { report(key, reason) }
    }

    /// Reports every key not read so far as unknown, suggesting the closest of `known`.
    mutating func finish(known: [String]) {
        var suggested = 0
        for m in members where !handled.contains(m.key) {
            var reason = "unknown key"
            if suggested < Self.maxSuggestions {
                suggested += 1
                if let guess = Self.closest(to: m.key, among: known) { reason += "; did you mean \"\(guess)\"?" }
            }
            report(m.key, reason)
        }
    }

    // MARK: Pieces

    private enum IntegerValue { case value(Int), notInteger, outOfRange }

    private static func integer(_ v: JSONValue) -> IntegerValue {
        guard case .number(let text) = v else { return .notInteger }
        if let i = Int(text) { return .value(i) }
        guard let d = Double(text), d == d.rounded() else { return .notInteger }
        // Int(text) failed: either an integer too long for Int, or a form like 3.0 / 1e3.
        guard abs(d) < 0x1p63 else { return .outOfRange }
        return .value(Int(d))
    }

    static func rangeReason(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return "must fit in a 64-bit signed integer"
        case (let lo, Int.max): return "must be >= \(lo)"
        case (let lo, let hi): return "must be in \(lo)...\(hi)"
        }
    }

    /// A known key within a small edit distance (or equal ignoring case, `_` and `-`), so
    /// `tempreature` and `batchSize` get a hint.
    static func closest(to key: String, among known: [String]) -> String? {
        func squashed(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" } }
        let squashedKey = squashed(key), length = key.count  // once each: the key may be huge
        if let same = known.first(where: { squashed($0) == squashedKey }) { return same }
        let limit = length >= 5 ? 2 : 1
        // Lengths further apart than the limit cannot be within it: no table for a huge key.
        let near = known.filter { abs($0.count - length) <= limit }
        guard !near.isEmpty else { return nil }
        let typed = Array(key.lowercased())
        let scored = near.map { ($0, editDistance(typed, Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// Levenshtein distance: single-character insertions, deletions and substitutions.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return a.count + b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}

/// An interval of allowed values for a number field, e.g. `(0, 100]`.
struct NumberBounds {
    var lower: Double?
    var lowerOpen = false
    var upper: Double?
    var upperOpen = false

    /// x >= a
    static func atLeast(_ a: Double) -> NumberBounds { NumberBounds(lower: a) }
    /// x > a
    static func above(_ a: Double) -> NumberBounds { NumberBounds(lower: a, lowerOpen: true) }
    /// [a, b]
    static func closed(_ a: Double, _ b: Double) -> NumberBounds { NumberBounds(lower: a, upper: b) }
    /// [a, b)
    static func closedOpen(_ a: Double, _ b: Double) -> NumberBounds {
        NumberBounds(lower: a, upper: b, upperOpen: true)
    }
    /// (a, b]
    static func openClosed(_ a: Double, _ b: Double) -> NumberBounds {
        NumberBounds(lower: a, lowerOpen: true, upper: b)
    }
    /// (a, b)
    static func open(_ a: Double, _ b: Double) -> NumberBounds {
        NumberBounds(lower: a, lowerOpen: true, upper: b, upperOpen: true)
    }

    func contains(_ x: Double) -> Bool {
        if let lower, lowerOpen ? !(x > lower) : !(x >= lower) { return false }
        if let upper, upperOpen ? !(x < upper) : !(x <= upper) { return false }
        return true
    }

    var reason: String {
        func show(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        }
        switch (lower, upper) {
        case let (lo?, hi?):
            return "must be in \(lowerOpen ? "(" : "[")\(show(lo)), \(show(hi))\(upperOpen ? ")" : "]")"
        case let (lo?, nil): return "must be \(lowerOpen ? ">" : ">=") \(show(lo))"
        case let (nil, hi?): return "must be \(upperOpen ? "<" : "<=") \(show(hi))"
        case (nil, nil): return "must be a finite number"
        }
    }
}
