import Foundation
import Logging
import Testing
@testable import SSCLEngine

/// A colour image-folder job from its JSON document to the exported model.
@Suite struct TrainerImageFolderTests {
    /// Three classes of 10x10 RGB images (16 each): red, green or blue with random speckle,
    /// half PNG and half JPEG.
    private func colourFolder() throws -> URL {
        let root = try DataFixtures.temporaryFolder()
        var rng = SeededGenerator(seed: 3)
        var files: [String: [UInt8]] = [:]
        for (c, name) in ["blue", "green", "red"].enumerated() {
            for i in 0..<16 {
                var pixels: [UInt8] = []
                for _ in 0..<100 {
                    for channel in 0..<3 {
                        let base: Float = channel == 2 - c ? 200 : 30  // red is channel 0 for c = 2
                        pixels.append(UInt8(max(0, min(255, base + rng.uniform(-30, 30)))))
                    }
                }
                files["\(name)/\(i).\(i % 2 == 0 ? "png" : "jpg")"] = i % 2 == 0
                    ? ImageFixtures.png(width: 10, height: 10, channels: 3, pixels: pixels)
                    : ImageFixtures.jpeg(width: 10, height: 10, channels: 3, pixels: pixels)
            }
        }
        try ImageFixtures.write(files, under: root)
        return root
    }

    private func job(_ root: URL, channels: Int = 3, encoder: String = "cnn") throws -> JobSpec {
        try JobSpec.parse(json: Data("""
            {"dataset": {"format": "imagefolder", "path": "\(root.path)", "image_size": 8, "channels": \(channels),
                         "test_fraction": 0.25},
             "model": {"encoder": "\(encoder)", "channels": [4, 8], "hidden": [16], "projection": [16, 8]},
             "loss": {"kind": "sscl", "hard_pool": 4, "synthetic": 2},
             "batch_size": 12, "epochs": 2, "seed": 1,
             "eval": {"knn_k": 5, "linear_probe": false}}
            """.utf8))
    }

    @Test func aColourCNNJobTrainsExportsAndChecksItsCheckpoint() throws {
        let root = try colourFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try job(root)
        let dataset = try DatasetLoader.load(spec.dataset, seed: spec.seed)
        #expect(dataset.rowShape == [3, 8, 8] && dataset.train.count == 36 && dataset.test.count == 12)
        let trainer = try Trainer(spec: spec, dataset: dataset, logger: Logger(label: "test"))
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkpointURL = dir.appendingPathComponent("checkpoint.bin")
        let (losses, outcome) = try TrainerTests.losses(trainer, checkpoint: checkpointURL)
        #expect(losses.count == 6 && losses.allSatisfy(\.isFinite))
        guard case let .completed(result) = outcome else {
            Issue.record("the run did not complete: \(outcome)")
            return
        }
        // The colours separate the classes: raw pixels alone classify them.
        #expect(result.rawKnnAccuracy > 0.9 && result.knnAccuracy.isFinite)

        let modelURL = dir.appendingPathComponent("model.safetensors")
        try trainer.exportModel(to: modelURL)
        let file = try SafetensorsFile.read(from: modelURL)
        #expect(file.metadata["input_shape"] == "3,8,8")
        #expect(file.tensors.first { $0.name == "encoder.0.weight" }?.shape == [4, 3, 3, 3])

        // The same job on grey images cannot take this checkpoint: the first kernel differs.
        let grey = try job(root, channels: 1)
        let greyTrainer = try Trainer(spec: grey, dataset: try DatasetLoader.load(grey.dataset, seed: grey.seed),
                                      logger: Logger(label: "test"))
        #expect(throws: TrainingError.checkpointMismatch("encoder.0.weight has shape [4, 3, 3, 3], the model needs [4, 1, 3, 3]")) {
            try greyTrainer.restore(from: try Checkpoint.read(from: checkpointURL))
        }
    }

    @Test func aColourMLPJobTrains() throws {
        let root = try colourFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try job(root, encoder: "mlp")
        let trainer = try Trainer(spec: spec, dataset: try DatasetLoader.load(spec.dataset, seed: spec.seed),
                                  logger: Logger(label: "test"))
        #expect(trainer.model.parameters.first?.shape == [16, 192])  // 3 x 8 x 8 inputs
        let (losses, _) = try TrainerTests.losses(trainer)
        #expect(losses.count == 6 && losses.allSatisfy(\.isFinite))
    }
}
