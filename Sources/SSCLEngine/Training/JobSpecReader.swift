/// Reads the fields of one JSON object of a job document. Every problem is recorded as a
/// `ValidationIssue` and reading goes on, so the user sees all of them at once; a getter
/// returns nil when its key is absent or invalid, and the caller then keeps the default.
struct JobSpecReader {
    /// Dotted path of this object ("" for the document itself).
    let path: String
    private let members: [JSONMember]
    private(set) var issues: [ValidationIssue] = []
    /// Keys already read or reported, so `finish` does not call them unknown.
    private var handled: Set<String> = []

    init(path: String, members: [JSONMember]) {
        self.path = path
        self.members = members
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the key is present (even as `null`).
    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    mutating func report(_ key: String, _ reason: String) {
        handled.insert(key)
        issues.append(ValidationIssue(path: fieldPath(key), reason: reason))
    }

    /// An issue about this object as a whole (e.g. "dataset": "required").
    mutating func reportSelf(_ reason: String) {
        issues.append(ValidationIssue(path: path, reason: reason))
    }

    /// False when an issue was reported at the key or inside it.
    func isValid(_ key: String) -> Bool {
        let p = fieldPath(key)
        return !issues.contains { $0.path == p || $0.path.hasPrefix(p + ".") || $0.path.hasPrefix(p + "[") }
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

    mutating func double(_ key: String, _ bounds: NumberBounds) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let text) = v, let d = Double(text), d.isFinite else {
            report(key, "expected a number")
            return nil
        }
        guard bounds.contains(d) else { report(key, bounds.reason); return nil }
        return d
    }

    /// Parsed from the JSON text directly (not through Double) so a printed Float reads back exactly.
    mutating func float(_ key: String, _ bounds: NumberBounds) -> Float? {
        guard double(key, bounds) != nil, case .number(let text)? = members.first(where: { $0.key == key })?.value,
              let f = Float(text) else { return nil }
        guard f.isFinite else { report(key, "too large for a 32-bit float"); return nil }
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

    /// A non-empty string of at most `maxLength` characters.
    mutating func string(_ key: String, maxLength: Int = 4096) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { report(key, "expected a string"); return nil }
        guard !s.isEmpty else { report(key, "must not be empty"); return nil }
        guard s.count <= maxLength else { report(key, "must be at most \(maxLength) characters"); return nil }
        return s
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
            case .notInteger: issues.append(ValidationIssue(path: itemPath, reason: "expected an integer"))
            case .value, .outOfRange: issues.append(ValidationIssue(path: itemPath, reason: Self.rangeReason(range)))
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
        return JobSpecReader(path: fieldPath(key), members: members)
    }

    mutating func absorb(_ child: JobSpecReader) { issues += child.issues }

    /// Reports each of `keys` that is present, e.g. `tau_plus` for an NT-Xent loss.
    mutating func reject(_ keys: [String], reason: String) {
        for key in keys where has(key) { report(key, reason) }
    }

    /// Reports every key not read so far as unknown, suggesting the closest of `known`.
    mutating func finish(known: [String]) {
        for m in members where !handled.contains(m.key) {
            var reason = "unknown key"
            if let guess = Self.closest(to: m.key, among: known) { reason += "; did you mean \"\(guess)\"?" }
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
        if let same = known.first(where: { squashed($0) == squashed(key) }) { return same }
        let limit = key.count >= 5 ? 2 : 1
        let scored = known.map { ($0, editDistance(Array(key.lowercased()), Array($0))) }
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
