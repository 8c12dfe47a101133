import Foundation
import SSCLEngine
import SSCLStore
import Testing
@testable import SSCLService

/// The backfill reads metrics.jsonl with the same decoder and the same event-to-point
/// mapping as the live path, so it restores exactly the points the live path stored.
@Suite(.serialized) struct MetricsBackfillTests {
    @Test func restoresTheSamePointsAsTheLivePath() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let created = try HTTPTestClient.request("POST", "\(f.base)/v1/jobs",
                                                 body: ServiceFixture.tinyJob().replacingOccurrences(
                                                     of: #""linear_probe": false"#, with: #""linear_probe": true, "diagnostics_every": 4"#))
        let id = try #require(created.json["id"] as? String)
        #expect(HTTPTestClient.waitUntil(90) { (try? f.service.store.job(id: id))?.status.isFinished ?? false })
        #expect(try f.service.store.job(id: id)?.status == .succeeded)

        func sorted(_ points: [MetricPoint]) -> [MetricPoint] {
            points.sorted { ($0.name, $0.step) < ($1.name, $1.step) }
        }
        let live = sorted(try f.service.store.metrics(jobID: id).values.flatMap { $0 })
        let file = f.service.scheduler.directory(of: id).appendingPathComponent("metrics.jsonl")
        let restored = sorted(MetricsBackfill.points(fromFileAt: file))
        #expect(live.count == 8 * 3 + 3 + 4 + 2 * 5,
                "three curves per step; per evaluation three, and the linear probe at the last; five rates at steps 4 and 8")
        #expect(restored == live)
        #expect(Set(live.map(\.name)) == Set(MetricName.allCases.map(\.rawValue)))
    }

    @Test func skipsLinesThatAreNotEvents() throws {
        let dir = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let step = TrainingEvent(.step(StepReport(epoch: 1, epochs: 1, globalStep: 1, totalSteps: 1, loss: 2.5, lr: 0.1,
                                                  imagesPerSecond: 100, elapsedSeconds: 1)))
        let file = dir.appendingPathComponent("metrics.jsonl")
        // The last line was cut short by a kill.
        try Data((step.jsonLine() + "\nnot json\n" + step.jsonLine().dropLast(9)).utf8).write(to: file)
        let points = MetricsBackfill.points(fromFileAt: file)
        #expect(points == step.metricPoints)
        #expect(points.map(\.name) == ["loss", "lr", "images_per_s"] && points.allSatisfy { $0.time == step.time })
        #expect(MetricsBackfill.points(fromFileAt: dir.appendingPathComponent("missing.jsonl")).isEmpty)
    }
}
