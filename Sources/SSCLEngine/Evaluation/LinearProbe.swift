import Foundation

/// Softmax regression on frozen features: the linear-evaluation protocol of SimCLR, DCL and HCL
/// (a linear classifier trained on top of the fixed encoder), with one fixed recipe so numbers are
/// comparable across runs and seeds:
///
/// - each feature standardised with the train mean and standard deviation (a std below 1e-6 counts as 1);
/// - logits = x W + b, W [dimension, numClasses] and b [numClasses] initialised to zero;
/// - objective: mean cross-entropy + (weightDecay / 2) ||W||^2 with weightDecay = 1e-4 (b not decayed);
/// - Adam (Kingma & Ba 2015: beta1 0.9, beta2 0.999, eps 1e-8) with learning rate
///   1e-2 * (1 + cos(pi t / T)) / 2 at step t of T (cosine to zero, no warm-up);
/// - mini-batches of 256 rows drawn from a fresh permutation every epoch (`SeededGenerator(seed:)`),
///   the last, smaller batch included; `epochs` passes over the data (default 30), or as many more
///   as make at least 1000 optimiser steps, so small data sets are not under-fitted.
///
/// Logits and gradients are GEMMs, so 60000 x 512 features and 10 classes take a few seconds
/// on one core in a release build.
public struct LinearProbe: Sendable {
    public static let batchSize = 256
    public static let learningRate: Float = 1e-2
    public static let weightDecay: Float = 1e-4
    public static let defaultEpochs = 30
    public static let minimumSteps = 1000

    public let dimension: Int
    public let numClasses: Int
    /// [dimension, numClasses], applied to standardised features.
    public let weight: [Float]
    /// [numClasses]
    public let bias: [Float]
    /// Train statistics: x_standardised = (x - mean) * inverseStd, both [dimension].
    public let mean: [Float]
    public let inverseStd: [Float]

    /// Top-1 test accuracy of a probe trained on the train rows with the recipe above.
    public static func accuracy(
        train: [Float], trainLabels: [Int], test: [Float], testLabels: [Int],
        dimension: Int, numClasses: Int, seed: UInt64, epochs: Int = defaultEpochs
    ) -> Double {
        guard !testLabels.isEmpty else { return 0 }
        precondition(test.count == testLabels.count * dimension, "test is not [\(testLabels.count), \(dimension)]")
        let probe = fit(features: train, labels: trainLabels, dimension: dimension,
                        numClasses: numClasses, seed: seed, epochs: epochs)
        let predicted = probe.predict(test)
        let correct = zip(predicted, testLabels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(testLabels.count)
    }

    /// Trains a probe on `features` [labels.count, dimension].
    /// The steps' GEMMs are [256, dimension] x [dimension, numClasses]: too small to split, and
    /// OpenBLAS's threads spinning between them burnt as much CPU as a whole-split kNN (10.8 CPU
    /// seconds for the 7,050 steps on Fashion-MNIST at 2 threads), so the probe runs on one.
    public static func fit(
        features: [Float], labels: [Int], dimension: Int, numClasses: Int,
        seed: UInt64, epochs: Int = defaultEpochs
    ) -> LinearProbe {
        BLAS.singleThreaded {
            fitOnOneThread(features: features, labels: labels, dimension: dimension,
                           numClasses: numClasses, seed: seed, epochs: epochs)
        }
    }

    private static func fitOnOneThread(
        features: [Float], labels: [Int], dimension: Int, numClasses: Int, seed: UInt64, epochs: Int
    ) -> LinearProbe {
        let n = labels.count
        precondition(n > 0 && dimension > 0 && numClasses > 0 && epochs >= 0)
        precondition(features.count == n * dimension, "features are not [\(n), \(dimension)]")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < numClasses }, "label outside 0..<\(numClasses)")
        let (mean, inverseStd) = standardisation(features, rows: n, dimension: dimension)
        let x = standardised(features, mean: mean, inverseStd: inverseStd)   // [n, dimension]

        let weightCount = dimension * numClasses
        var theta = [Float](repeating: 0, count: weightCount + numClasses)  // [W (dimension x numClasses), b]
        var dTheta = theta
        var adam = AdamMoments(count: theta.count)
        let batch = min(batchSize, n)
        var xBatch = [Float](repeating: 0, count: batch * dimension)    // [batch, dimension]
        var yBatch = [Int](repeating: 0, count: batch)                  // [batch]
        var scratch = [Float](repeating: 0, count: batch * numClasses)  // [batch, numClasses]
        let stepsPerEpoch = (n + batch - 1) / batch
        let passes = epochs == 0 ? 0 : max(epochs, (minimumSteps + stepsPerEpoch - 1) / stepsPerEpoch)
        let totalSteps = passes * stepsPerEpoch
        var rng = SeededGenerator(seed: seed)
        var step = 0
        for _ in 0..<passes {
            let order = rng.permutation(n)
            for start in stride(from: 0, to: n, by: batch) {
                let rows = min(batch, n - start)
                x.withUnsafeBufferPointer { src in
                    xBatch.withUnsafeMutableBufferPointer { dst in
                        for r in 0..<rows {
                            let i = order[start + r]
                            (dst.baseAddress! + r * dimension).update(from: src.baseAddress! + i * dimension, count: dimension)
                            yBatch[r] = labels[i]
                        }
                    }
                }
                _ = lossAndGradient(
                    x: xBatch, labels: yBatch, rows: rows, dimension: dimension, numClasses: numClasses,
                    theta: theta, weightDecay: weightDecay, scratch: &scratch, dTheta: &dTheta)
                let lr = learningRate * 0.5 * (1 + Float(cos(Double.pi * Double(step) / Double(totalSteps))))
                adam.update(&theta, gradient: dTheta, learningRate: lr)
                step += 1
            }
        }
        return LinearProbe(
            dimension: dimension, numClasses: numClasses, weight: Array(theta[0..<weightCount]),
            bias: Array(theta[weightCount...]), mean: mean, inverseStd: inverseStd)
    }

    /// The most likely class of each row of `features` [_, dimension] (ties to the lower class).
    public func predict(_ features: [Float]) -> [Int] {
        precondition(features.count % dimension == 0, "features are not [_, \(dimension)]")
        let rows = features.count / dimension
        guard rows > 0 else { return [] }
        let x = Self.standardised(features, mean: mean, inverseStd: inverseStd)  // [rows, dimension]
        var logits = [Float](repeating: 0, count: rows * numClasses)              // [rows, numClasses]
        x.withUnsafeBufferPointer { px in
            weight.withUnsafeBufferPointer { pw in
                logits.withUnsafeMutableBufferPointer { pl in
                    BLAS.gemm(m: rows, n: numClasses, k: dimension, a: px.baseAddress!, b: pw.baseAddress!, c: pl.baseAddress!)
                }
            }
        }
        return (0..<rows).map { r in
            var best = 0
            var bestLogit = logits[r * numClasses] + bias[0]
            for c in 1..<max(1, numClasses) where logits[r * numClasses + c] + bias[c] > bestLogit {
                best = c
                bestLogit = logits[r * numClasses + c] + bias[c]
            }
            return best
        }
    }

    /// Objective and gradient on the first `rows` rows of `x` [_, dimension]:
    /// L = (1/rows) sum_r [logsumexp_c(z_rc) - z_{r,y_r}] + (weightDecay/2) ||W||^2, with z = x W + b;
    /// dZ = (softmax(z) - onehot(y)) / rows, dW = x^T dZ + weightDecay W, db = column sums of dZ.
    /// `theta` and `dTheta` are [W (dimension x numClasses), b]; `scratch` is [>= rows, numClasses].
    @discardableResult
    static func lossAndGradient(
        x: [Float], labels: [Int], rows: Int, dimension: Int, numClasses: Int,
        theta: [Float], weightDecay: Float, scratch: inout [Float], dTheta: inout [Float]
    ) -> Double {
        let weightCount = dimension * numClasses
        precondition(theta.count == weightCount + numClasses && dTheta.count == theta.count)
        precondition(x.count >= rows * dimension && labels.count >= rows && scratch.count >= rows * numClasses)
        var loss: Double = 0
        x.withUnsafeBufferPointer { px in
            theta.withUnsafeBufferPointer { pt in
                scratch.withUnsafeMutableBufferPointer { pz in
                    dTheta.withUnsafeMutableBufferPointer { pd in
                        let z = pz.baseAddress!   // [rows, numClasses]: logits, then dZ
                        BLAS.gemm(m: rows, n: numClasses, k: dimension, a: px.baseAddress!, b: pt.baseAddress!, c: z)
                        let b = pt.baseAddress! + weightCount
                        let dBias = pd.baseAddress! + weightCount
                        for c in 0..<numClasses { dBias[c] = 0 }
                        let invRows = 1 / Float(rows)
                        for r in 0..<rows {
                            let row = z + r * numClasses
                            var maxLogit = -Float.infinity
                            for c in 0..<numClasses {
                                row[c] += b[c]
                                maxLogit = max(maxLogit, row[c])
                            }
                            let y = labels[r]
                            let shiftedTarget = row[y] - maxLogit
                            var sum: Float = 0
                            for c in 0..<numClasses {
                                row[c] = Foundation.exp(row[c] - maxLogit)
                                sum += row[c]
                            }
                            loss += Double(Foundation.log(sum)) - Double(shiftedTarget)
                            let scale = invRows / sum
                            for c in 0..<numClasses {
                                row[c] = row[c] * scale - (c == y ? invRows : 0)
                                dBias[c] += row[c]
                            }
                        }
                        // dW [dimension, numClasses] = x^T [dimension, rows] . dZ [rows, numClasses]
                        BLAS.gemm(transA: true, m: dimension, n: numClasses, k: rows,
                                  a: px.baseAddress!, b: z, c: pd.baseAddress!)
                        var squared: Double = 0
                        for i in 0..<weightCount {
                            let w = pt[i]
                            pd[i] += weightDecay * w
                            squared += Double(w) * Double(w)
                        }
                        loss = loss / Double(rows) + Double(weightDecay) / 2 * squared
                    }
                }
            }
        }
        return loss
    }

    /// Per-feature mean and 1/std (population) in float64; a std below 1e-6 gives a factor of 1.
    static func standardisation(_ x: [Float], rows: Int, dimension: Int) -> (mean: [Float], inverseStd: [Float]) {
        var sum = [Double](repeating: 0, count: dimension)
        var sumSquares = [Double](repeating: 0, count: dimension)
        x.withUnsafeBufferPointer { p in
            for r in 0..<rows {
                for j in 0..<dimension {
                    let v = Double(p[r * dimension + j])
                    sum[j] += v
                    sumSquares[j] += v * v
                }
            }
        }
        var mean = [Float](repeating: 0, count: dimension)
        var inverseStd = [Float](repeating: 1, count: dimension)
        for j in 0..<dimension {
            let m = sum[j] / Double(rows)
            let std = max(0, sumSquares[j] / Double(rows) - m * m).squareRoot()
            mean[j] = Float(m)
            if std >= 1e-6 { inverseStd[j] = Float(1 / std) }
        }
        return (mean, inverseStd)
    }

    static func standardised(_ x: [Float], mean: [Float], inverseStd: [Float]) -> [Float] {
        var out = x
        let dimension = mean.count
        out.withUnsafeMutableBufferPointer { p in
            for r in 0..<(p.count / dimension) {
                let row = p.baseAddress! + r * dimension
                for j in 0..<dimension { row[j] = (row[j] - mean[j]) * inverseStd[j] }
            }
        }
        return out
    }
}

/// Adam's first and second moment estimates for one flat parameter vector.
private struct AdamMoments {
    var first: [Float]
    var second: [Float]
    var step = 0
    let beta1: Float = 0.9
    let beta2: Float = 0.999
    let epsilon: Float = 1e-8

    init(count: Int) {
        first = [Float](repeating: 0, count: count)
        second = first
    }

    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; theta -= lr * m_hat / (sqrt(v_hat) + eps).
    mutating func update(_ theta: inout [Float], gradient: [Float], learningRate: Float) {
        step += 1
        let correction1 = 1 - Float(pow(Double(beta1), Double(step)))
        let correction2 = 1 - Float(pow(Double(beta2), Double(step)))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        first.withUnsafeMutableBufferPointer { m in
            second.withUnsafeMutableBufferPointer { v in
                theta.withUnsafeMutableBufferPointer { t in
                    gradient.withUnsafeBufferPointer { g in
                        for i in 0..<t.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            t[i] -= learningRate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
