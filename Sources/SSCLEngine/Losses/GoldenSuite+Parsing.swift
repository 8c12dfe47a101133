import Foundation

extension GoldenSuite {
    /// One golden case, checked and converted: everything `run` needs.
    struct Case {
        let name: String
        let spec: LossSpec
        let embeddings: Tensor        // [2B, d]
        let expectedLoss: Double
        let expectedGrad: [Double]    // [2B * d]
        let plan: MixingPlan?         // [2B][k] when k > 0
        let expectedHard: [[Int]]?    // [2B][s] when k > 0
    }

    /// A case as read from the file: usable, or the reason it is not.
    enum ParsedCase {
        case valid(Case)
        case invalid(name: String, reason: String)
    }

    /// Reads a golden file. Throws `FileError` when the file cannot be read or is not a JSON
    /// object with a `cases` array; problems inside one case become `.invalid`.
    static func loadCases(fileAt url: URL) throws -> [ParsedCase] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileError(path: url.path, problem: "cannot be read (\(error.localizedDescription))")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FileError(path: url.path, problem: "is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any], let cases = object["cases"] as? [Any] else {
            throw FileError(path: url.path, problem: "has no top-level `cases` array")
        }
        return cases.enumerated().map { index, entry in
            let fallbackName = "case \(index)"
            guard let fields = entry as? [String: Any] else {
                return .invalid(name: fallbackName, reason: "case is not a JSON object")
            }
            let name = fields["name"] as? String ?? fallbackName
            do {
                return .valid(try parseCase(name: name, fields))
            } catch let problem as CaseProblem {
                return .invalid(name: name, reason: problem.reason)
            } catch {
                return .invalid(name: name, reason: "\(error)")
            }
        }
    }

    /// A problem with one case's fields.
    struct CaseProblem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func parseCase(name: String, _ f: [String: Any]) throws -> Case {
        let kindName = try string(f, "loss")
        guard let kind = LossKind(rawValue: kindName) else {
            throw CaseProblem("unknown loss '\(kindName)' (expected one of \(LossKind.allCases.map(\.rawValue)))")
        }
        var spec = LossSpec.defaults(for: kind)
        spec.temperature = Float(try number(f, "temperature"))
        if kind != .ntxent {
            spec.tauPlus = Float(try number(f, "tau_plus"))
            spec.beta = Float(try number(f, "beta"))
            spec.hardPool = try integer(f, "hard_pool")
            spec.synthetic = try integer(f, "synthetic")
        }
        if let mixingName = f["mixing"] {
            guard let raw = mixingName as? String, let mixing = MixingMode(rawValue: raw) else {
                throw CaseProblem("unknown mixing '\(mixingName)' (expected one of \(MixingMode.allCases.map(\.rawValue)))")
            }
            spec.mixing = mixing
        } else if spec.synthetic > 0 {
            throw CaseProblem("missing field 'mixing'")
        }
        if let problem = ContrastiveLoss.problem(with: spec) { throw CaseProblem(problem) }

        let batch = try integer(f, "batch"), dim = try integer(f, "dim")
        guard batch >= 2, dim >= 1 else { throw CaseProblem("needs batch >= 2 and dim >= 1") }
        let rows = 2 * batch
        let embeddings = try matrix(f, "embeddings", rows: rows, columns: dim)
        let expectedGrad = try matrix(f, "expected_grad", rows: rows, columns: dim)
        let expectedLoss = try number(f, "expected_loss")

        var plan: MixingPlan?
        var expectedHard: [[Int]]?
        let k = spec.synthetic, s = spec.hardPool
        if kind != .ntxent && k > 0 {
            guard s <= rows - 2 else { throw CaseProblem("hard_pool \(s) exceeds the \(rows - 2) real negatives") }
            guard let planFields = f["plan"] as? [String: Any] else { throw CaseProblem("missing object 'plan'") }
            let drawn = MixingPlan(
                a: try integerMatrix(planFields, "a", rows: rows, columns: k),
                b: try integerMatrix(planFields, "b", rows: rows, columns: k),
                alpha: try matrix(planFields, "alpha", rows: rows, columns: k).map { $0.map(Float.init) })
            if let problem = drawn.problem(rows: rows, synthetic: k, hardPool: s) { throw CaseProblem(problem) }
            plan = drawn
            let hard = try integerMatrix(f, "expected_hard_indices", rows: rows, columns: s)
            guard hard.joined().allSatisfy({ (0..<rows).contains($0) }) else {
                throw CaseProblem("expected_hard_indices holds a row outside 0..<\(rows)")
            }
            expectedHard = hard
        }
        return Case(
            name: name, spec: spec,
            embeddings: Tensor(shape: [rows, dim], data: embeddings.joined().map(Float.init)),
            expectedLoss: expectedLoss, expectedGrad: Array(expectedGrad.joined()),
            plan: plan, expectedHard: expectedHard)
    }

    private static func string(_ f: [String: Any], _ key: String) throws -> String {
        guard let value = f[key] else { throw CaseProblem("missing field '\(key)'") }
        guard let text = value as? String else { throw CaseProblem("field '\(key)' is not a string") }
        return text
    }

    private static func number(_ f: [String: Any], _ key: String) throws -> Double {
        guard let value = f[key] else { throw CaseProblem("missing field '\(key)'") }
        guard let x = double(value), x.isFinite else { throw CaseProblem("field '\(key)' is not a finite number") }
        return x
    }

    private static func integer(_ f: [String: Any], _ key: String) throws -> Int {
        let x = try number(f, key)
        guard x == x.rounded(), abs(x) < 1e9 else { throw CaseProblem("field '\(key)' is not an integer") }
        return Int(x)
    }

    /// A JSON number as Double; JSONSerialization gives NSNumber on Linux.
    private static func double(_ value: Any) -> Double? {
        if value is String { return nil }
        if let x = value as? Double { return x }
        if let x = value as? Int { return Double(x) }
        if let x = value as? NSNumber { return x.doubleValue }
        return nil
    }

    private static func matrix(_ f: [String: Any], _ key: String, rows: Int, columns: Int) throws -> [[Double]] {
        guard let value = f[key] else { throw CaseProblem("missing field '\(key)'") }
        guard let outer = value as? [Any], outer.count == rows else {
            throw CaseProblem("field '\(key)' is not an array of \(rows) rows")
        }
        return try outer.enumerated().map { i, rowValue in
            guard let row = rowValue as? [Any], row.count == columns else {
                throw CaseProblem("row \(i) of '\(key)' does not have \(columns) entries")
            }
            return try row.map { entry in
                guard let x = double(entry), x.isFinite else {
                    throw CaseProblem("'\(key)' row \(i) holds a non-number")
                }
                return x
            }
        }
    }

    private static func integerMatrix(_ f: [String: Any], _ key: String, rows: Int, columns: Int) throws -> [[Int]] {
        try matrix(f, key, rows: rows, columns: columns).map { row in
            try row.map { x in
                guard x == x.rounded(), abs(x) < 1e9 else { throw CaseProblem("'\(key)' holds a non-integer") }
                return Int(x)
            }
        }
    }
}
