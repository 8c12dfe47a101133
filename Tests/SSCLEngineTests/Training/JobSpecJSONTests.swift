import Foundation
import Testing
@testable import SSCLEngine

@Suite struct JobSpecJSONTests {
    /// Specs that exercise each kind-dependent part of the output.
    static let specs: [JobSpec] = {
        var ntxent = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist-mini")))
        ntxent.name = "simclr"
        ntxent.loss = LossSpec.defaults(for: .ntxent)
        ntxent.loss.temperature = 0.2
        ntxent.seed = UInt64.max
        ntxent.priority = -3

        var dcl = JobSpec(dataset: DatasetSpec(source: .builtin("digits")))
        dcl.loss = LossSpec.defaults(for: .dcl)
        dcl.loss.synthetic = 4
        dcl.loss.hardPool = 16
        dcl.loss.mixing = .anchor
        dcl.augment = .digits
        dcl.dataset.trainLimit = 1000
        dcl.dataset.scale = 0.0625
        dcl.schedule.kind = .constant
        dcl.schedule.warmupEpochs = 0.5

        var csv = JobSpec(dataset: DatasetSpec(source: .csv(train: "train.csv", test: nil, labelColumn: "y")))
        csv.dataset.testFraction = 0.25
        csv.optimizer = OptimizerSpec.defaults(for: .adamw)
        csv.optimizer.beta2 = 0.99
        csv.augment = AugmentSpec(noise: 0.05, mask: 0.4)
        csv.model.hidden = [256, 64]
        csv.model.projection = [64, 32]
        csv.eval.linearProbe = false

        var cnn = JobSpec(dataset: DatasetSpec(source: .idx(path: "/data/kmnist")))
        cnn.model.encoder = .cnn
        cnn.model.channels = [16, 32]
        cnn.model.batchNorm = true
        cnn.optimizer = OptimizerSpec.defaults(for: .lars)
        cnn.optimizer.trustCoefficient = 0.02
        cnn.optimizer.nesterov = true
        cnn.schedule.minLRFactor = 0.01
        cnn.augment.flip = false
        cnn.maxSeconds = 90.5
        // Built in code the way a test would: unused widths and a warm-up as long as the run.
        var tiny = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist-mini")))
        tiny.model.hidden = [48]
        tiny.model.channels = [4, 8]
        tiny.epochs = 1
        tiny.batchSize = 32
        tiny.loss.hardPool = 8
        tiny.schedule.kind = .constant
        tiny.schedule.minLRFactor = 0.5
        return [JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist"))), ntxent, dcl, csv, cnn, tiny]
    }()

    @Test(arguments: 0..<6)
    func resolvedDocumentParsesBackToTheSameSpec(index: Int) throws {
        let spec = Self.specs[index]
        #expect(try JobSpec.parse(json: spec.jsonData(pretty: true)) == spec)
        #expect(try JobSpec.parse(json: spec.jsonData(pretty: false)) == spec)
        #expect(try JobSpec.parse(object: spec.jsonObject()) == spec)
        // Through Foundation's serializer, as the HTTP layer might do it.
        let foundation = try JSONSerialization.data(withJSONObject: spec.jsonObject())
        #expect(try JobSpec.parse(json: foundation) == spec)
    }

    @Test func defaultDocumentIsComplete() {
        let text = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist"))).jsonValue().jsonText(pretty: true)
        #expect(text == """
            {
              "name": "job",
              "dataset": {
                "name": "fashion-mnist",
                "train_limit": null,
                "scale": null,
                "test_fraction": 0.2
              },
              "model": {
                "encoder": "mlp",
                "hidden": [512, 512],
                "channels": [32, 64, 128],
                "projection": [512, 128],
                "batch_norm": false
              },
              "loss": {
                "kind": "sscl",
                "temperature": 0.5,
                "tau_plus": 0.1,
                "beta": 1.0,
                "hard_pool": 32,
                "synthetic": 8,
                "mixing": "pair"
              },
              "optimizer": {
                "kind": "sgd",
                "lr": 0.1,
                "weight_decay": 0.0001,
                "momentum": 0.9,
                "nesterov": false,
                "trust_coefficient": 0.001
              },
              "schedule": {
                "kind": "cosine",
                "warmup_epochs": 1.0,
                "min_lr_factor": 0.0
              },
              "augment": {
                "crop": 0.8,
                "flip": true,
                "jitter": 0.4,
                "noise": 0.05,
                "erase": 0.25
              },
              "epochs": 10,
              "min_steps": null,
              "batch_size": 256,
              "seed": 0,
              "threads": 1,
              "eval": {
                "every_epochs": null,
                "knn_k": 200,
                "knn_temperature": 0.1,
                "linear_probe": true,
                "diagnostics_every": 20
              },
              "priority": 0,
              "max_restarts": 3,
              "max_seconds": 3600.0
            }
            """)
    }

    @Test func kindsPrintOnlyTheFieldsTheyUse() throws {
        let ntxent = Self.specs[1].jsonValue()
        #expect(ntxent["loss"] == .object([JSONMember("kind", .string("ntxent")), JSONMember("temperature", .number("0.2"))]))
        let csv = Self.specs[3].jsonValue()
        #expect(csv["augment"] == .object([JSONMember("noise", .number("0.05")), JSONMember("mask", .number("0.4"))]))
        #expect(csv["dataset"]?["test"] == .null && csv["dataset"]?["scale"] == nil)
        #expect(csv["optimizer"]?["momentum"] == nil && csv["optimizer"]?["beta2"] == .number("0.99"))
        let cnn = Self.specs[4].jsonValue()
        #expect(cnn["model"]?["channels"] == .array([.number(16), .number(32)]))
        #expect(cnn["optimizer"]?["trust_coefficient"] == .number("0.02") && cnn["optimizer"]?["eps"] == nil)
    }

    @Test func foundationObjectHoldsNiceDoublesAndExactSeeds() throws {
        let object = Self.specs[1].jsonObject()
        let loss = try #require(object["loss"] as? [String: Any])
        #expect(loss["temperature"] as? Double == 0.2)  // not 0.20000000298023224
        let optimizer = try #require(object["optimizer"] as? [String: Any])
        #expect(optimizer["weight_decay"] as? Double == 0.0001)
        #expect(object["seed"] as? UInt64 == UInt64.max)
        #expect(object["priority"] as? Int == -3)
        #expect(Set(object.keys) == ["name", "dataset", "model", "loss", "optimizer", "schedule", "augment", "epochs",
                                     "min_steps", "batch_size", "seed", "threads", "eval", "priority", "max_restarts", "max_seconds"])
    }
}
