/// The fixed suite behind `sscl selftest`: one small check per layer type, deterministic seeds.
extension GradientCheck {
    /// Runs every built-in check; `relativeError` is the worst over the input and all parameters.
    public static func runBuiltInChecks() -> [(name: String, relativeError: Double, passed: Bool)] {
        builtInCases().map { testCase in
            let errors = check(layer: testCase.layer, input: testCase.input, epsilon: testCase.epsilon)
            let worst = errors.map(\.relativeError).max() ?? 0
            return (testCase.name, worst, worst < tolerance)
        }
    }

    /// Small layers; a lone ReLU gets inputs away from its kink (|x| >= 0.2), networks rely on
    /// the kink handling of `check`.
    static func builtInCases() -> [(name: String, layer: Layer, input: Tensor, epsilon: Float)] {
        var rng = SeededGenerator(seed: 2024)
        func uniform(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
        }
        /// Values in ±[0.2, 1): far from the ReLU kink relative to ε.
        func awayFromZero(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
                let magnitude = rng.uniform(0.2, 1)
                return rng.uniform() < 0.5 ? -magnitude : magnitude
            })
        }
        var cases: [(name: String, layer: Layer, input: Tensor, epsilon: Float)] = []
        cases.append(("Linear 5->3", Linear(name: "linear", inputs: 5, outputs: 3, rng: &rng), uniform([4, 5]), 1e-2))
        cases.append(("ReLU", ReLU(), awayFromZero([3, 7]), 1e-2))
        for (stride, padding) in [(1, 0), (1, 1), (2, 0), (2, 1)] {
            let conv = Conv2D(name: "conv", inChannels: 2, outChannels: 3, kernel: 3, stride: stride,
                              padding: padding, rng: &rng)
            cases.append(("Conv2D k3 s\(stride) p\(padding)", conv, uniform([2, 2, 6, 7]), 1e-2))
        }
        let fused = Conv2D(name: "conv", inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1,
                           fusesReLU: true, rng: &rng)
        cases.append(("Conv2D k3 s2 p1 fused ReLU", fused, uniform([2, 2, 6, 7]), 1e-2))
        cases.append(("GlobalAveragePool", GlobalAveragePool(), uniform([2, 3, 4, 5]), 1e-2))
        cases.append(("Flatten", Flatten(), uniform([2, 3, 2, 2]), 1e-2))
        cases.append(("BatchNorm 1-D", BatchNorm(name: "bn", features: 4), uniform([6, 4]), 1e-2))
        cases.append(("BatchNorm 2-D", BatchNorm(name: "bn", features: 3), uniform([2, 3, 3, 4]), 1e-2))
        let cnn = Sequential([
            Conv2D(name: "features.0", inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: 1, rng: &rng),
            ReLU(),
            GlobalAveragePool(),
            Linear(name: "head", inputs: 4, outputs: 3, rng: &rng),
        ])
        cases.append(("Sequential conv-relu-gap-linear", cnn, uniform([3, 2, 6, 6]), 1e-2))
        let normalized = Sequential([
            Conv2D(name: "features.0", inChannels: 2, outChannels: 4, kernel: 3, stride: 1, padding: 1, rng: &rng),
            BatchNorm(name: "features.1", features: 4),
            ReLU(),
            GlobalAveragePool(),
            Flatten(),
            Linear(name: "head", inputs: 4, outputs: 3, rng: &rng),
        ])
        cases.append(("Sequential conv-bn-relu-gap-flatten-linear", normalized, uniform([3, 2, 5, 5]), 1e-2))
        return cases
    }
}
