import Foundation

/// Counts of cosine similarities in fixed bins over [-1, 1], measured on one training batch
/// by the false-negative diagnostics (`ContrastiveLoss.falseNegativeDiagnostics`): of each
/// anchor's positive, of all its real negatives, of its hard pool and of its synthetic
/// negatives. Counted per anchor, so each of the 2B anchors adds 1 positive, 2B - 2
/// negatives, s hard and k synthetic ones. `hard` and `synthetic` are nil when the loss
/// selects none (NT-Xent, DCL, HCL).
///
/// The one type of the `similarity_histogram` event: the worker's line, the stored event,
/// the SSE data, `GET /v1/jobs/{id}/similarity_histograms` and `result.json`.
public struct SimilarityHistogram: Sendable, Equatable, Codable {
    /// The global step (1-based) of the batch measured.
    public var step: Int
    /// The 1-based epoch of that step.
    public var epoch: Int
    /// `binCount + 1` increasing edges; bin b holds values in [edge b, edge b+1), the last
    /// bin also 1 (and values outside [-1, 1], from rounding, go to the nearest end bin).
    public var binEdges: [Float]
    public var positives: [Int]
    public var negatives: [Int]
    public var hard: [Int]?
    public var synthetic: [Int]?

    /// 40 bins of width 0.05.
    public static let binCount = 40

    /// -1, -0.95, ..., 1 (`binCount + 1` values), each the nearest float to -1 + 2b / binCount.
    public static let edges: [Float] = (0...binCount).map { Float(-1 + 2 * Double($0) / Double(binCount)) }

    public init(step: Int, epoch: Int, positives: [Int], negatives: [Int], hard: [Int]?, synthetic: [Int]?) {
        self.step = step
        self.epoch = epoch
        self.binEdges = Self.edges
        self.positives = positives
        self.negatives = negatives
        self.hard = hard
        self.synthetic = synthetic
    }

    /// The bin of a cosine similarity: floor((value + 1) / 2 * binCount), clamped to the
    /// bins (NaN goes to bin 0).
    @inline(__always)
    public static func bin(_ value: Float) -> Int {
        let x = (value + 1) * Float(binCount / 2)
        guard x > 0 else { return 0 }
        return x < Float(binCount) ? Int(x) : binCount - 1
    }

    /// Whether the `measurement`-th measurement of a run (1-based: step / diagnostics_every)
    /// reports its histogram: every one up to 127, then one in 2 up to 255, one in 4 up to 511,
    /// and so on, so a run of K measurements reports at most 64 log2(K) + 64 of them and the
    /// store stays small however long the run; the rates are reported at every measurement.
    public static func reports(measurement k: Int) -> Bool {
        var stride = 1
        while 64 * stride * 2 <= k { stride *= 2 }
        return k % stride == 0
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, binEdges = "bin_edges", positives, negatives, hard, synthetic
    }

    /// `hard` and `synthetic` are left out when nil (not `null`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(binEdges, forKey: .binEdges)
        try c.encode(positives, forKey: .positives)
        try c.encode(negatives, forKey: .negatives)
        try c.encodeIfPresent(hard, forKey: .hard)
        try c.encodeIfPresent(synthetic, forKey: .synthetic)
    }

    /// Compact JSON with sorted keys: the stored event's data and the SSE payload.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Integers and finite floats only: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
