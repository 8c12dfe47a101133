/// The random draws behind an anchor's synthetic hard negatives (method.md, "Synthetic hard
/// negatives"), made explicit so a loss can be replayed and checked against golden vectors.
///
/// For anchor i (one of 2B rows) and synthetic sample m (one of k): `a[i][m]` and `b[i][m]`
/// are POSITIONS 0..<s in the anchor's hard list (not row indices) and `alpha[i][m]` the
/// mixing weight. `pair`: h = normalize(alpha z[H[a]] + (1 - alpha) z[H[b]]); `copy`:
/// h = z[H[a]]; `anchor`: h = normalize(alpha z_i + (1 - alpha) z[H[a]]), alpha in [0, 0.5).
public struct MixingPlan: Sendable, Equatable {
    public var a: [[Int]]
    public var b: [[Int]]
    public var alpha: [[Float]]

    public init(a: [[Int]], b: [[Int]], alpha: [[Float]]) {
        self.a = a
        self.b = b
        self.alpha = alpha
    }

    /// Number of anchors (2B).
    public var rows: Int { a.count }
    /// Synthetic samples per anchor (k); 0 for an empty plan.
    public var synthetic: Int { a.first?.count ?? 0 }

    /// Draws a plan exactly as `ContrastiveLoss.forwardBackward` does when given none:
    /// per anchor, per sample, in that order: a, b uniform in 0..<s, then alpha
    /// (U(0, 1), or U(0, 0.5) for `anchor` mixing, MoCHi's range).
    public static func draw(
        rows: Int, synthetic k: Int, hardPool s: Int, mixing: MixingMode,
        rng: inout SeededGenerator
    ) -> MixingPlan {
        var plan = MixingPlan(
            a: Array(repeating: [], count: rows), b: Array(repeating: [], count: rows),
            alpha: Array(repeating: [], count: rows))
        for i in 0..<rows {
            plan.a[i].reserveCapacity(k)
            plan.b[i].reserveCapacity(k)
            plan.alpha[i].reserveCapacity(k)
            for _ in 0..<k {
                let draw = drawOne(hardPool: s, mixing: mixing, rng: &rng)
                plan.a[i].append(draw.a)
                plan.b[i].append(draw.b)
                plan.alpha[i].append(draw.alpha)
            }
        }
        return plan
    }

    /// One (a, b, alpha) draw; shared with the loss so both consume the generator alike.
    @inline(__always)
    static func drawOne(
        hardPool s: Int, mixing: MixingMode, rng: inout SeededGenerator
    ) -> (a: Int, b: Int, alpha: Float) {
        let a = rng.int(below: s)
        let b = rng.int(below: s)
        let alpha = mixing == .anchor ? rng.uniform(0, 0.5) : rng.uniform()
        return (a, b, alpha)
    }

    /// Why this plan cannot drive a loss over `rows` anchors with `k` samples drawn from
    /// hard lists of length `s`, or nil when it can.
    public func problem(rows expectedRows: Int, synthetic k: Int, hardPool s: Int) -> String? {
        guard a.count == expectedRows, b.count == expectedRows, alpha.count == expectedRows else {
            return "plan has \(a.count)/\(b.count)/\(alpha.count) rows (a/b/alpha), expected \(expectedRows)"
        }
        for i in 0..<expectedRows {
            guard a[i].count == k, b[i].count == k, alpha[i].count == k else {
                return "plan row \(i) has \(a[i].count)/\(b[i].count)/\(alpha[i].count) samples, expected \(k)"
            }
            for m in 0..<k {
                guard (0..<s).contains(a[i][m]), (0..<s).contains(b[i][m]) else {
                    return "plan position (\(a[i][m]), \(b[i][m])) at [\(i)][\(m)] outside 0..<\(s)"
                }
                guard alpha[i][m].isFinite else {
                    return "plan alpha at [\(i)][\(m)] is not finite"
                }
            }
        }
        return nil
    }
}
