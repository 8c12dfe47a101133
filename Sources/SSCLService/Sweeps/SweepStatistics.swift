import Foundation

/// The numbers of a sweep's leaderboard: per configuration the mean, sample standard
/// deviation and 95% confidence interval of the metric over its seeds, and Welch's t-test
/// against the best configuration. Pure functions of the values.
public enum SweepStatistics {
    /// Mean, sample standard deviation (n - 1) and the half-width of the 95% Student-t
    /// confidence interval of the mean (nil below two values).
    public struct Summary: Sendable, Equatable {
        public var count: Int
        public var mean: Double
        public var std: Double?
        public var ci95: Double?
    }

    public static func summary(_ values: [Double]) -> Summary? {
        guard !values.isEmpty else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        guard values.count > 1 else { return Summary(count: 1, mean: mean, std: nil, ci95: nil) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let std = variance.squareRoot()
        let t = studentTQuantile(0.975, degreesOfFreedom: n - 1)
        return Summary(count: values.count, mean: mean, std: std, ci95: t * std / n.squareRoot())
    }

    /// Welch's two-sided t-test of equal means without assuming equal variances: t =
    /// (m₁ − m₂)/√(s₁²/n₁ + s₂²/n₂) with the Welch–Satterthwaite degrees of freedom. Nil when
    /// either side has fewer than two values. Both variances zero: p is 1 for equal means, 0 otherwise.
    public static func welchPValue(_ a: [Double], _ b: [Double]) -> Double? {
        guard let x = summary(a), let y = summary(b), let sx = x.std, let sy = y.std else { return nil }
        let vx = sx * sx / Double(x.count), vy = sy * sy / Double(y.count)
        let se2 = vx + vy
        guard se2 > 0 else { return x.mean == y.mean ? 1 : 0 }
        let t = (x.mean - y.mean) / se2.squareRoot()
        let df = se2 * se2 / (vx * vx / Double(x.count - 1) + vy * vy / Double(y.count - 1))
        return studentTTwoSidedP(t, degreesOfFreedom: df)
    }

    /// P(|T| >= |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2)
    /// (Abramowitz & Stegun 26.7.1 with 26.5.27; Numerical Recipes 3rd ed. §6.14).
    public static func studentTTwoSidedP(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        return regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// The CDF of Student's t.
    public static func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
        let tail = studentTTwoSidedP(t, degreesOfFreedom: df) / 2
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile of Student's t (p in (0, 1)), by bisection on the CDF to 1e-12: the CDF
    /// is monotone, so this cannot fail to converge, and it is computed a few times per page.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p > 0 && p < 1)
        var lo = -1.0, hi = 1.0
        while studentTCDF(lo, degreesOfFreedom: df) > p { lo *= 2 }
        while studentTCDF(hi, degreesOfFreedom: df) < p { hi *= 2 }
        for _ in 0..<200 where hi - lo > 1e-12 * max(1, abs(lo)) {
            let mid = (lo + hi) / 2
            if studentTCDF(mid, degreesOfFreedom: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// The regularized incomplete beta function I_x(a, b), from its continued fraction
    /// (Numerical Recipes in C, 2nd ed., §6.4 `betai`/`betacf`, modified Lentz's method;
    /// Abramowitz & Stegun 26.5.8): the fraction converges fast for x < (a+1)/(a+b+2), and
    /// I_x(a, b) = 1 − I_{1−x}(b, a) covers the rest.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logGammas + logPowers
        let front = exp(logFront)
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    /// NR's `betacf`: the continued fraction of I_x(a, b), evaluated by modified Lentz.
    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-15
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            let evenDenominator: Double = (qam + m2) * (a + m2)
            var aa: Double = m * (b - m) * x / evenDenominator
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let oddDenominator: Double = (a + m2) * (qap + m2)
            aa = -(a + m) * (qab + m) * x / oddDenominator
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
