import Foundation
import SSCLEngine

/// Reading a sweep document. Rules:
/// - `base` (required) is a job document object; `parameters` (required) a non-empty object
///   whose keys are dotted paths into it (not `seed`: `seeds` sets it) and whose values are
///   `{"values": [...]}` (non-empty) or `{"distribution": "uniform" | "log_uniform" |
///   "int_uniform", "min": a, "max": b}` with min <= max (log_uniform: min > 0; int_uniform: integers).
/// - `method` grid (default; every parameter must be `values`) or random (`trials` in 1...10000 required).
/// - `seed` (the draws' seed) in 0...2^64-1, default 0; `seeds` a non-empty list of distinct
///   job seeds, default [0]; `metric` {name: a metric, goal: maximize | minimize}, default
///   knn_accuracy, maximize; `early_stopping` null or {kind: "asha", reduction_factor >= 2
///   (default 3), min_epochs >= 1 (default 1)}; `max_concurrent` in 1...1000 (default 1);
///   `priority` any 64-bit integer; `name` a non-empty string of at most 150 bytes (trial names add to it).
/// - Unknown keys are issues. Trials are checked separately (`SweepSpec.expand`).
extension SweepSpec {
    public static let maxTrials = 10_000

    public static func parse(json: Data) throws -> SweepSpec {
        try parse(value: try JSONValue.parse(json))
    }

    public static func parse(value: JSONValue) throws -> SweepSpec {
        guard case .object(let members) = value else {
            throw JobSpecSyntaxError(message: "the sweep document must be a JSON object")
        }
        var issues: [ValidationIssue] = []
        func report(_ path: String, _ reason: String) { issues.append(ValidationIssue(path: path, reason: reason)) }
        func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

        let known: Set = ["name", "base", "parameters", "method", "trials", "seed", "seeds", "metric",
                          "early_stopping", "max_concurrent", "priority"]
        for m in members where !known.contains(m.key) { report(m.key, "unknown key") }

        var base = JSONValue.object([])
        switch member("base") {
        case nil: report("base", "required")
        case .object(let o)?: base = .object(o)
        case _?: report("base", "expected a job document (an object)")
        }
        var spec = SweepSpec(base: base, parameters: [])

        if let v = member("name") {
            if case .string(let s) = v, !s.isEmpty, s.utf8.count <= 150, !s.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                spec.name = s
            } else {
                report("name", "expected a non-empty string of at most 150 bytes without control characters")
            }
        }
        if let v = member("method") {
            if case .string(let s) = v, let m = Method(rawValue: s) { spec.method = m } else {
                report("method", "expected one of grid, random")
            }
        }
        switch member("parameters") {
        case nil: report("parameters", "required")
        case .object(let params)?:
            if params.isEmpty { report("parameters", "name at least one parameter") }
            for p in params {
                if let parameter = parseParameter(p.key, p.value, report: report) { spec.parameters.append(parameter) }
            }
        case _?: report("parameters", "expected an object of path: domain")
        }
        if let v = member("trials") {
            if let n = Self.integer(v), (1...Int64(maxTrials)).contains(n) { spec.trials = Int(n) } else {
                report("trials", "expected an integer in 1...\(maxTrials)")
            }
        }
        if spec.method == .random, spec.trials == nil, member("trials") == nil { report("trials", "required by method random") }
        if spec.method == .grid, member("trials") != nil { report("trials", "not used by method grid") }
        if spec.method == .grid {
            for p in spec.parameters {
                if case .values = p.domain { continue }
                report(p.documentPath, "method grid needs a list of values")
            }
        }
        if let v = member("seed") {
            if let s = Self.unsigned(v) { spec.seed = s } else { report("seed", "expected an integer in 0...2^64-1") }
        }
        if let v = member("seeds") {
            if case .array(let items) = v, !items.isEmpty {
                var seeds: [UInt64] = []
                for (i, item) in items.enumerated() {
                    guard let s = Self.unsigned(item) else { report("seeds[\(i)]", "expected an integer in 0...2^64-1"); continue }
                    if seeds.contains(s) { report("seeds[\(i)]", "duplicate seed \(s)") } else { seeds.append(s) }
                }
                spec.seeds = seeds
            } else {
                report("seeds", "expected a non-empty list of integer seeds")
            }
        }
        if let v = member("metric") { spec.metric = parseMetric(v, report: report) ?? spec.metric }
        if let v = member("early_stopping"), v != .null {
            spec.earlyStopping = parseASHA(v, report: report)
            // Rungs are judged on evaluations during training; the linear probe runs only after the last epoch,
            // and the false-negative diagnostics are not evaluations.
            if ![.knnAccuracy, .alignment, .uniformity, .loss].contains(spec.metric.name) {
                report("early_stopping", "needs a metric measured at every evaluation; \(spec.metric.name.rawValue) is not "
                       + "(use knn_accuracy, alignment, uniformity or loss)")
            }
        }
        if let v = member("max_concurrent") {
            if let n = Self.integer(v), (1...1000).contains(n) { spec.maxConcurrent = Int(n) } else {
                report("max_concurrent", "expected an integer in 1...1000")
            }
        }
        if let v = member("priority") {
            if let n = Self.integer(v) { spec.priority = n } else { report("priority", "expected a 64-bit integer") }
        }
        let configurations = spec.method == .random ? (spec.trials ?? 0) : spec.gridSize
        if configurations * spec.seeds.count > maxTrials {
            report("parameters", "the sweep has \(configurations * spec.seeds.count) trials, more than \(maxTrials)")
        }
        guard issues.isEmpty else { throw SweepValidationError(issues: issues) }
        return spec
    }

    /// The number of grid points (product of the value counts, saturating).
    var gridSize: Int {
        parameters.reduce(1) { size, p in
            guard case .values(let v) = p.domain else { return size }
            let (product, overflow) = size.multipliedReportingOverflow(by: v.count)
            return overflow ? Int.max / 2 : min(product, Int.max / 2)
        }
    }

    private static func parseParameter(_ path: String, _ value: JSONValue, report: (String, String) -> Void) -> SweepParameter? {
        let name = SweepParameter(path: path, domain: .values([])).documentPath
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard !path.isEmpty, !parts.contains(where: \.isEmpty) else {
            report(name, "expected a dotted path of job fields such as \"loss.beta\""); return nil
        }
        guard path != "seed" else { report(name, "the job seed is set by seeds"); return nil }
        guard case .object(let members) = value else {
            report(name, "expected {\"values\": [...]} or {\"distribution\": ..., \"min\": ..., \"max\": ...}"); return nil
        }
        let keys = Set(members.map(\.key))
        if let values = value["values"] {
            for extra in keys.subtracting(["values"]).sorted() { report("\(name).\(extra)", "unknown key (values takes no other)") }
            guard case .array(let items) = values, !items.isEmpty else { report("\(name).values", "expected a non-empty list"); return nil }
            return SweepParameter(path: path, domain: .values(items))
        }
        for extra in keys.subtracting(["distribution", "min", "max"]).sorted() { report("\(name).\(extra)", "unknown key") }
        guard case .string(let kind)? = value["distribution"] else {
            report(name, "expected values or a distribution (uniform, log_uniform, int_uniform)"); return nil
        }
        func number(_ key: String) -> Double? {
            guard case .number(let text)? = value[key], let d = Double(text), d.isFinite else {
                report("\(name).\(key)", "expected a finite number"); return nil
            }
            return d
        }
        switch kind {
        case "uniform", "log_uniform":
            guard let lo = number("min"), let hi = number("max") else { return nil }
            guard lo <= hi else { report("\(name).max", "must be >= min"); return nil }
            if kind == "uniform" { return SweepParameter(path: path, domain: .uniform(min: lo, max: hi)) }
            guard lo > 0 else { report("\(name).min", "must be > 0 for log_uniform"); return nil }
            return SweepParameter(path: path, domain: .logUniform(min: lo, max: hi))
        case "int_uniform":
            var lo: Int?, hi: Int?
            for key in ["min", "max"] {
                if let v = value[key], let n = integer(v), abs(n) <= 1 << 52 { if key == "min" { lo = Int(n) } else { hi = Int(n) } } else {
                    report("\(name).\(key)", "expected an integer")
                }
            }
            guard let lo, let hi else { return nil }
            guard lo <= hi else { report("\(name).max", "must be >= min"); return nil }
            return SweepParameter(path: path, domain: .intUniform(min: lo, max: hi))
        default:
            report("\(name).distribution", "expected one of uniform, log_uniform, int_uniform"); return nil
        }
    }

    private static func parseMetric(_ value: JSONValue, report: (String, String) -> Void) -> SweepMetric? {
        guard case .object(let members) = value else { report("metric", "expected {\"name\": ..., \"goal\": ...}"); return nil }
        for m in members where m.key != "name" && m.key != "goal" { report("metric.\(m.key)", "unknown key") }
        var metric = SweepMetric(name: .knnAccuracy, goal: .maximize)
        let names = MetricName.allCases.filter { $0 != .lr && $0 != .imagesPerSecond }
        if let v = value["name"] {
            if case .string(let s) = v, let n = MetricName(rawValue: s), names.contains(n) { metric.name = n } else {
                report("metric.name", "expected one of " + names.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let v = value["goal"] {
            if case .string(let s) = v, let g = SweepMetric.Goal(rawValue: s) { metric.goal = g } else {
                report("metric.goal", "expected maximize or minimize")
            }
        } else if metric.name == .loss || metric.name == .uniformity || metric.name == .alignment {
            metric.goal = .minimize
        }
        return metric
    }

    private static func parseASHA(_ value: JSONValue, report: (String, String) -> Void) -> ASHASpec? {
        guard case .object(let members) = value else { report("early_stopping", "expected null or {\"kind\": \"asha\", ...}"); return nil }
        for m in members where !["kind", "reduction_factor", "min_epochs"].contains(m.key) { report("early_stopping.\(m.key)", "unknown key") }
        if value["kind"] != .string("asha") { report("early_stopping.kind", "expected asha") }
        var asha = ASHASpec()
        if let v = value["reduction_factor"] {
            if let n = integer(v), (2...100).contains(n) { asha.reductionFactor = Int(n) } else {
                report("early_stopping.reduction_factor", "expected an integer in 2...100")
            }
        }
        if let v = value["min_epochs"] {
            if let n = integer(v), (1...100_000).contains(n) { asha.minEpochs = Int(n) } else {
                report("early_stopping.min_epochs", "expected an integer in 1...100000")
            }
        }
        return asha
    }

    /// A JSON integer (`3`, also `3.0`) as Int64; nil for anything else.
    static func integer(_ value: JSONValue) -> Int64? {
        guard case .number(let text) = value else { return nil }
        if let i = Int64(text) { return i }
        guard let d = Double(text), d == d.rounded(), abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    static func unsigned(_ value: JSONValue) -> UInt64? {
        guard case .number(let text) = value else { return nil }
        if let u = UInt64(text) { return u }
        guard let i = integer(value), i >= 0 else { return nil }
        return UInt64(i)
    }
}
