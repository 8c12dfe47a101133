/// Batch normalisation (Ioffe & Szegedy 2015) over [N, C] (like `nn.BatchNorm1d`) or
/// [N, C, H, W] (like `nn.BatchNorm2d`, statistics per channel over N, H and W).
///
/// Training: xhat = (x - mean) / sqrt(var + eps) with the batch mean and biased variance,
/// y = weight * xhat + bias, and the running statistics move by
/// running = (1 - momentum) * running + momentum * batch, using the unbiased variance
/// var * M / (M - 1) as PyTorch does (M values per channel).
/// Evaluation: the running statistics replace the batch ones.
public final class BatchNorm: Layer {
    public let features: Int
    public let momentum: Float
    public let eps: Float
    public let weight: Parameter       // [features], gamma, starts at 1
    public let bias: Parameter         // [features], beta, starts at 0
    public let runningMean: Parameter  // [features] buffer, starts at 0
    public let runningVar: Parameter   // [features] buffer, starts at 1
    /// What backward needs from the last training forward.
    private var savedNormalized: Tensor?           // xhat, same shape as the input
    private var savedInverseStd: [Float] = []      // [features], 1 / sqrt(var + eps)

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVar] }

    /// Creates `<name>.weight`, `<name>.bias` (no decay) and the buffers
    /// `<name>.running_mean`, `<name>.running_var` (PyTorch's state-dict names).
    public init(name: String, features: Int, momentum: Float = 0.1, eps: Float = 1e-5) {
        precondition(features > 0, "\(name): features must be positive")
        self.features = features
        self.momentum = momentum
        self.eps = eps
        let zeros = [Float](repeating: 0, count: features)
        let ones = [Float](repeating: 1, count: features)
        weight = Parameter(name: "\(name).weight", shape: [features], value: ones, decays: false)
        bias = Parameter(name: "\(name).bias", shape: [features], value: zeros, decays: false)
        runningMean = Parameter(name: "\(name).running_mean", shape: [features], value: zeros, decays: false)
        runningVar = Parameter(name: "\(name).running_var", shape: [features], value: ones, decays: false)
    }

    /// The input seen as [N, C, S] with S = H * W (or 1 for [N, C]).
    private func layout(_ shape: [Int]) -> (batch: Int, spatial: Int) {
        precondition((shape.count == 2 || shape.count == 4) && shape[1] == features,
                     "\(weight.name): expected [N, \(features)] or [N, \(features), H, W], got \(shape)")
        return (shape[0], shape.count == 4 ? shape[2] * shape[3] : 1)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (batch, spatial) = layout(x.shape)
        let channels = features
        let perChannel = batch * spatial  // M
        precondition(!training || perChannel > 1, "\(weight.name): batch statistics need more than one value per channel")
        var scale = [Float](repeating: 0, count: channels)  // [C], multiplies (x - shift)
        var shift = [Float](repeating: 0, count: channels)  // [C]
        if training {
            let (mean, variance) = Self.statistics(x, batch: batch, channels: channels, spatial: spatial)
            let unbiased = Double(perChannel) / Double(perChannel - 1)
            for c in 0..<channels {
                shift[c] = Float(mean[c])
                scale[c] = Float(1 / (variance[c] + Double(eps)).squareRoot())
                runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * Float(mean[c])
                runningVar.value[c] = (1 - momentum) * runningVar.value[c] + momentum * Float(variance[c] * unbiased)
            }
        } else {
            for c in 0..<channels {
                shift[c] = runningMean.value[c]
                scale[c] = 1 / (runningVar.value[c] + eps).squareRoot()
            }
        }
        // xhat = (x - shift) * scale; y = weight * xhat + bias.
        // Only a training forward keeps xhat for backward.
        var normalized = [Float](repeating: 0, count: training ? x.count : 0)  // xhat, like x
        var y = [Float](repeating: 0, count: x.count)                          // like x
        x.data.withUnsafeBufferPointer { px in
            normalized.withUnsafeMutableBufferPointer { pn in
                y.withUnsafeMutableBufferPointer { py in
                    for n in 0..<batch {
                        for c in 0..<channels {
                            let base = (n * channels + c) * spatial
                            let (s, m) = (scale[c], shift[c])
                            let (g, b) = (weight.value[c], bias.value[c])
                            if training {
                                for i in base..<(base + spatial) {
                                    let xhat = (px[i] - m) * s
                                    pn[i] = xhat
                                    py[i] = g * xhat + b
                                }
                            } else {
                                for i in base..<(base + spatial) { py[i] = g * ((px[i] - m) * s) + b }
                            }
                        }
                    }
                }
            }
        }
        if training {
            savedNormalized = Tensor(shape: x.shape, data: normalized)
            savedInverseStd = scale
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// With M values per channel, g = dY * weight:
    /// dX = (1 / sqrt(var + eps)) * (g - mean(g) - xhat * mean(g * xhat)) (means over the channel),
    /// dWeight += sum(dY * xhat), dBias += sum(dY).
    public func backward(_ dY: Tensor) -> Tensor {
        guard let xhat = savedNormalized else { preconditionFailure("\(weight.name): backward without a training forward") }
        precondition(dY.shape == xhat.shape, "\(weight.name): dY shape \(dY.shape) does not match \(xhat.shape)")
        let (batch, spatial) = layout(xhat.shape)
        let channels = features
        let perChannel = Double(batch * spatial)
        var sumDY = [Double](repeating: 0, count: channels)       // [C]
        var sumDYXhat = [Double](repeating: 0, count: channels)   // [C]
        var dX = [Float](repeating: 0, count: dY.count)           // like dY
        dY.data.withUnsafeBufferPointer { pdy in
            xhat.data.withUnsafeBufferPointer { px in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let base = (n * channels + c) * spatial
                        var (s, sx) = (0.0, 0.0)
                        for i in base..<(base + spatial) {
                            s += Double(pdy[i])
                            sx += Double(pdy[i]) * Double(px[i])
                        }
                        sumDY[c] += s
                        sumDYXhat[c] += sx
                    }
                }
                dX.withUnsafeMutableBufferPointer { pdx in
                    for c in 0..<channels {
                        weight.grad[c] += Float(sumDYXhat[c])
                        bias.grad[c] += Float(sumDY[c])
                    }
                    for n in 0..<batch {
                        for c in 0..<channels {
                            let base = (n * channels + c) * spatial
                            let k = weight.value[c] * savedInverseStd[c]
                            let meanDY = Float(sumDY[c] / perChannel)
                            let meanDYXhat = Float(sumDYXhat[c] / perChannel)
                            for i in base..<(base + spatial) {
                                pdx[i] = k * (pdy[i] - meanDY - px[i] * meanDYXhat)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: dY.shape, data: dX)
    }

    /// Per-channel mean and biased variance, accumulated in Double (two passes, for accuracy).
    private static func statistics(
        _ x: Tensor, batch: Int, channels: Int, spatial: Int
    ) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: channels)
        var variance = [Double](repeating: 0, count: channels)
        let count = Double(batch * spatial)
        x.data.withUnsafeBufferPointer { px in
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * spatial
                    var s = 0.0
                    for i in base..<(base + spatial) { s += Double(px[i]) }
                    mean[c] += s
                }
            }
            for c in 0..<channels { mean[c] /= count }
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * spatial
                    let m = mean[c]
                    var s = 0.0
                    for i in base..<(base + spatial) {
                        let d = Double(px[i]) - m
                        s += d * d
                    }
                    variance[c] += s
                }
            }
            for c in 0..<channels { variance[c] /= count }
        }
        return (mean, variance)
    }
}
