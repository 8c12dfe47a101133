import Foundation

extension ContrastiveLoss {
    /// What one anchor contributes besides its row of G.
    struct AnchorOutcome {
        let loss: Float
        let positiveSimilarity: Float
        /// Largest S_ij over the real negatives.
        let hardestNegative: Float
        /// Whether the clamp N exp(-1/t) set Ng_i.
        let clamped: Bool

        static let zero = AnchorOutcome(loss: 0, positiveSimilarity: 0, hardestNegative: 0, clamped: false)
    }

    /// Guards ||alpha z_a + (1 - alpha) z_b||^2, which is 0 when z_a = -z_b and alpha = 1/2.
    static let mixNormEpsilon: Float = 1e-12

    /// Anchor i's loss (method.md, "The family of losses"), with x = S / t and every
    /// exponent shifted by m = max(x_p, max_u x_u) so nothing overflows float32:
    ///
    ///     R_i / e^m   = N e^(x* - m) A / W,  A = sum_u e^((1+beta)(x_u - x*)), W = sum_u e^(beta(x_u - x*))
    ///     Ng_i / e^m  = max((R_i - tau_plus N pos_i) / (1 - tau_plus), N e^(-1/t)) / e^m
    ///     L_i         = log(pos_i / e^m + Ng_i / e^m) + m - x_p
    ///
    /// with x* the largest negative. Gradients: dL/dx_p = pos (1 - tau_plus N / (1 - tau_plus)) / D - 1,
    /// dL/dx_u = R / ((1 - tau_plus) D) * ((1 + beta) a_u / A - beta w_u / W) (zero when clamped).
    /// Writes row i of G = dL/dS / 2B, and dL/d(z_i . h_im) / 2B for each synthetic negative;
    /// reads S only, so anchors can run concurrently, each worker with its own `scratch`.
    static func anchorTerm(_ i: Int, _ w: Workspace, _ scratch: AnchorScratch, _ c: Settings) -> AnchorOutcome {
        let n = w.rows
        let p = (i + n / 2) % n
        let row = scratch.row             // [2B] S_i, masked below.
        let gRow = w.dSimilarity + i * n  // [2B] G_i.
        let s = c.pool, k = c.synthetic, invT = c.inverseTemperature
        row.update(from: w.similarity + i * n, count: n)
        let positiveSimilarity = row[p]
        // Mask the anchor and its positive so every loop below runs over whole rows.
        row[i] = -.infinity
        row[p] = -.infinity

        let hardestNegative = largest(row, count: n)
        var maxNegative = hardestNegative
        if k > 0 {
            selectHardPool(row: row, count: n, pool: s, high: hardestNegative, keys: scratch.hardKeys, bins: scratch.hardBins,
                           indices: w.hard + i * s)
            for m in 0..<k {
                let sim = synthesise(i, m, row, w, c)
                maxNegative = max(maxNegative, sim)
            }
        }

        // Exponentials, relative to the largest negative x*.
        let beta = c.beta
        var (sumA, sumW) = realNegativeTerms(row, count: n, maxNegative: maxNegative, invT: invT, beta: beta,
                                             into: gRow, weights: scratch.weight)
        for m in 0..<k {
            let delta = (w.synthSimilarity[i * k + m] - maxNegative) * invT
            let wm = beta == 0 ? 1 : expf(beta * delta)
            let am = wm * expf(delta)
            w.synthGrad[i * k + m] = am
            scratch.synthWeight[m] = wm
            sumA += Double(am)
            sumW += Double(wm)
        }
        let count = Float(n - 2 + k)  // N
        if beta == 0 { sumW = Double(count) }

        let xPositive = positiveSimilarity * invT
        let xNegative = maxNegative * invT
        let shift = max(xNegative, xPositive)
        let positive = expf(xPositive - shift)
        let estimate = count * expf(xNegative - shift) * Float(sumA / sumW)  // R_i / e^m
        let tau = c.tauPlus
        var negatives = estimate                                            // Ng_i / e^m
        var clamped = false
        if c.weighted {
            let debiased = (estimate - tau * count * positive) / (1 - tau)
            let floor = count * expf(-invT - shift)
            clamped = debiased < floor
            negatives = clamped ? floor : debiased
        }
        let denominator = positive + negatives
        let loss = logf(denominator) + shift - xPositive

        // Gradients, scaled by dx/dS = 1/t and by 1/2B for the mean over anchors.
        let scale = invT / Float(n)
        if clamped {
            for j in 0..<n { gRow[j] = 0 }
            for m in 0..<k { w.synthGrad[i * k + m] = 0 }
            gRow[p] = (positive / denominator - 1) * scale
        } else {
            let common = estimate / ((1 - tau) * denominator) * scale
            let coefA = common * (1 + beta) / Float(sumA)
            let coefW = common * beta / Float(sumW)
            if beta == 0 {
                for j in 0..<n { gRow[j] *= coefA }
            } else if beta == 1 {
                for j in 0..<n { gRow[j] *= coefA * gRow[j] - coefW }
            } else {
                for j in 0..<n { gRow[j] = coefA * gRow[j] - coefW * scratch.weight[j] }
            }
            for m in 0..<k {
                w.synthGrad[i * k + m] = coefA * w.synthGrad[i * k + m] - coefW * scratch.synthWeight[m]
            }
            gRow[p] = (positive * (1 - tau * count / (1 - tau)) / denominator - 1) * scale
        }
        gRow[i] = 0
        return AnchorOutcome(loss: loss, positiveSimilarity: positiveSimilarity,
                             hardestNegative: hardestNegative, clamped: clamped)
    }

    /// The largest of row[0..<count].
    @inline(__always)
    private static func largest(_ row: UnsafePointer<Float>, count: Int) -> Float {
        var best = SIMD8<Float>(repeating: -.infinity)
        for j in stride(from: 0, to: count, by: 8) {
            let v = VectorMath.load(row + j, count: min(8, count - j), padding: -.infinity)
            best.replace(with: v, where: v .> best)
        }
        return best.max()
    }

    /// The real negatives' terms of `anchorTerm`, eight at a time, with delta_j = (S_ij - x*) / t
    /// (masked entries give 0): beta = 0: e^delta_j into `terms`; beta = 1: w_j = e^delta_j
    /// into `terms` (a_j = w_j^2); else a_j = e^((1 + beta) delta_j) into `terms` and
    /// w_j = e^(beta delta_j) into `weights`. Returns A = sum a_j and W = sum w_j (0 when
    /// beta = 0).
    @inline(__always)
    private static func realNegativeTerms(
        _ row: UnsafePointer<Float>, count n: Int, maxNegative: Float, invT: Float, beta: Float,
        into terms: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>
    ) -> (sumA: Double, sumW: Double) {
        var sumA = 0.0, sumW = 0.0
        var j = 0
        while j < n {
            // Float sums over a block of 64 entries, float64 across blocks: widening every
            // vector to float64 would cost more than the exponentials.
            var blockA = SIMD8<Float>(), blockW = SIMD8<Float>()
            let blockEnd = min(j + 64, n)
            while j < blockEnd {
                let lanes = min(8, n - j)
                let delta = (VectorMath.load(row + j, count: lanes, padding: -.infinity) - maxNegative) * invT
                if beta == 0 {
                    let e = VectorMath.exp(delta)
                    VectorMath.store(e, to: terms + j, count: lanes)
                    blockA += e
                } else if beta == 1 {
                    let e = VectorMath.exp(delta)
                    VectorMath.store(e, to: terms + j, count: lanes)
                    blockA += e * e
                    blockW += e
                } else {
                    let wj = VectorMath.exp(beta * delta)
                    let aj = wj * VectorMath.exp(delta)
                    VectorMath.store(aj, to: terms + j, count: lanes)
                    VectorMath.store(wj, to: weights + j, count: lanes)
                    blockA += aj
                    blockW += wj
                }
                j += 8
            }
            sumA += Double(blockA.sum())
            sumW += Double(blockW.sum())
        }
        return (sumA, sumW)
    }

    /// Builds synthetic negative m of anchor i from its plan entry and returns z_i . h_im, in
    /// O(1) from S (method.md): z_i . h = (alpha S_ia + (1 - alpha) S_ib) / ||alpha z_a + (1 - alpha) z_b||,
    /// ||.||^2 = alpha^2 + (1 - alpha)^2 + 2 alpha (1 - alpha) S_ab. Records the rows and
    /// weights of h_im for the C coefficients. `row` is S_i masked at i and p; the hard list
    /// never points there.
    @inline(__always)
    private static func synthesise(
        _ i: Int, _ m: Int, _ row: UnsafePointer<Float>, _ w: Workspace, _ c: Settings
    ) -> Float {
        let n = w.rows, s = c.pool, index = i * c.synthetic + m
        let rowA = w.hard[i * s + w.planA[index]]
        let alpha = w.planAlpha[index]
        let sim: Float
        switch c.mixing {
        case .copy:
            sim = row[rowA]
            w.synthRow1[index] = rowA
            w.synthCoef1[index] = 1
            w.synthRow2[index] = rowA
            w.synthCoef2[index] = 0
        case .pair:
            let rowB = w.hard[i * s + w.planB[index]]
            let rest = 1 - alpha
            let squaredNorm = alpha * alpha + rest * rest + 2 * alpha * rest * w.similarity[rowA * n + rowB]
            let inverse = 1 / max(squaredNorm, mixNormEpsilon).squareRoot()
            sim = (alpha * row[rowA] + rest * row[rowB]) * inverse
            w.synthRow1[index] = rowA
            w.synthCoef1[index] = alpha * inverse
            w.synthRow2[index] = rowB
            w.synthCoef2[index] = rest * inverse
        case .anchor:
            // h = normalize(alpha z_i + (1 - alpha) z_a), with z_i . z_i = 1.
            let rest = 1 - alpha
            let squaredNorm = alpha * alpha + rest * rest + 2 * alpha * rest * row[rowA]
            let inverse = 1 / max(squaredNorm, mixNormEpsilon).squareRoot()
            sim = (alpha + rest * row[rowA]) * inverse
            w.synthRow1[index] = i
            w.synthCoef1[index] = alpha * inverse
            w.synthRow2[index] = rowA
            w.synthCoef2[index] = rest * inverse
        }
        w.synthSimilarity[index] = sim
        return sim
    }
}
