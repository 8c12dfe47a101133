import Foundation
import Testing
@testable import SSCLEngine

/// A document with the fashion-mnist dataset plus `fields` (a comma-separated JSON fragment).
private func document(_ fields: String = "") -> String {
    "{\"dataset\": {\"name\": \"fashion-mnist\"}" + (fields.isEmpty ? "" : ", " + fields) + "}"
}

private func parse(_ json: String) throws -> JobSpec { try JobSpec.parse(json: Data(json.utf8)) }

/// The issues `json` is rejected with ([] if it parses).
private func issues(_ json: String) throws -> [ValidationIssue] {
    do {
        _ = try parse(json)
        return []
    } catch let error as JobSpecValidationError {
        return error.issues
    }
}

private func issue(_ path: String, _ reason: String) -> ValidationIssue { ValidationIssue(path: path, reason: reason) }

@Suite struct JobSpecParsingTests {
    static let example = """
        {
          "name": "fmnist-sscl",
          "dataset": {"name": "fashion-mnist", "train_limit": 20000},
          "model": {"encoder": "mlp", "hidden": [512, 512], "projection": [512, 128]},
          "loss": {"kind": "sscl", "temperature": 0.5, "tau_plus": 0.1, "beta": 1.0, "hard_pool": 32,
                   "synthetic": 8, "mixing": "pair"},
          "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001},
          "schedule": {"kind": "cosine", "warmup_epochs": 1},
          "augment": {"crop": 0.8, "flip": true, "jitter": 0.4, "noise": 0.05, "erase": 0.25},
          "epochs": 10, "batch_size": 256, "seed": 0, "threads": 1,
          "eval": {"every_epochs": 1, "knn_k": 200, "knn_temperature": 0.1, "linear_probe": true},
          "priority": 0, "max_restarts": 3, "max_seconds": 3600
        }
        """

    @Test func exampleDocumentParsesToTheExpectedSpec() throws {
        var expected = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist")))
        expected.name = "fmnist-sscl"
        expected.dataset.trainLimit = 20000
        expected.model.hidden = [512, 512]
        expected.model.projection = [512, 128]
        expected.loss = LossSpec.defaults(for: .sscl)
        expected.optimizer = OptimizerSpec.defaults(for: .sgd)
        expected.augment = .image
        expected.eval.everyEpochs = 1
        let spec = try parse(Self.example)
        #expect(spec == expected)
        #expect(spec.loss.temperature == 0.5 && spec.loss.hardPool == 32 && spec.loss.synthetic == 8)
        #expect(spec.optimizer.weightDecay == 0.0001 && spec.eval.knnTemperature == 0.1)
    }

    @Test func documentWithOnlyADatasetGetsEveryDefault() throws {
        let spec = try parse(document())
        var expected = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist")))
        expected.minSteps = JobSpec.defaultMinSteps  // no epochs given: the step budget applies
        #expect(spec == expected)
        #expect(try parse(document(#""epochs": 12"#)).minSteps == nil, "epochs given alone: exactly that many")
        #expect(try parse(document(#""epochs": 12, "min_steps": 50"#)).minSteps == 50)
        #expect(try parse(document(#""min_steps": null"#)).minSteps == nil)
        #expect(spec.name == "job" && spec.batchSize == 256 && spec.schedule.warmupEpochs == 1)
    }

    @Test func everyProblemIsReportedAtOnceInDocumentOrder() throws {
        let json = """
            {"name": "", "dataset": {"name": "fashion-mnist"}, "model": {"hidden": [512, 0]},
             "loss": {"kind": "ntxent", "tempreature": 0.5, "beta": 1},
             "optimizer": {"lr": -1, "beta1": 0.9}, "epochs": 2.5, "batch_size": 1}
            """
        #expect(try issues(json) == [
            issue("name", "must not be empty"),
            issue("model.hidden[1]", "must be in 1...16384"),
            issue("loss.beta", "not used by ntxent"),
            issue("loss.tempreature", "unknown key; did you mean \"temperature\"?"),
            issue("optimizer.lr", "must be in (0, 100]"),
            issue("optimizer.beta1", "not used by sgd"),
            issue("epochs", "expected an integer"),
            issue("batch_size", "must be in 2...65536"),
        ])
    }

    @Test func missingDatasetIsRequired() throws {
        #expect(try issues("{\"epochs\": 0}") == [issue("dataset", "required"), issue("epochs", "must be in 1...100000")])
        #expect(try issues("{}") == [issue("dataset", "required")])
    }

    /// Each rule: a fragment breaking it, the path and the reason.
    @Test(arguments: [
        ("\"batch_size\": 65537", "batch_size", "must be in 2...65536"),
        ("\"epochs\": 0", "epochs", "must be in 1...100000"),
        ("\"threads\": 65", "threads", "must be in 1...64"),
        ("\"threads\": 0", "threads", "must be in 1...64"),
        ("\"seed\": -1", "seed", "must be in 0...18446744073709551615"),
        ("\"seed\": 1.5", "seed", "expected an integer"),
        ("\"max_restarts\": -1", "max_restarts", "must be in 0...1000"),
        ("\"max_seconds\": 0", "max_seconds", "must be > 0"),
        ("\"name\": \"\(String(repeating: "x", count: 201))\"", "name", "must be at most 200 bytes of UTF-8 (it has 201)"),
        ("\"loss\": {\"temperature\": 0}", "loss.temperature", "must be in (0, 100]"),
        ("\"loss\": {\"temperature\": 100.5}", "loss.temperature", "must be in (0, 100]"),
        ("\"loss\": {\"tau_plus\": 1}", "loss.tau_plus", "must be in [0, 1)"),
        ("\"loss\": {\"tau_plus\": -0.1}", "loss.tau_plus", "must be in [0, 1)"),
        ("\"loss\": {\"beta\": -1}", "loss.beta", "must be in [0, 100]"),
        ("\"loss\": {\"beta\": 101}", "loss.beta", "must be in [0, 100]"),
        ("\"loss\": {\"synthetic\": -1}", "loss.synthetic", "must be in 0...1024"),
        ("\"loss\": {\"synthetic\": 1025}", "loss.synthetic", "must be in 0...1024"),
        ("\"loss\": {\"hard_pool\": 0}", "loss.hard_pool", "must be in 1...510 (2B-2 with batch_size 256) when synthetic > 0"),
        ("\"optimizer\": {\"lr\": 0}", "optimizer.lr", "must be in (0, 100]"),
        ("\"optimizer\": {\"momentum\": 1}", "optimizer.momentum", "must be in [0, 1)"),
        ("\"optimizer\": {\"weight_decay\": -0.1}", "optimizer.weight_decay", "must be in [0, 1]"),
        ("\"optimizer\": {\"kind\": \"adamw\", \"beta1\": 1}", "optimizer.beta1", "must be in (0, 1)"),
        ("\"optimizer\": {\"kind\": \"adamw\", \"beta2\": 0}", "optimizer.beta2", "must be in (0, 1)"),
        ("\"optimizer\": {\"kind\": \"adamw\", \"eps\": 0}", "optimizer.eps", "must be in (0, 1]"),
        ("\"optimizer\": {\"kind\": \"lars\", \"trust_coefficient\": 0}", "optimizer.trust_coefficient", "must be in (0, 1]"),
        ("\"optimizer\": {\"momentum\": 0, \"nesterov\": true}", "optimizer.nesterov", "needs momentum > 0"),
        ("\"schedule\": {\"warmup_epochs\": -1}", "schedule.warmup_epochs", "must be >= 0"),
        ("\"epochs\": 3, \"schedule\": {\"warmup_epochs\": 3.5}", "schedule.warmup_epochs", "must be <= epochs (3)"),
        ("\"schedule\": {\"min_lr_factor\": 1.5}", "schedule.min_lr_factor", "must be in [0, 1]"),
        ("\"model\": {\"hidden\": []}", "model.hidden", "must have at least 1 entry"),
        ("\"model\": {\"projection\": [128, 16385]}", "model.projection[1]", "must be in 1...16384"),
        ("\"model\": {\"encoder\": \"cnn\", \"channels\": [0]}", "model.channels[0]", "must be in 1...16384"),
        ("\"augment\": {\"crop\": 1.1}", "augment.crop", "must be in [0, 1]"),
        ("\"augment\": {\"jitter\": 1}", "augment.jitter", "must be in [0, 1)"),
        ("\"augment\": {\"noise\": -0.1}", "augment.noise", "must be >= 0"),
        ("\"augment\": {\"erase\": 1.5}", "augment.erase", "must be in [0, 1]"),
        ("\"eval\": {\"every_epochs\": 0}", "eval.every_epochs", "must be >= 1"),
        ("\"eval\": {\"knn_k\": 0}", "eval.knn_k", "must be >= 1"),
        ("\"eval\": {\"knn_temperature\": 0}", "eval.knn_temperature", "must be in (0, 100]"),
    ])
    func rangeRuleIsEnforced(fragment: String, path: String, reason: String) throws {
        #expect(try issues(document(fragment)) == [issue(path, reason)])
    }

    /// The boundary values the rules above allow.
    @Test(arguments: [
        "\"batch_size\": 2, \"loss\": {\"hard_pool\": 2}", "\"batch_size\": 65536", "\"epochs\": 100000", "\"threads\": 64",
        "\"seed\": 18446744073709551615", "\"priority\": -5", "\"max_restarts\": 0",
        "\"loss\": {\"tau_plus\": 0, \"beta\": 0, \"synthetic\": 0, \"hard_pool\": 0, \"temperature\": 100}",
        "\"batch_size\": 8, \"loss\": {\"hard_pool\": 14}",
        "\"optimizer\": {\"momentum\": 0, \"weight_decay\": 0}", "\"augment\": {\"crop\": 1, \"erase\": 1, \"noise\": 0}",
        "\"epochs\": 3, \"schedule\": {\"warmup_epochs\": 3, \"min_lr_factor\": 1}", "\"epochs\": 1",
        "\"dataset\": {\"name\": \"digits\", \"train_limit\": 1, \"test_fraction\": 0.99}",
    ])
    func boundaryValueIsAccepted(fragment: String) throws {
        let json = fragment.hasPrefix("\"dataset\"") ? "{\(fragment)}" : document(fragment)
        #expect(try issues(json) == [])
    }

    @Test func unknownKeysAreReportedAtEveryLevelWithASuggestion() throws {
        let json = document("""
            "batchSize": 64, "colour": 1, "loss": {"tempreature": 0.2}, "eval": {"knn": 5},
            "model": {"projection_dim": 3}
            """).replacingOccurrences(of: "\"name\": \"fashion-mnist\"", with: "\"name\": \"fashion-mnist\", \"lable\": 1")
        #expect(try issues(json) == [
            issue("dataset.lable", "unknown key"),
            issue("batchSize", "unknown key; did you mean \"batch_size\"?"),
            issue("colour", "unknown key"),
            issue("loss.tempreature", "unknown key; did you mean \"temperature\"?"),
            issue("eval.knn", "unknown key"),
            issue("model.projection_dim", "unknown key"),
        ])
    }

    @Test func ntxentAcceptsNoneOfTheSSCLParameters() throws {
        #expect(try issues(document("\"loss\": {\"kind\": \"ntxent\", \"beta\": 1}")) == [issue("loss.beta", "not used by ntxent")])
        let all = "\"loss\": {\"kind\": \"ntxent\", \"tau_plus\": 0, \"beta\": 0, \"hard_pool\": 1, \"synthetic\": 0, \"mixing\": \"copy\"}"
        #expect(try issues(document(all)).map(\.path) == ["loss.tau_plus", "loss.beta", "loss.hard_pool", "loss.synthetic", "loss.mixing"])
        let spec = try parse(document("\"loss\": {\"kind\": \"ntxent\", \"temperature\": 0.2}"))
        var expected = LossSpec.defaults(for: .ntxent)
        expected.temperature = 0.2
        #expect(spec.loss == expected)
    }

    @Test func lossKindSetsDefaultsAndExplicitFieldsOverride() throws {
        let dcl = try parse(document("\"loss\": {\"kind\": \"dcl\", \"synthetic\": 4, \"hard_pool\": 16, \"mixing\": \"anchor\"}"))
        #expect(dcl.loss.kind == .dcl && dcl.loss.beta == 0 && dcl.loss.tauPlus == 0.1)
        #expect(dcl.loss.synthetic == 4 && dcl.loss.hardPool == 16 && dcl.loss.mixing == .anchor)
        #expect(try parse(document("\"loss\": {\"kind\": \"hcl\"}")).loss == LossSpec.defaults(for: .hcl))
        // dcl's default pool is 0, which synthetic negatives cannot use.
        #expect(try issues(document("\"loss\": {\"kind\": \"dcl\", \"synthetic\": 4}")) == [
            issue("loss.hard_pool", "must be in 1...510 (2B-2 with batch_size 256) when synthetic > 0; the dcl default is 0"),
        ])
    }

    @Test func hardPoolIsLimitedByTwiceTheBatchMinusTwo() throws {
        #expect(try issues(document("\"batch_size\": 8, \"loss\": {\"hard_pool\": 15}")) == [
            issue("loss.hard_pool", "must be in 1...14 (2B-2 with batch_size 8) when synthetic > 0"),
        ])
        // The default pool of 32 does not fit a batch of 8 either, and the reason says where 32 came from.
        #expect(try issues(document("\"batch_size\": 8")) == [
            issue("loss.hard_pool", "must be in 1...14 (2B-2 with batch_size 8) when synthetic > 0; the sscl default is 32"),
        ])
        // Without synthetic negatives the pool is unused.
        #expect(try issues(document("\"batch_size\": 8, \"loss\": {\"synthetic\": 0, \"hard_pool\": 100}")) == [])
        // An invalid batch size is reported once, not again through the pool.
        #expect(try issues(document("\"batch_size\": 1, \"loss\": {\"hard_pool\": 600}")) == [
            issue("batch_size", "must be in 2...65536"),
        ])
    }

    @Test(arguments: [
        ("\"epochs\": \"10\"", "epochs", "expected an integer"),
        ("\"epochs\": 3.5", "epochs", "expected an integer"),
        ("\"epochs\": true", "epochs", "expected an integer"),
        ("\"max_seconds\": true", "max_seconds", "expected a number"),
        ("\"max_seconds\": \"60\"", "max_seconds", "expected a number"),
        ("\"name\": 7", "name", "expected a string"),
        ("\"model\": {\"batch_norm\": 1}", "model.batch_norm", "expected a boolean"),
        ("\"model\": {\"encoder\": \"rnn\"}", "model.encoder", "expected one of: mlp, cnn"),
        ("\"model\": {\"hidden\": 512}", "model.hidden", "expected an array of integers"),
        ("\"model\": {\"hidden\": [512, \"x\"]}", "model.hidden[1]", "expected an integer"),
        ("\"model\": {\"hidden\": [512, 1.5]}", "model.hidden[1]", "expected an integer"),
        ("\"loss\": {\"kind\": \"simclr\"}", "loss.kind", "expected one of: ntxent, dcl, hcl, sscl"),
        ("\"loss\": {\"mixing\": 1}", "loss.mixing", "expected one of: pair, copy, anchor"),
        ("\"loss\": 3", "loss", "expected an object"),
        ("\"optimizer\": {\"kind\": \"adam\"}", "optimizer.kind", "expected one of: sgd, adamw, lars"),
        ("\"schedule\": {\"kind\": \"step\"}", "schedule.kind", "expected one of: cosine, constant"),
        ("\"priority\": 1e30", "priority", "must fit in a 64-bit signed integer"),
        ("\"loss\": {\"temperature\": null}", "loss.temperature", "expected a number"),
    ])
    func wrongTypeIsReported(fragment: String, path: String, reason: String) throws {
        #expect(try issues(document(fragment)) == [issue(path, reason)])
    }

    @Test func integersMayBeWrittenWithAFraction() throws {
        let spec = try parse(document("\"epochs\": 3.0, \"batch_size\": 1.28e2, \"seed\": 18446744073709551615"))
        #expect(spec.epochs == 3 && spec.batchSize == 128 && spec.seed == UInt64.max)
    }

    @Test func datasetSourcesParse() throws {
        let idx = try parse("{\"dataset\": {\"format\": \"idx\", \"path\": \"/data/kmnist\", \"scale\": 0.0625}}")
        #expect(idx.dataset.source == .idx(path: "/data/kmnist") && idx.dataset.scale == 0.0625)
        #expect(idx.augment == .image)
        let csv = try parse("{\"dataset\": {\"format\": \"csv\", \"train\": \"a.csv\", \"test_fraction\": 0.1}}")
        #expect(csv.dataset.source == .csv(train: "a.csv", test: nil, labelColumn: "label"))
        #expect(csv.dataset.testFraction == 0.1 && csv.augment == .tabular)
        let csv2 = try parse("""
            {"dataset": {"format": "csv", "train": "a.csv", "test": "b.csv", "label_column": "y", "train_limit": null}}
            """)
        #expect(csv2.dataset.source == .csv(train: "a.csv", test: "b.csv", labelColumn: "y"))
        let digits = try parse("{\"dataset\": {\"name\": \"digits\"}, \"augment\": {\"noise\": 0.1}}")
        var expected = AugmentSpec.digits
        expected.noise = 0.1
        #expect(digits.augment == expected && digits.dataset.scale == nil)
    }

    @Test(arguments: [
        ("{\"format\": \"idx\"}", "dataset.path", "required"),
        ("{\"format\": \"csv\"}", "dataset.train", "required"),
        ("{\"format\": \"parquet\"}", "dataset.format", "expected one of: idx, csv, arff, npz, npy, imagefolder"),
        ("{\"name\": \"cifar10\"}", "dataset.name", "expected one of: fashion-mnist, fashion-mnist-mini, digits"),
        ("{\"name\": \"digits\", \"format\": \"idx\"}", "dataset", "give either \"name\" or \"format\", not both"),
        ("{\"train_limit\": 5}", "dataset",
         "needs \"name\" (one of: fashion-mnist, fashion-mnist-mini, digits) or \"format\" (idx, csv, arff, npz, npy, imagefolder)"),
        ("{\"name\": \"digits\", \"path\": \"x\"}", "dataset.path", "not used by built-in datasets"),
        ("{\"format\": \"idx\", \"path\": \"x\", \"train\": \"y\"}", "dataset.train", "not used by idx datasets"),
        ("{\"format\": \"csv\", \"train\": \"y\", \"scale\": 1}", "dataset.scale", "not used by csv and arff datasets"),
        ("{\"format\": \"csv\", \"train\": \"y\", \"label_column\": \"\"}", "dataset.label_column", "must not be empty"),
        ("{\"name\": \"digits\", \"train_limit\": 0}", "dataset.train_limit", "must be >= 1"),
        ("{\"name\": \"digits\", \"scale\": 0}", "dataset.scale", "must be > 0"),
        ("{\"name\": \"digits\", \"test_fraction\": 1}", "dataset.test_fraction", "must be in (0, 1)"),
        ("[]", "dataset", "expected an object"),
    ])
    func invalidDatasetIsReported(dataset: String, path: String, reason: String) throws {
        #expect(try issues("{\"dataset\": \(dataset)}") == [issue(path, reason)])
    }

    @Test func augmentationMustSuitTheDataset() throws {
        let csv = "{\"dataset\": {\"format\": \"csv\", \"train\": \"a.csv\"}, "
        #expect(try issues(csv + "\"augment\": {\"flip\": true, \"noise\": 0.2, \"crop\": 0.5}}") == [
            issue("augment.crop", "image augmentation on a tabular dataset"),
            issue("augment.flip", "image augmentation on a tabular dataset"),
        ])
        #expect(try issues(csv + "\"model\": {\"encoder\": \"cnn\"}}") == [issue("model.encoder", "cnn needs an image dataset")])
        #expect(try issues(document("\"augment\": {\"mask\": 0.2}")) == [
            issue("augment.mask", "tabular augmentation on an image dataset"),
        ])
        let spec = try parse(csv + "\"augment\": {\"mask\": 0.5}}")
        #expect(spec.augment == AugmentSpec(noise: 0.1, mask: 0.5))
    }

    @Test func optimizerFieldsBelongToTheirKind() throws {
        #expect(try issues(document("\"optimizer\": {\"kind\": \"adamw\", \"momentum\": 0.9, \"nesterov\": true}")) == [
            issue("optimizer.momentum", "not used by adamw"), issue("optimizer.nesterov", "not used by adamw"),
        ])
        #expect(try issues(document("\"optimizer\": {\"kind\": \"adamw\", \"trust_coefficient\": 0.01}")) == [
            issue("optimizer.trust_coefficient", "not used by adamw"),
        ])
        #expect(try issues(document("\"optimizer\": {\"kind\": \"lars\", \"eps\": 1e-6, \"beta1\": 0.9}")) == [
            issue("optimizer.beta1", "not used by lars"), issue("optimizer.eps", "not used by lars"),
        ])
        let adamw = try parse(document("\"optimizer\": {\"kind\": \"adamw\", \"beta2\": 0.99}"))
        var expected = OptimizerSpec.defaults(for: .adamw)
        expected.beta2 = 0.99
        #expect(adamw.optimizer == expected && adamw.optimizer.lr == 1e-3)
        let lars = try parse(document("\"optimizer\": {\"kind\": \"lars\", \"trust_coefficient\": 0.02, \"nesterov\": true}"))
        #expect(lars.optimizer.trustCoefficient == 0.02 && lars.optimizer.nesterov && lars.optimizer.momentum == 0.9)
    }

    @Test func cnnAndScheduleFieldsParse() throws {
        let cnn = try parse(document("\"model\": {\"encoder\": \"cnn\", \"channels\": [16, 32], \"batch_norm\": true}"))
        #expect(cnn.model.encoder == .cnn && cnn.model.channels == [16, 32] && cnn.model.batchNorm)
        let constant = try parse(document("\"schedule\": {\"kind\": \"constant\", \"warmup_epochs\": 0}"))
        #expect(constant.schedule.kind == .constant && constant.schedule.warmupEpochs == 0)
    }

    @Test func malformedJSONIsASyntaxError() throws {
        #expect(throws: JobSpecSyntaxError.self) { try parse("{\"dataset\": ") }
        #expect(throws: JobSpecSyntaxError.self) { try parse("[1, 2]") }
        do {
            _ = try parse("{\n  \"epochs\": 3,\n}")
            Issue.record("expected a syntax error")
        } catch let error as JobSpecSyntaxError {
            #expect(error.line == 3 && error.column == 1)
            #expect(error.message == "expected a string key")
            #expect(error.description == "malformed job document at line 3, column 1: expected a string key")
        }
    }

    @Test func foundationObjectsParseWithBooleansKeptApart() throws {
        let data = Data(document("\"model\": {\"batch_norm\": true}, \"epochs\": 4").utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let spec = try JobSpec.parse(object: object)
        #expect(spec.model.batchNorm && spec.epochs == 4)
        let wrong = try #require(try JSONSerialization.jsonObject(with: Data(document("\"epochs\": true").utf8)) as? [String: Any])
        #expect(throws: JobSpecValidationError(issues: [issue("epochs", "expected an integer")])) { try JobSpec.parse(object: wrong) }
        let handMade: [String: Any] = ["dataset": ["name": "digits"], "batch_size": 64, "loss": ["beta": 2.5],
                                       "optimizer": ["nesterov": true]]
        let fromSwift = try JobSpec.parse(object: handMade)
        #expect(fromSwift.batchSize == 64 && fromSwift.loss.beta == 2.5 && fromSwift.optimizer.nesterov)
        #expect(throws: JobSpecSyntaxError.self) { try JobSpec.parse(object: ["dataset": Date()]) }
    }

    // MARK: Issue 8, point 9: validation is n log n in the document and its list is capped

    /// 50,000 unknown keys (~700 KB) took about a minute when each comparison of the sort
    /// searched the document for the key's position. The bound is generous: it only catches
    /// quadratic work.
    @Test func fiftyThousandUnknownKeysAreRefusedQuicklyWithACappedListInDocumentOrder() throws {
        let keys = (0..<50_000).map { String(format: "k%05d", $0) }
        let json = "{\"loss\": {\"temperature\": 0}, " + keys.map { "\"\($0)\": 1" }.joined(separator: ", ")
            + ", \"dataset\": {\"name\": \"digits\"}, \"epochs\": 0}"
        let clock = ContinuousClock()
        var caught: JobSpecValidationError?
        let elapsed = clock.measure {
            do { _ = try parse(json) } catch { caught = error as? JobSpecValidationError }
        }
        let error = try #require(caught)
        #expect(elapsed < .seconds(5), "validating \(json.utf8.count) bytes took \(elapsed)")
        #expect(error.count == 50_002)
        #expect(error.issues.count == JobSpecValidationError.maxListed)
        let listed = JobSpecValidationError.maxListed - 1
        #expect(error.issues.prefix(listed) == [issue("loss.temperature", "must be in (0, 100]")]
                + keys.prefix(listed - 1).map { issue($0, "unknown key") })
        #expect(error.issues.last == issue("", "\(50_002 - listed) more problems not listed"))
        #expect(error.summary == "50002 invalid fields")
    }

    /// A huge key is measured against the known ones without a huge edit-distance table.
    @Test func aHugeUnknownKeyIsRefusedQuickly() throws {
        let key = String(repeating: "temperature", count: 50_000)
        let clock = ContinuousClock()
        var found: [ValidationIssue] = []
        let elapsed = try clock.measure { found = try issues(document("\"loss\": {\"\(key)\": 1}")) }
        #expect(elapsed < .seconds(5))
        #expect(found == [issue("loss.\(key)", "unknown key")])
    }

    /// Issues follow their top-level key's position, even when that key contains a dot and
    /// looks like a path into another section.
    @Test func aTopLevelKeyWithADotIsOrderedByItsOwnPosition() throws {
        let json = #"{"epochs": 0, "loss.x": 1, "loss": {"temperature": 0}, "dataset": {"name": "digits"}}"#
        #expect(try issues(json) == [
            issue("epochs", "must be in 1...100000"), issue("loss.x", "unknown key; did you mean \"loss\"?"),
            issue("loss.temperature", "must be in (0, 100]"),
        ])
    }

    @Test func aDocumentWithFewIssuesListsAllOfThem() {
        let all = (0..<JobSpecValidationError.maxListed).map { issue("k\($0)", "unknown key") }
        let error = JobSpecValidationError(issues: all)
        #expect(error.issues == all && error.count == all.count)
        let more = JobSpecValidationError(issues: all + [issue("z", "unknown key")])
        #expect(more.issues.count == JobSpecValidationError.maxListed && more.count == all.count + 1)
        #expect(more.issues.last == issue("", "2 more problems not listed"))
        #expect(JobSpecValidationError(issues: [issue("epochs", "must be >= 1")]).summary == "epochs: must be >= 1")
    }

    // MARK: Issue 8, point 15: one validation for the API and the worker

    /// The API validates the submitted document and the worker the resolved one, which prints
    /// each float as the 32-bit value the job uses: `5e-324` passed the first (as a Double it
    /// is > 0) and failed the second (as a Float it is 0). Now each is refused at once, with
    /// its path and reason.
    @Test(arguments: [
        ("\"loss\": {\"temperature\": 5e-324}", "loss.temperature", "too close to 0"),
        ("\"loss\": {\"temperature\": 1e-40}", "loss.temperature", "too close to 0 for a 32-bit float"),
        ("\"loss\": {\"temperature\": 1e-50}", "loss.temperature", "too close to 0 for a 32-bit float"),
        ("\"loss\": {\"beta\": 1e-45}", "loss.beta", "too close to 0 for a 32-bit float"),
        ("\"loss\": {\"tau_plus\": 0.99999999}", "loss.tau_plus", "must be in [0, 1) (as a 32-bit float it is 1.0)"),
        ("\"optimizer\": {\"lr\": 1e-39}", "optimizer.lr", "too close to 0 for a 32-bit float"),
        ("\"optimizer\": {\"weight_decay\": 1e-310}", "optimizer.weight_decay", "too close to 0"),
        ("\"optimizer\": {\"momentum\": 0.999999999}", "optimizer.momentum", "must be in [0, 1) (as a 32-bit float it is 1.0)"),
        ("\"optimizer\": {\"kind\": \"adamw\", \"beta2\": 0.9999999999}", "optimizer.beta2", "must be in (0, 1)"),
        ("\"optimizer\": {\"kind\": \"adamw\", \"eps\": 1e-46}", "optimizer.eps", "too close to 0 for a 32-bit float"),
        ("\"augment\": {\"noise\": 1e39}", "augment.noise", "too large for a 32-bit float"),
        ("\"eval\": {\"knn_temperature\": 4e-45}", "eval.knn_temperature", "too close to 0 for a 32-bit float"),
        ("\"max_seconds\": 5e-324", "max_seconds", "too close to 0"),
        ("\"schedule\": {\"warmup_epochs\": 1e-310}", "schedule.warmup_epochs", "too close to 0"),
        ("\"dataset\": {\"name\": \"digits\", \"test_fraction\": 0.999999999}", "dataset.test_fraction", "must be in (0, 1)"),
    ])
    func floatThatTheWorkerWouldSeeDifferentlyIsRefused(fragment: String, path: String, reason: String) throws {
        let json = fragment.hasPrefix("\"dataset\"") ? "{\(fragment)}" : document(fragment)
        let found = try issues(json)
        #expect(found.map(\.path) == [path])
        #expect(found.first?.reason.hasPrefix(reason) == true, "\(found)")
    }

    /// Whatever `parse` accepts, it accepts again in its resolved form (what the service
    /// stores and the worker reads), and to the same spec.
    @Test(arguments: [
        "\"loss\": {\"temperature\": 1.1754944e-38}", "\"loss\": {\"temperature\": 100}", "\"loss\": {\"beta\": 0}",
        "\"loss\": {\"tau_plus\": 0.99999}", "\"loss\": {\"temperature\": 0.1000000001}",
        "\"optimizer\": {\"lr\": 3.4e-38, \"weight_decay\": 1e-30, \"momentum\": 0.9999999}",
        "\"optimizer\": {\"kind\": \"adamw\", \"beta2\": 0.99999994, \"eps\": 1.2e-38}",
        "\"augment\": {\"noise\": 3.4028234e38}", "\"max_seconds\": 2.2250738585072014e-308",
        "\"max_seconds\": 1.7976931348623157e308", "\"schedule\": {\"warmup_epochs\": 0}",
        "\"eval\": {\"knn_temperature\": 99.99999999}",
    ])
    func acceptedEdgeValueIsAcceptedAgainWhenResolved(fragment: String) throws {
        let spec = try parse(document(fragment))
        #expect(try JobSpec.parse(json: spec.jsonData()) == spec)
    }

    /// Names and paths are limited in bytes (what storage and logs pay), not characters, and
    /// carry no control characters (a log line, a terminal or a page would show them).
    @Test func stringsAreLimitedInBytesAndRefuseControlCharacters() throws {
        #expect(try issues(document("\"name\": \"\(String(repeating: "é", count: 101))\"")) == [
            issue("name", "must be at most 200 bytes of UTF-8 (it has 202)"),
        ])
        #expect(try parse(document("\"name\": \"\(String(repeating: "é", count: 100))\"")).name.utf8.count == 200)
        #expect(try issues(document("\"name\": \"🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷🇫🇷\"")) == [
            issue("name", "must be at most 200 bytes of UTF-8 (it has 208)"),
        ])
        for (text, code, at) in [("a\\u0007b", "0007", 2), ("run\\n2", "000A", 4), ("\\u0000", "0000", 1),
                                 ("x\\u007f", "007F", 2), ("\\u0085", "0085", 1), ("ab\\u202Egpj.exe", "202E", 3),
                                 ("\\u2028", "2028", 1), ("👩‍👩‍👧\\u0007", "0007", 2)] {
            #expect(try issues(document("\"name\": \"\(text)\"")) == [
                issue("name", "must not contain control characters (U+\(code) at character \(at))"),
            ])
        }
        #expect(try parse(document(#""name": "café ☕ 👩‍👩‍👧 ok""#)).name == "café ☕ 👩‍👩‍👧 ok")
        let csv = #"{"dataset": {"format": "csv", "train": "a\nb.csv", "label_column": "y\u0001"}}"#
        #expect(try issues(csv).map(\.path) == ["dataset.train", "dataset.label_column"])
        let long = #"{"dataset": {"format": "idx", "path": ""# + String(repeating: "ü", count: 2049) + #""}}"#
        #expect(try issues(long) == [issue("dataset.path", "must be at most 4096 bytes of UTF-8 (it has 4098)")])
    }

    @Test func validationErrorDescriptionListsEveryIssue() {
        let error = JobSpecValidationError(issues: [issue("epochs", "must be >= 1"), issue("loss.beta", "x")])
        #expect(error.description == "the job has 2 problems:\n  epochs: must be >= 1\n  loss.beta: x")
    }

    /// Issue 9: the default job on a table no one tuned for. Every tabular source (CSV, ARFF,
    /// tabular NumPy) without `epochs` resolves to the documented tabular defaults; images keep theirs.
    @Test func tabularDatasetsGetTheTabularDefaults() throws {
        let sources = [
            #"{"format": "csv", "train": "a.csv"}"#,
            #"{"format": "arff", "train": "a.arff"}"#,
            #"{"format": "npz", "path": "a.npz"}"#,
        ]
        for source in sources {
            let spec = try parse("{\"dataset\": \(source)}")
            #expect(spec.model.hidden == [256, 256] && spec.model.projection == [256, 128], "\(source)")
            #expect(spec.model == .tabular && spec.augment == .tabular, "\(source)")
            #expect(spec.minSteps == 2000 && spec.batchSize == 256, "\(source)")
            #expect(spec.optimizer == .tabular, "\(source)")
            // Given fields still win over the tabular defaults.
            let given = try parse("{\"dataset\": \(source), \"model\": {\"hidden\": [64]}, \"optimizer\": {\"lr\": 0.05}}")
            #expect(given.model.hidden == [64] && given.model.projection == [256, 128], "\(source)")
            #expect(given.optimizer.lr == 0.05, "\(source)")
        }
        let image = try parse(document())
        #expect(image.model == ModelSpec() && image.model.hidden == [512, 512] && image.optimizer == OptimizerSpec())
        // The tabular model and optimiser survive the JSON round trip.
        let csv = try parse(#"{"dataset": {"format": "csv", "train": "a.csv"}}"#)
        #expect(try JobSpec.parse(value: csv.jsonValue()) == csv)
    }
}
