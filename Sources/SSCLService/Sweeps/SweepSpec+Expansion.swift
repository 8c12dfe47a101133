import Foundation
import SSCLEngine

/// From a sweep to its configurations and trials, and the check of every trial against the
/// job validation before anything is queued.
extension SweepSpec {
    /// Grid: the cartesian product in parameter order (the first varies slowest). Random:
    /// `trials` draws from a generator seeded with the sweep's `seed`, parameter by parameter,
    /// so the same document always gives the same configurations.
    public func configurations() -> [SweepConfiguration] {
        switch method {
        case .grid:
            let lists: [[JSONValue]] = parameters.map { p in
                if case .values(let v) = p.domain { return v }
                return []
            }
            var result: [SweepConfiguration] = []
            var indices = [Int](repeating: 0, count: lists.count)
            guard !lists.contains(where: \.isEmpty) else { return [] }
            while true {
                result.append(SweepConfiguration(index: result.count, values: zip(lists, indices).map { $0[$1] },
                                                 valueIndices: indices.map { $0 }))
                var k = lists.count - 1
                while k >= 0 {
                    indices[k] += 1
                    if indices[k] < lists[k].count { break }
                    indices[k] = 0
                    k -= 1
                }
                if k < 0 { return result }
            }
        case .random:
            var rng = SeededGenerator(seed: seed)
            return (0..<(trials ?? 0)).map { i in
                var values: [JSONValue] = [], picked: [Int?] = []
                for p in parameters {
                    let (value, index) = Self.draw(p.domain, &rng)
                    values.append(value)
                    picked.append(index)
                }
                return SweepConfiguration(index: i, values: values, valueIndices: picked)
            }
        }
    }

    /// A uniform double in [0, 1) from the top 53 bits (stable across Swift versions, unlike
    /// `Double.random(in:using:)`, whose algorithm is not specified).
    private static func unit(_ rng: inout SeededGenerator) -> Double { Double(rng.next() >> 11) * 0x1p-53 }

    private static func draw(_ domain: SweepParameter.Domain, _ rng: inout SeededGenerator) -> (JSONValue, Int?) {
        switch domain {
        case .values(let v):
            let i = min(Int(unit(&rng) * Double(v.count)), v.count - 1)
            return (v[i], i)
        case let .uniform(lo, hi):
            return (.number(lo + unit(&rng) * (hi - lo)), nil)
        case let .logUniform(lo, hi):
            return (.number(min(hi, max(lo, Foundation.exp(log(lo) + unit(&rng) * (log(hi) - log(lo)))))), nil)
        case let .intUniform(lo, hi):
            let span = Double(hi - lo + 1)
            return (.number(lo + min(Int(unit(&rng) * span), hi - lo)), nil)
        }
    }

    /// Every trial (configuration-major, then seeds in order), each validated as a job.
    /// - Throws: `SweepValidationError` naming, for each invalid trial field, the parameter
    ///   value that made it (`parameters["loss.beta"].values[2]`), `base.<field>` or `seeds[i]`,
    ///   with the job field and its reason. Each distinct problem is listed once.
    public func expand() throws -> (configurations: [SweepConfiguration], trials: [SweepTrial]) {
        let configurations = configurations()
        var trials: [SweepTrial] = []
        var issues: [ValidationIssue] = []
        var listed = Set<String>()
        // Once per sweep path and job field: a drawn range that is invalid is one problem, not one per draw.
        func add(_ issue: ValidationIssue) {
            let key = issue.path + "\u{0}" + (issue.reason.components(separatedBy: " (drawn value").first ?? "")
            if listed.insert(key).inserted { issues.append(issue) }
        }
        for configuration in configurations {
            for (seedIndex, seed) in seeds.enumerated() {
                var job = base
                var placed = true
                for (p, value) in zip(parameters, configuration.values) {
                    guard let updated = Self.setting(job, path: p.path.split(separator: ".").map(String.init), to: value) else {
                        add(ValidationIssue(path: p.documentPath, reason: "the base job has a non-object on the way to \(p.path)"))
                        placed = false
                        break
                    }
                    job = updated
                }
                guard placed else { continue }
                job = Self.setting(job, path: ["seed"], to: .number(seed)) ?? job
                job = Self.setting(job, path: ["priority"], to: .number(String(priority))) ?? job
                job = Self.setting(job, path: ["name"], to: .string(trialName(configuration: configuration.index, seed: seed))) ?? job
                do {
                    let spec = try JobSpec.parse(value: job)
                    trials.append(SweepTrial(configuration: configuration.index, seed: seed, job: job, spec: spec))
                } catch let error as JobSpecValidationError {
                    for issue in error.issues { add(locate(issue, configuration, seedIndex: seedIndex)) }
                } catch {
                    add(ValidationIssue(path: "base", reason: "\(error)"))
                }
            }
        }
        guard issues.isEmpty else { throw SweepValidationError(issues: issues) }
        return (configurations, trials)
    }

    /// `<sweep name>/c<configuration>/s<seed>`: at most 150 + 48 bytes, under the job name's 200.
    public func trialName(configuration: Int, seed: UInt64) -> String { "\(name)/c\(configuration)/s\(seed)" }

    /// Names a trial's job issue by the part of the sweep document that caused it.
    private func locate(_ issue: ValidationIssue, _ configuration: SweepConfiguration, seedIndex: Int) -> ValidationIssue {
        func covers(_ path: String) -> Bool {
            issue.path == path || issue.path.hasPrefix(path + ".") || issue.path.hasPrefix(path + "[")
        }
        if covers("seed") { return ValidationIssue(path: "seeds[\(seedIndex)]", reason: issue.reason) }
        // The longest matching parameter path wins ("loss.beta" over "loss").
        let matches = parameters.indices.filter { covers(parameters[$0].path) }
        if let k = matches.max(by: { parameters[$0].path.count < parameters[$1].path.count }) {
            let p = parameters[k]
            let value = configuration.values[k].jsonText()
            let field = issue.path == p.path ? "" : "\(issue.path): "
            if let i = configuration.valueIndices[k], case .values = p.domain {
                return ValidationIssue(path: "\(p.documentPath).values[\(i)]", reason: "\(field)\(issue.reason)")
            }
            return ValidationIssue(path: p.documentPath, reason: "\(field)\(issue.reason) (drawn value \(value))")
        }
        return ValidationIssue(path: issue.path.isEmpty ? "base" : "base.\(issue.path)", reason: issue.reason)
    }

    /// `value` with `path` set (missing objects created); nil when the path crosses a non-object.
    static func setting(_ value: JSONValue, path: [String], to new: JSONValue) -> JSONValue? {
        guard let key = path.first else { return new }
        guard case .object(var members) = value else { return nil }
        if let i = members.firstIndex(where: { $0.key == key }) {
            guard let inner = setting(members[i].value, path: Array(path.dropFirst()), to: new) else { return nil }
            members[i].value = inner
        } else {
            guard let inner = setting(.object([]), path: Array(path.dropFirst()), to: new) else { return nil }
            members.append(JSONMember(key, inner))
        }
        return .object(members)
    }
}
