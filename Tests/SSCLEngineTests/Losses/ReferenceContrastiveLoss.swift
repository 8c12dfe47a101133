import Foundation
@testable import SSCLEngine

/// The losses of method.md written the plain way in float64: explicit vectors, a full sort
/// for the hard lists, synthetic vectors h built as vectors and held constant, no
/// exponent shifting. The float32 `ContrastiveLoss` is tested against it.
enum ReferenceContrastiveLoss {
    /// Row-normalised copy of `e` ([rows, dim]).
    static func normalised(_ e: [Double], rows: Int, dim: Int) -> [[Double]] {
        (0..<rows).map { i in
            let row = Array(e[(i * dim)..<((i + 1) * dim)])
            let norm = max(row.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12)
            return row.map { $0 / norm }
        }
    }

    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        zip(x, y).map { $0 * $1 }.reduce(0, +)
    }

    /// The s most similar real negatives of each anchor, by a full stable sort.
    static func hardLists(_ e: [Double], rows: Int, dim: Int, pool s: Int) -> [[Int]] {
        let z = normalised(e, rows: rows, dim: dim)
        return (0..<rows).map { i in
            let p = (i + rows / 2) % rows
            let candidates = (0..<rows).filter { $0 != i && $0 != p }
            let sorted = candidates.sorted { j1, j2 in
                let s1 = dot(z[i], z[j1]), s2 = dot(z[i], z[j2])
                return s1 != s2 ? s1 > s2 : j1 < j2
            }
            return Array(sorted.prefix(s))
        }
    }

    /// The synthetic vectors h_im ([rows][k][dim]) of a plan, built from `e` as vectors.
    static func syntheticVectors(
        _ e: [Double], rows: Int, dim: Int, spec: LossSpec, plan: MixingPlan, hard: [[Int]]
    ) -> [[[Double]]] {
        let z = normalised(e, rows: rows, dim: dim)
        return (0..<rows).map { i in
            (0..<plan.synthetic).map { m in
                let alpha = Double(plan.alpha[i][m])
                let za = z[hard[i][plan.a[i][m]]], zb = z[hard[i][plan.b[i][m]]]
                let mixed: [Double]
                switch spec.mixing {
                case .copy: return za
                case .pair: mixed = zip(za, zb).map { alpha * $0 + (1 - alpha) * $1 }
                case .anchor: mixed = zip(z[i], za).map { alpha * $0 + (1 - alpha) * $1 }
                }
                let norm = max(dot(mixed, mixed).squareRoot(), 1e-12)
                return mixed.map { $0 / norm }
            }
        }
    }

    /// Mean loss over the 2B anchors, with the synthetic vectors given (constants).
    static func loss(_ e: [Double], rows: Int, dim: Int, spec: LossSpec, synthetic: [[[Double]]]) -> Double {
        let z = normalised(e, rows: rows, dim: dim)
        let t = Double(spec.temperature)
        var total = 0.0
        for i in 0..<rows {
            let p = (i + rows / 2) % rows
            let positive = exp(dot(z[i], z[p]) / t)
            var similarities = (0..<rows).filter { $0 != i && $0 != p }.map { dot(z[i], z[$0]) }
            if spec.kind == .ntxent {
                let sum = similarities.map { exp($0 / t) }.reduce(0, +)
                total += -log(positive / (positive + sum))
                continue
            }
            if synthetic.count == rows {
                similarities += synthetic[i].map { dot(z[i], $0) }
            }
            let count = Double(similarities.count)
            let beta = Double(spec.beta), tau = Double(spec.tauPlus)
            let weights = similarities.map { exp(beta * $0 / t) }
            let terms = similarities.map { exp($0 / t) }
            let estimate = count * zip(weights, terms).map { $0 * $1 }.reduce(0, +) / weights.reduce(0, +)
            let negatives = max((estimate - tau * count * positive) / (1 - tau), count * exp(-1 / t))
            total += -log(positive / (positive + negatives))
        }
        return total / Double(rows)
    }
}

/// Central finite differences in float64, deterministic: the yardstick for gradients.
enum LossFiniteDifference {
    /// d f / d x_c for every coordinate c, by (f(x + eps) - f(x - eps)) / 2 eps.
    static func gradient(of f: ([Double]) -> Double, at x: [Double], eps: Double = 1e-6) -> [Double] {
        var probe = x
        return (0..<x.count).map { c in
            probe[c] = x[c] + eps
            let up = f(probe)
            probe[c] = x[c] - eps
            let down = f(probe)
            probe[c] = x[c]
            return (up - down) / (2 * eps)
        }
    }

    /// ||a - b|| / ||b||.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let difference = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return difference / max(norm, 1e-300)
    }
}
