import Foundation

/// The resolved job as JSON: every field, defaults included, in snake_case and document
/// order, except those `parse` rejects for the chosen kind: an ntxent loss prints only kind
/// and temperature, adamw no momentum/nesterov/trust_coefficient, sgd/lars no beta1/beta2/eps,
/// csv datasets no scale, image augmentations no mask, tabular ones only noise and mask.
/// So `parse(json: spec.jsonData()) == spec` for every spec `parse` returns, and for built
/// ones whose unused fields hold their kind's defaults. Floats print as their shortest text.
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
            "min_steps": minSteps.map { JSONValue.number($0) } ?? .null,
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
        case .npz(let path, let kind):
            source = ["format": .string("npz"), "path": .string(path), "kind": .string(kind.rawValue)]
        case .npy(let x, let y, let kind):
            source = ["format": .string("npy"), "x": .string(x), "y": .string(y), "kind": .string(kind.rawValue)]
        case .arff(let train, let test, let labelColumn):
            source = ["format": .string("arff"), "train": .string(train), "test": test.map(JSONValue.string) ?? .null,
                      "label_column": labelColumn.map(JSONValue.string) ?? .null]
        case .imageFolder(let folder):
            source = ["format": .string("imagefolder"), "path": .string(folder.path),
                      "image_size": .number(folder.imageSize), "channels": .number(folder.channels),
                      "skip_bad": .bool(folder.skipBad)]
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
        object([
            "encoder": .string(encoder.rawValue), "hidden": integers(hidden), "channels": integers(channels),
            "projection": integers(projection), "batch_norm": .bool(batchNorm),
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
            members += [JSONMember("momentum", .number(momentum)), JSONMember("nesterov", .bool(nesterov)),
                        JSONMember("trust_coefficient", .number(trustCoefficient))]
        case .adamw:
            members += [JSONMember("beta1", .number(beta1)), JSONMember("beta2", .number(beta2)),
                        JSONMember("eps", .number(eps))]
        }
        return .object(members)
    }
}

extension ScheduleSpec {
    public func jsonValue() -> JSONValue {
        object([
            "kind": .string(kind.rawValue), "warmup_epochs": .number(warmupEpochs),
            "min_lr_factor": .number(minLRFactor),
        ])
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
            "every_epochs": everyEpochs.map { JSONValue.number($0) } ?? .null, "knn_k": .number(knnK),
            "knn_temperature": .number(knnTemperature), "linear_probe": .bool(linearProbe),
            "diagnostics_every": .number(diagnosticsEvery),
        ])
    }
}

private func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(pairs.map { JSONMember($0.key, $0.value) })
}

private func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.number)) }
