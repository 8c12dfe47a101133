import Foundation

/// The false-negative diagnostics of a whole run, in `result.json` as `diagnostics`: each rate
/// averaged over the measurements (every one weighs the same; a rate the loss never had is
/// left out) and the last measurement's histogram.
public struct DiagnosticsSummary: Sendable, Equatable, Codable {
    public var rates: FalseNegativeRates
    /// How many batches were measured.
    public var measurements: Int
    public var histogram: SimilarityHistogram

    public init(rates: FalseNegativeRates, measurements: Int, histogram: SimilarityHistogram) {
        self.rates = rates
        self.measurements = measurements
        self.histogram = histogram
    }

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static let measurements = Key("measurements"), histogram = Key("histogram")
    }

    /// `{"fn_rate_all", ..., "measurements", "histogram"}`; absent rates are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in rates.values { try c.encodeNumber(value, forKey: Key(name.rawValue)) }
        try c.encode(measurements, forKey: .measurements)
        try c.encode(histogram, forKey: .histogram)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var values: [MetricName: Double] = [:]
        for name in FalseNegativeRates.metricNames {
            if let value = try c.decodeOptionalNumber(forKey: Key(name.rawValue)) { values[name] = value }
        }
        guard let rates = FalseNegativeRates(values: values) else {
            throw DecodingError.keyNotFound(Key(MetricName.fnRateAll.rawValue), .init(
                codingPath: c.codingPath, debugDescription: "diagnostics without fn_rate_all"))
        }
        self.rates = rates
        measurements = try c.decode(Int.self, forKey: .measurements)
        histogram = try c.decode(SimilarityHistogram.self, forKey: .histogram)
    }
}

/// Running sums behind `DiagnosticsSummary`, in float64.
struct DiagnosticsTotals {
    private var sums: [MetricName: Double] = [:]
    private var counts: [MetricName: Int] = [:]
    private var measurements = 0
    private var lastHistogram: SimilarityHistogram?

    mutating func add(_ rates: FalseNegativeRates, histogram: SimilarityHistogram?) {
        for (name, value) in rates.values where value.isFinite {
            sums[name, default: 0] += value
            counts[name, default: 0] += 1
        }
        measurements += 1
        if let histogram { lastHistogram = histogram }
    }

    /// nil before the first measurement.
    var summary: DiagnosticsSummary? {
        guard measurements > 0, let lastHistogram else { return nil }
        var means: [MetricName: Double] = [:]
        for (name, sum) in sums { means[name] = sum / Double(counts[name]!) }
        guard let rates = FalseNegativeRates(values: means) else { return nil }
        return DiagnosticsSummary(rates: rates, measurements: measurements, histogram: lastHistogram)
    }
}
