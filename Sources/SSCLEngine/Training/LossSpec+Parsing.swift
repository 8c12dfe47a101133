/// The `loss` section. `kind` sets the defaults (`LossSpec.defaults(for:)`) and explicit
/// fields override them, so dcl/hcl may add synthetic negatives; ntxent takes only
/// temperature. Ranges:
/// - temperature in (0, 100]; tau_plus in [0, 1) (the debiasing divides by 1 - tau_plus);
/// - beta in [0, 100]: exponents grow as (1 + beta) / t (method.md);
/// - synthetic (k) in 0...1024;
/// - hard_pool (s) >= 0, and 1 <= s <= 2B-2 when k > 0: the pool draws from the 2B-2 real
///   negatives of an anchor (B = batch_size).
extension LossSpec {
    /// `batchSize` is nil when batch_size is itself invalid (then s is only checked against 1).
    static func parse(section r: inout JobSpecReader, batchSize: Int?) -> LossSpec {
        let kind = r.has("kind") ? r.choice("kind", LossKind.self) : .sscl
        var s = LossSpec.defaults(for: kind ?? .sscl)
        if let v = r.float("temperature", .openClosed(0, 100)) { s.temperature = v }
        if kind == .ntxent {
            r.reject(["tau_plus", "beta", "hard_pool", "synthetic", "mixing"], reason: "not used by ntxent")
            r.finish(known: lossKeys)
            return s
        }
        if let v = r.float("tau_plus", .closedOpen(0, 1)) { s.tauPlus = v }
        if let v = r.float("beta", .closed(0, 100)) { s.beta = v }
        let poolGiven = r.has("hard_pool"), syntheticGiven = r.has("synthetic")
        let pool = r.int("hard_pool", 0...Int.max)
        let synthetic = r.int("synthetic", 0...1024)
        if let pool { s.hardPool = pool }
        if let synthetic { s.synthetic = synthetic }
        if let m = r.choice("mixing", MixingMode.self) { s.mixing = m }
        // Cross-check only values that are themselves valid (given or default).
        if (pool != nil || !poolGiven) && (synthetic != nil || !syntheticGiven) && s.synthetic > 0 {
            let limit = batchSize.map { 2 * $0 - 2 } ?? Int.max
            if s.hardPool < 1 || s.hardPool > limit {
                var reason = batchSize.map { "must be in 1...\(2 * $0 - 2) (2B-2 with batch_size \($0))" }
                    ?? "must be >= 1"
                reason += " when synthetic > 0"
                if !poolGiven { reason += "; the \(s.kind.rawValue) default is \(s.hardPool)" }
                r.report("hard_pool", reason)
            }
        }
        r.finish(known: lossKeys)
        return s
    }
}

private let lossKeys = ["kind", "temperature", "tau_plus", "beta", "hard_pool", "synthetic", "mixing"]
