/// ASHA over configurations that run with several seeds: the rule the scheduler applies.
///
/// Each trial (a configuration with one seed) records its metric when it reaches a rung: the
/// first evaluation at or after the rung's epoch. A configuration's result at a rung is the
/// mean over its trials' values, and it is judged (`decide`, against the configurations judged
/// at that rung before it) once its rung is *in*: every one of its trials has reached the rung
/// or has ended without reaching it (failed, cancelled). Trials never wait for a decision: a
/// trial that reached a rung trains on until the last of its seeds gets there, and stops then
/// if its configuration is pruned. Configurations whose rung completes in the same pass are
/// judged in the order their last value arrived. So the decisions are a function of the stored
/// rung results (values and arrival order) and of which trials had ended: replaying them gives
/// the same decisions, which is what a restarted server does.
extension ASHA {
    /// A trial's metric at a rung, in arrival order.
    public struct TrialRungValue: Sendable, Equatable {
        public var trial: String
        public var configuration: Int
        public var rung: Int
        public var value: Double

        public init(trial: String, configuration: Int, rung: Int, value: Double) {
            self.trial = trial
            self.configuration = configuration
            self.rung = rung
            self.value = value
        }
    }

    /// A trial of the sweep: `ended` when it finished in any way (it reaches no more rungs).
    public struct Trial: Sendable, Equatable {
        public var id: String
        public var configuration: Int
        public var ended: Bool

        public init(id: String, configuration: Int, ended: Bool) {
            self.id = id
            self.configuration = configuration
            self.ended = ended
        }
    }

    /// A configuration judged at a rung on the mean of its trials' values.
    public struct RungDecision: Sendable, Equatable {
        public var configuration: Int
        public var rung: Int
        public var value: Double
        public var decision: Decision

        public init(configuration: Int, rung: Int, value: Double, decision: Decision) {
            self.configuration = configuration
            self.rung = rung
            self.value = value
            self.decision = decision
        }
    }

    /// The decisions that `results` (in arrival order) call for beyond those already `decided`
    /// (in the order they were made): one for every configuration whose rung is in, is not
    /// decided yet, and that no earlier rung pruned.
    public func settle(trials: [Trial], results: [TrialRungValue], decided: [RungDecision]) -> [RungDecision] {
        struct Key: Hashable { var configuration: Int; var rung: Int }
        var done = Set(decided.map { Key(configuration: $0.configuration, rung: $0.rung) })
        var pruned = Set(decided.filter { $0.decision == .prune }.map(\.configuration))
        var earlier: [Int: [Double]] = [:]
        for d in decided { earlier[d.rung, default: []].append(d.value) }
        let trialsOf = Dictionary(grouping: trials, by: \.configuration)

        var groups: [Key: (values: [Double], trials: Set<String>, last: Int)] = [:]
        for (i, r) in results.enumerated() {
            let key = Key(configuration: r.configuration, rung: r.rung)
            var group = groups[key] ?? ([], [], i)
            if group.trials.insert(r.trial).inserted { group.values.append(r.value) }
            group.last = i
            groups[key] = group
        }
        let ready = groups.filter { key, group in
            !done.contains(key) && (trialsOf[key.configuration] ?? []).allSatisfy { group.trials.contains($0.id) || $0.ended }
        }.sorted { ($0.value.last, $0.key.rung) < ($1.value.last, $1.key.rung) }

        var made: [RungDecision] = []
        for (key, group) in ready where !pruned.contains(key.configuration) && done.insert(key).inserted {
            let mean = group.values.reduce(0, +) / Double(group.values.count)
            let decision = decide(mean, earlier: earlier[key.rung] ?? [])
            earlier[key.rung, default: []].append(mean)
            if decision == .prune { pruned.insert(key.configuration) }
            made.append(RungDecision(configuration: key.configuration, rung: key.rung, value: mean, decision: decision))
        }
        return made
    }

    /// A value that ranks last: what a diverged trial's NaN counts as at a rung.
    public var worst: Double { goal == .maximize ? -.infinity : .infinity }
}
