import Foundation

/// The resolved job as JSON: every field the job uses, defaults included, in snake_case and
/// document order; fields the chosen kinds do not use are left out (an ntxent loss prints
/// only kind and temperature), exactly the fields `parse` accepts. So for every spec `parse`
/// returns, `parse(json: spec.jsonData()) == spec`. Floats print as their shortest text (0.1).
extension JobSpec {
    public func jsonValue() -> JSONValue {
        object([
            "name": .string(name),
            "dataset": dataset.jsonValue(),
            "model": model.jsonValue(),
            "loss": loss.jsonValue(),
            "optimizer": optimizer.jsonValue(),
            "schedule": schedule.jsonValue(),
            "augment": augment.jsonValue(isImage: dataset.isImage),
            "epochs": .number(epochs),
            "batch_size": .number(batchSize),
            "seed": .number(seed),
            "threads": .number(threads),
            "eval": eval.jsonValue(),
            "priority": .number(priority),
            "max_restarts": .number(maxRestarts),
            "max_seconds": .number(maxSeconds),
        ])
    }

    /// The same document as Foundation values (`Int`, `Double`, `Bool`, `String`, `NSNull`, ...).
    public func jsonObject() -> [String: Any] {
        (jsonValue().anyValue as? [String: Any]) ?? [:]
    }

    public func jsonData(pretty: Bool = true) -> Data { jsonValue().jsonData(pretty: pretty) }
}

extension DatasetSpec {
    public func jsonValue() -> JSONValue {
        var source: KeyValuePairs<String, JSONValue>
        switch self.source {
        case .builtin(let name): source = ["name": .string(name)]
        case .idx(let path): source = ["format": .string("idx"), "path": .string(path)]
        case .csv(let train, let test, let labelColumn):
            source = ["format": .string("csv"), "train": .string(train), "test": test.map(JSONValue.string) ?? .null,
                      "label_column": .string(labelColumn)]
        }
        var members = source.map { JSONMember($0.key, $0.value) }
        members.append(JSONMember("train_limit", trainLimit.map(JSONValue.number) ?? .null))
        if isImage { members.append(JSONMember("scale", scale.map(JSONValue.number) ?? .null)) }
        members.append(JSONMember("test_fraction", .number(testFraction)))
        return .object(members)
    }
}

extension ModelSpec {
    public func jsonValue() -> JSONValue {
        let widths: JSONMember = encoder == .mlp
            ? JSONMember("hidden", integers(hidden)) : JSONMember("channels", integers(channels))
        return .object([
            JSONMember("encoder", .string(encoder.rawValue)), widths,
            JSONMember("projection", integers(projection)), JSONMember("batch_norm", .bool(batchNorm)),
        ])
    }
}

extension LossSpec {
    public func jsonValue() -> JSONValue {
        if kind == .ntxent { return object(["kind": .string(kind.rawValue), "temperature": .number(temperature)]) }
        return object([
            "kind": .string(kind.rawValue), "temperature": .number(temperature), "tau_plus": .number(tauPlus),
            "beta": .number(beta), "hard_pool": .number(hardPool), "synthetic": .number(synthetic),
            "mixing": .string(mixing.rawValue),
        ])
    }
}

extension OptimizerSpec {
    public func jsonValue() -> JSONValue {
        var members = [JSONMember("kind", .string(kind.rawValue)), JSONMember("lr", .number(lr)),
                       JSONMember("weight_decay", .number(weightDecay))]
        switch kind {
        case .sgd, .lars:
            members += [JSONMember("momentum", .number(momentum)), JSONMember("nesterov", .bool(nesterov))]
            if kind == .lars { members.append(JSONMember("trust_coefficient", .number(trustCoefficient))) }
        case .adamw:
            members += [JSONMember("beta1", .number(beta1)), JSONMember("beta2", .number(beta2)),
                        JSONMember("eps", .number(eps))]
        }
        return .object(members)
    }
}

extension ScheduleSpec {
    public func jsonValue() -> JSONValue {
        var members = [JSONMember("kind", .string(kind.rawValue)), JSONMember("warmup_epochs", .number(warmupEpochs))]
        if kind == .cosine { members.append(JSONMember("min_lr_factor", .number(minLRFactor))) }
        return .object(members)
    }
}

extension AugmentSpec {
    /// Image datasets print the image keys and noise; tabular ones noise and mask.
    public func jsonValue(isImage: Bool) -> JSONValue {
        guard isImage else { return object(["noise": .number(noise), "mask": .number(mask)]) }
        return object([
            "crop": .number(crop), "flip": .bool(flip), "jitter": .number(jitter), "noise": .number(noise),
            "erase": .number(erase),
        ])
    }
}

extension EvalSpec {
    public func jsonValue() -> JSONValue {
        object([
            "every_epochs": .number(everyEpochs), "knn_k": .number(knnK),
            "knn_temperature": .number(knnTemperature), "linear_probe": .bool(linearProbe),
        ])
    }
}

private func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(pairs.map { JSONMember($0.key, $0.value) })
}

private func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.number)) }
