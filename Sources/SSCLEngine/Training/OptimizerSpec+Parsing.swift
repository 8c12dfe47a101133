/// The `optimizer` section. `kind` sets the defaults (`OptimizerSpec.defaults(for:)`; SGD on
/// tabular rows: `OptimizerSpec.tabular`).
/// All: lr in (0, 100], weight_decay in [0, 1]. sgd and lars: momentum in [0, 1), nesterov
/// (needs momentum > 0), trust_coefficient in (0, 1] (LARS's; accepted for sgd so one
/// document can switch kind). adamw only: beta1 and beta2 in (0, 1), eps in (0, 1]. A field
/// of another kind is an issue ("not used by adamw").
extension OptimizerSpec {
    /// `dataset` is nil when the dataset section is itself invalid.
    static func parse(section r: inout JobSpecReader, dataset: DatasetSpec?) -> OptimizerSpec {
        let kind = r.has("kind") ? r.choice("kind", OptimizerKind.self) : .sgd
        var s = kind == .sgd && dataset?.isImage == false ? .tabular : OptimizerSpec.defaults(for: kind ?? .sgd)
        if let v = r.float("lr", .openClosed(0, 100)) { s.lr = v }
        if let v = r.float("weight_decay", .closed(0, 1)) { s.weightDecay = v }
        guard let kind else {
            // Unknown kind: check what is there, but not which kind it belongs to.
            _ = (r.value("momentum"), r.value("nesterov"), r.value("trust_coefficient"),
                 r.value("beta1"), r.value("beta2"), r.value("eps"))
            r.finish(known: optimizerKeys)
            return s
        }
        let notUsed = "not used by \(kind.rawValue)"
        if kind == .adamw {
            r.reject(["momentum", "nesterov", "trust_coefficient"], reason: notUsed)
        } else {
            let momentum = r.float("momentum", .closedOpen(0, 1))
            if let momentum { s.momentum = momentum }
            if let v = r.bool("nesterov") { s.nesterov = v }
            if s.nesterov, momentum != nil || !r.has("momentum"), s.momentum == 0 {
                r.report("nesterov", "needs momentum > 0")
            }
            if let v = r.float("trust_coefficient", .openClosed(0, 1)) { s.trustCoefficient = v }
        }
        if kind == .adamw {
            if let v = r.float("beta1", .open(0, 1)) { s.beta1 = v }
            if let v = r.float("beta2", .open(0, 1)) { s.beta2 = v }
            if let v = r.float("eps", .openClosed(0, 1)) { s.eps = v }
        } else {
            r.reject(["beta1", "beta2", "eps"], reason: notUsed)
        }
        r.finish(known: optimizerKeys)
        return s
    }
}

private let optimizerKeys = ["kind", "lr", "weight_decay", "momentum", "nesterov", "trust_coefficient",
                             "beta1", "beta2", "eps"]
