extension ContrastiveModel {
    /// The model of `spec` for rows of `inputShape`, holding trained `weights`: every parameter
    /// and buffer by its export name (`encoder.1.weight`, `head.0.bias`, ...). Used by the
    /// service to embed with a job's `model.safetensors` or latest checkpoint.
    /// - Throws: `TrainingError.checkpointMismatch` naming a missing tensor or a wrong shape.
    public convenience init(spec: ModelSpec, inputShape: [Int], weights: [NamedTensor]) throws {
        // The initial values are overwritten below; any seed will do.
        var rng = SeededGenerator(seed: 0)
        self.init(spec: spec, inputShape: inputShape, rng: &rng)
        let byName = Dictionary(weights.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in parameters + buffers {
            guard let t = byName[p.name] else { throw TrainingError.checkpointMismatch("no tensor \(p.name)") }
            guard t.shape == p.shape else {
                throw TrainingError.checkpointMismatch("\(p.name) has shape \(t.shape), the model needs \(p.shape)")
            }
            p.value = t.values
        }
    }
}
