/// Finite-difference verification of a layer's backward pass.
///
/// For a fixed random R shaped like the output, the scalar L(x, θ) = sum(forward(x) * R)
/// has dL/dY = R, so `backward(R)` must return dL/dX and accumulate dL/dθ. Each checked entry
/// is compared with the central difference (L(v + ε) - L(v - ε)) / (2ε), error O(ε²).
/// Float32 makes the difference noisy, so L is summed in Double and the divisor is the step
/// actually taken after rounding to Float. Per tensor the score is
/// ||num - ana|| / max(||num||, ||ana||, noise floor) over the checked entries, where the
/// floor is the gradient size float32 rounding alone can produce (a tensor whose true gradient
/// is zero, like a bias before batch norm, scores ~0 rather than noise / noise ~ 1).
///
/// ReLU kinks: a step that crosses x = 0 breaks the central difference. An entry whose forward
/// and backward one-sided slopes disagree by more than `kinkTolerance` (relative) is a kink;
/// it is retried with smaller steps, and if still kinked the analytic value only has to lie
/// between the two one-sided slopes (where the true one-sided derivatives are). The number of such entries is reported. A smooth but strongly
/// curved function can be flagged too; the interval then still has width O(ε f''), so the
/// check loosens but stays meaningful. Flagging depends on forward only.
public enum GradientCheck {
    /// The relative error below which `runBuiltInChecks` calls a check passed (float32).
    public static let tolerance = 1e-2
    /// One-sided slopes differing by more than this fraction mark a kink.
    public static let kinkTolerance = 0.01

    /// Compares backward with central differences for the input (named "input") and every
    /// parameter. At most `maxEntriesPerTensor` random entries of each tensor are perturbed.
    /// Training mode is used; parameter values, gradients and buffers are restored afterwards.
    public static func check(
        layer: Layer, input: Tensor, epsilon: Float = 1e-2, maxEntriesPerTensor: Int = 64, seed: UInt64 = 1
    ) -> [(name: String, relativeError: Double, kinks: Int)] {
        var rng = SeededGenerator(seed: seed)
        let savedBuffers = layer.buffers.map(\.value)
        let savedGrads = layer.parameters.map(\.grad)
        defer {
            for (buffer, value) in zip(layer.buffers, savedBuffers) { buffer.value = value }
            for (parameter, grad) in zip(layer.parameters, savedGrads) { parameter.grad = grad }
        }

        // Analytic gradients.
        for parameter in layer.parameters { parameter.zeroGrad() }
        let output = layer.forward(input, training: true)
        let r = (0..<output.count).map { _ in rng.uniform(-1, 1) }  // dL/dY, like the output
        let dX = layer.backward(Tensor(shape: output.shape, data: r))
        precondition(dX.shape == input.shape, "backward returned \(dX.shape) for input \(input.shape)")
        let loss = { (x: Tensor) -> Double in
            let y = layer.forward(x, training: true)
            var sum = 0.0
            for i in 0..<y.count { sum += Double(y.data[i]) * Double(r[i]) }
            return sum
        }
        // Rounding of L: float32's 2^-24 on every output term, times a generous 64 for the
        // layers' own intermediate rounding (amplified by normalisations); divided by a step
        // it bounds the noise of one slope.
        var magnitude = 0.0
        for i in 0..<output.count { magnitude += abs(Double(output.data[i]) * Double(r[i])) }
        let lossNoise = 64 * 0x1p-24 * magnitude

        var results: [(name: String, relativeError: Double, kinks: Int)] = []
        var x = input
        let inputEntries = sample(count: input.count, limit: maxEntriesPerTensor, rng: &rng)
        let baseLoss = loss(input)
        let inputSlopes = inputEntries.map { i in
            slopes(value: input.data[i], epsilon: epsilon, baseLoss: baseLoss, lossNoise: lossNoise) { v in
                x.data[i] = v
                defer { x.data[i] = input.data[i] }
                return loss(x)
            }
        }
        results.append(compare("input", inputSlopes, inputEntries.map { dX.data[$0] }))

        for parameter in layer.parameters {
            let entries = sample(count: parameter.count, limit: maxEntriesPerTensor, rng: &rng)
            let numeric = entries.map { i in
                let original = parameter.value[i]
                return slopes(value: original, epsilon: epsilon, baseLoss: baseLoss, lossNoise: lossNoise) { v in
                    parameter.value[i] = v
                    defer { parameter.value[i] = original }
                    return loss(input)
                }
            }
            results.append(compare(parameter.name, numeric, entries.map { parameter.grad[$0] }))
        }
        return results
    }

    /// The finite differences of one entry.
    private struct Slopes {
        var central: Double
        var forward: Double
        var backward: Double
        /// The rounding noise of one slope at this step.
        var noise: Double
        /// The one-sided slopes disagree beyond curvature-free noise: a kink lies within the step.
        var kinked: Bool {
            abs(forward - backward) > kinkTolerance * max(abs(forward), abs(backward)) + noise
        }
    }

    /// The central difference and the two one-sided ones, each over the step actually taken in
    /// Float. A kinked entry is retried with steps of ε/4 and ε/16, which step over most kinks.
    private static func slopes(
        value: Float, epsilon: Float, baseLoss: Double, lossNoise: Double, loss: (Float) -> Double
    ) -> Slopes {
        var step = epsilon
        while true {
            let plus = value + step
            let minus = value - step
            let (lossPlus, lossMinus) = (loss(plus), loss(minus))
            let result = Slopes(
                central: (lossPlus - lossMinus) / (Double(plus) - Double(minus)),
                forward: (lossPlus - baseLoss) / (Double(plus) - Double(value)),
                backward: (baseLoss - lossMinus) / (Double(value) - Double(minus)),
                noise: lossNoise / Double(step))
            if !result.kinked || step < epsilon / 10 { return result }
            step /= 4
        }
    }

    /// Scores one tensor; an entry still kinked at the smallest step is compared with the
    /// nearest value between its two one-sided slopes instead of the central one.
    private static func compare(
        _ name: String, _ numeric: [Slopes], _ analytic: [Float]
    ) -> (name: String, relativeError: Double, kinks: Int) {
        let kinks = numeric.filter(\.kinked).count
        let reference = numeric.indices.map { i -> Double in
            let s = numeric[i]
            guard s.kinked else { return s.central }
            let low = min(s.forward, s.backward) - s.noise / 2
            let high = max(s.forward, s.backward) + s.noise / 2
            return min(max(Double(analytic[i]), low), high)
        }
        // The floor is 4x the slopes' noise: on an AMD EPYC's OpenBLAS kernels a convolution's
        // bias before batch norm (true gradient 0, so pure rounding) scored 0.011 at 1x. Only
        // gradients at rounding level are affected; kink detection keeps the tighter noise.
        let floor = 4 * numeric.reduce(0.0) { $0 + $1.noise * $1.noise }.squareRoot()
        return (name, relativeError(reference, analytic, floor: floor), kinks)
    }

    /// ||a - b|| / max(||a||, ||b||, floor), 0 when all three vanish.
    static func relativeError(_ numeric: [Double], _ analytic: [Float], floor: Double = 0) -> Double {
        var (difference, normNumeric, normAnalytic) = (0.0, 0.0, 0.0)
        for (n, a) in zip(numeric, analytic) {
            difference += (n - Double(a)) * (n - Double(a))
            normNumeric += n * n
            normAnalytic += Double(a) * Double(a)
        }
        let scale = max(normNumeric.squareRoot(), normAnalytic.squareRoot(), floor)
        return scale < 1e-12 ? 0 : difference.squareRoot() / scale
    }

    /// All indices when there are few, else `limit` distinct random ones.
    private static func sample(count: Int, limit: Int, rng: inout SeededGenerator) -> [Int] {
        count <= limit ? Array(0..<count) : Array(rng.permutation(count).prefix(limit))
    }
}
