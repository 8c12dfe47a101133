import Foundation
import SSCLEngine

/// Where a running job stands: the job's `progress` in the REST API and the payload of its
/// `progress` events. The scheduler writes it from each step event; the store keeps the
/// encoded document without looking inside (`JobRecord.progressJSON`), so the service, which
/// writes and reads it, is the one place that knows its shape; public for the `sscl` client,
/// which decodes the same events.
public struct JobProgress: Codable, Sendable, Equatable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var steps: Int
    /// Inputs per second over the latest step; nil when not measurable.
    public var imagesPerSecond: Double?
    /// Seconds left at the rate so far; nil before the first step.
    public var etaSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case epoch, epochs, step, steps, imagesPerSecond = "images_per_s", etaSeconds = "eta_s"
    }

    public init(epoch: Int, epochs: Int, step: Int, steps: Int, imagesPerSecond: Double?, etaSeconds: Double?) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.steps = steps
        self.imagesPerSecond = imagesPerSecond
        self.etaSeconds = etaSeconds
    }

    /// The progress after `report`.
    init(_ report: StepReport) {
        let eta = report.globalStep > 0
            ? report.elapsedSeconds / Double(report.globalStep) * Double(max(0, report.totalSteps - report.globalStep))
            : nil
        self.init(epoch: report.epoch, epochs: report.epochs, step: report.globalStep, steps: report.totalSteps,
                  imagesPerSecond: report.imagesPerSecond.isFinite ? report.imagesPerSecond : nil,
                  etaSeconds: eta.flatMap { $0.isFinite ? $0 : nil })
    }

    /// Every key is written (`null` when unknown), as the API documents.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(step, forKey: .step)
        try c.encode(steps, forKey: .steps)
        try c.encode(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encode(etaSeconds, forKey: .etaSeconds)
    }

    /// The stored document (sorted keys).
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Ints and finite doubles only: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Reads a stored document; nil when there is none.
    init?(json: String?) throws {
        guard let json, !json.isEmpty else { return nil }
        self = try JSONDecoder().decode(JobProgress.self, from: Data(json.utf8))
    }
}
