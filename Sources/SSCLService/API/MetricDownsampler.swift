import SSCLStore

/// Reduces a metric series to at most `maxPoints` points while keeping its shape: the series
/// is cut into maxPoints/2 consecutive buckets and each keeps its minimum and its maximum
/// (in step order), so spikes survive, unlike with plain striding.
enum MetricDownsampler {
    static func downsample(_ points: [MetricPoint], maxPoints: Int) -> [MetricPoint] {
        guard maxPoints > 0, points.count > maxPoints else { return points }
        if maxPoints < 2 { return [points.last!] }
        let buckets = maxPoints / 2
        var out: [MetricPoint] = []
        out.reserveCapacity(buckets * 2)
        for b in 0..<buckets {
            let start = b * points.count / buckets
            let end = (b + 1) * points.count / buckets
            guard start < end else { continue }
            let slice = points[start..<end]
            let finite = slice.filter { $0.value.isFinite }
            guard let lo = finite.min(by: { $0.value < $1.value }), let hi = finite.max(by: { $0.value < $1.value }) else {
                out.append(slice.last!)
                continue
            }
            if lo.step == hi.step {
                out.append(lo)
            } else if lo.step < hi.step {
                out.append(lo); out.append(hi)
            } else {
                out.append(hi); out.append(lo)
            }
        }
        return out
    }
}
