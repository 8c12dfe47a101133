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
/// and backward one-sided slopes disagree by more than `kinkTolerance` (relative) is a kink:
/// the analytic value then only has to lie between the two one-sided slopes (where the true
/// one-sided derivatives are). The number of such entries is reported. If more than half the
/// entries look kinked, kinks are not the explanation and every entry is checked centrally.
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
        // layers' own intermediate rounding (amplified by normalisations); over the step it
        // bounds the noise of one slope.
        var magnitude = 0.0
        for i in 0..<output.count { magnitude += abs(Double(output.data[i]) * Double(r[i])) }
        let slopeNoise = 64 * 0x1p-24 * magnitude / Double(epsilon)

        var results: [(name: String, relativeError: Double, kinks: Int)] = []
        var x = input
        let inputEntries = sample(count: input.count, limit: maxEntriesPerTensor, rng: &rng)
        let baseLoss = loss(input)
        let inputSlopes = inputEntries.map { i in
            slopes(value: input.data[i], epsilon: epsilon, baseLoss: baseLoss) { v in
                x.data[i] = v
                defer { x.data[i] = input.data[i] }
                return loss(x)
            }
        }
        results.append(compare("input", inputSlopes, inputEntries.map { dX.data[$0] }, slopeNoise: slopeNoise))

        for parameter in layer.parameters {
            let entries = sample(count: parameter.count, limit: maxEntriesPerTensor, rng: &rng)
            let numeric = entries.map { i in
                let original = parameter.value[i]
                return slopes(value: original, epsilon: epsilon, baseLoss: baseLoss) { v in
                    parameter.value[i] = v
                    defer { parameter.value[i] = original }
                    return loss(input)
                }
            }
            results.append(compare(parameter.name, numeric, entries.map { parameter.grad[$0] }, slopeNoise: slopeNoise))
        }
        return results
    }

    /// The central difference and the two one-sided ones, each over the step actually taken in Float.
    private static func slopes(
        value: Float, epsilon: Float, baseLoss: Double, loss: (Float) -> Double
    ) -> (central: Double, forward: Double, backward: Double) {
        let plus = value + epsilon
        let minus = value - epsilon
        let (lossPlus, lossMinus) = (loss(plus), loss(minus))
        return ((lossPlus - lossMinus) / (Double(plus) - Double(minus)),
                (lossPlus - baseLoss) / (Double(plus) - Double(value)),
                (baseLoss - lossMinus) / (Double(value) - Double(minus)))
    }

    /// Scores one tensor; a kinked entry is compared with the nearest value between its two
    /// one-sided slopes instead of the central one (the true derivative lies in that interval).
    private static func compare(
        _ name: String, _ numeric: [(central: Double, forward: Double, backward: Double)], _ analytic: [Float],
        slopeNoise: Double
    ) -> (name: String, relativeError: Double, kinks: Int) {
        let kinked = numeric.map { s in
            abs(s.forward - s.backward) > kinkTolerance * max(abs(s.forward), abs(s.backward)) + slopeNoise
        }
        var kinks = kinked.filter { $0 }.count
        if 2 * kinks > numeric.count { kinks = 0 }  // not kinks: check every entry centrally
        let reference = numeric.indices.map { i -> Double in
            guard kinks > 0 && kinked[i] else { return numeric[i].central }
            let low = min(numeric[i].forward, numeric[i].backward) - slopeNoise / 2
            let high = max(numeric[i].forward, numeric[i].backward) + slopeNoise / 2
            return min(max(Double(analytic[i]), low), high)
        }
        let floor = slopeNoise * Double(numeric.count).squareRoot()
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
