/// Weight initialisation for ReLU networks.
///
/// He et al. 2015, "Delving Deep into Rectifiers", eq. 10: with Var[w] = 2 / fan_in the
/// variance of the pre-activations stays constant from layer to layer through ReLUs
/// (a ReLU halves the second moment, the factor 2 restores it). fan_in is the number of
/// inputs that feed one output: `inputs` for a linear layer, inC * kh * kw for a convolution.
///
/// PyTorch's *default* `nn.Linear`/`nn.Conv2d` init is different (kaiming_uniform with
/// a = sqrt(5), i.e. std = 1 / sqrt(3 fan_in)); we use He's gain sqrt(2) on purpose.
/// Biases start at zero.
public enum Initialization {
    /// U(-b, b) with b = sqrt(6 / fan_in), whose std is sqrt(2 / fan_in) (Var of U(-b, b) is b^2 / 3).
    public static func kaimingUniform(count: Int, fanIn: Int, rng: inout SeededGenerator) -> [Float] {
        precondition(fanIn > 0, "fan_in must be positive")
        let bound = (6 / Float(fanIn)).squareRoot()
        return (0..<count).map { _ in rng.uniform(-bound, bound) }
    }

    /// N(0, std^2) with std = sqrt(2 / fan_in).
    public static func kaimingNormal(count: Int, fanIn: Int, rng: inout SeededGenerator) -> [Float] {
        precondition(fanIn > 0, "fan_in must be positive")
        let std = (2 / Float(fanIn)).squareRoot()
        return (0..<count).map { _ in std * rng.normal() }
    }

    /// The standard deviation both functions target: sqrt(2 / fan_in).
    public static func kaimingStandardDeviation(fanIn: Int) -> Float {
        (2 / Float(fanIn)).squareRoot()
    }
}
