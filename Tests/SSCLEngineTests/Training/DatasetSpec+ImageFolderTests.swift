import Foundation
import Testing
@testable import SSCLEngine

/// The `dataset` section of an image folder: defaults, round trip, and every invalid field.
@Suite struct DatasetSpecImageFolderTests {
    private func parse(_ dataset: String, _ more: String = "") throws -> JobSpec {
        try JobSpec.parse(json: Data("{\"dataset\": \(dataset)\(more)}".utf8))
    }

    private func issues(_ dataset: String, _ more: String = "") throws -> [ValidationIssue] {
        do {
            _ = try parse(dataset, more)
            return []
        } catch let error as JobSpecValidationError {
            return error.issues
        }
    }

    @Test func onlyAPathGetsTheDefaults() throws {
        let spec = try parse(#"{"format": "imagefolder", "path": "pets"}"#)
        #expect(spec.dataset.source == .imageFolder(ImageFolderSpec(path: "pets", imageSize: 32, channels: 3, skipBad: false)))
        #expect(spec.dataset.isImage && spec.augment == .image && spec.dataset.testFraction == 0.2)
        let printed = String(decoding: spec.dataset.jsonValue().jsonData(pretty: false), as: UTF8.self)
        #expect(printed == #"{"format":"imagefolder","path":"pets","image_size":32,"channels":3,"skip_bad":false,"#
                + #""train_limit":null,"scale":null,"test_fraction":0.2}"#)
    }

    @Test func everyFieldIsReadAndTheDocumentRoundTrips() throws {
        let spec = try parse(#"{"format": "imagefolder", "path": "/data/pets", "image_size": 64, "channels": 1, "#
                             + #""skip_bad": true, "train_limit": 50, "scale": 0.5, "test_fraction": 0.25}"#,
                             #", "model": {"encoder": "cnn"}"#)
        #expect(spec.dataset.source == .imageFolder(ImageFolderSpec(path: "/data/pets", imageSize: 64, channels: 1, skipBad: true)))
        #expect(spec.dataset.trainLimit == 50 && spec.dataset.scale == 0.5 && spec.dataset.testFraction == 0.25)
        #expect(spec.model.encoder == .cnn)
        #expect(try JobSpec.parse(json: spec.jsonData()) == spec)
    }

    @Test func invalidFieldsAreNamedWithTheReason() throws {
        #expect(try issues(#"{"format": "imagefolder", "image_size": 2, "channels": 2, "skip_bad": "yes"}"#) == [
            ValidationIssue(path: "dataset.path", reason: "required"),
            ValidationIssue(path: "dataset.image_size", reason: "must be in 4...1024"),
            ValidationIssue(path: "dataset.channels", reason: "must be 1 (grey) or 3 (RGB)"),
            ValidationIssue(path: "dataset.skip_bad", reason: "expected a boolean"),
        ])
        #expect(try issues(#"{"format": "imagefolder", "path": "", "channels": -3, "image_size": 32.5}"#) == [
            ValidationIssue(path: "dataset.path", reason: "must not be empty"),
            ValidationIssue(path: "dataset.image_size", reason: "expected an integer"),
            ValidationIssue(path: "dataset.channels", reason: "must be 1 (grey) or 3 (RGB)"),
        ])
        #expect(try issues(#"{"format": "imagefolder", "path": "p", "train": "x.csv", "label_column": "y"}"#) == [
            ValidationIssue(path: "dataset.train", reason: "not used by imagefolder datasets"),
            ValidationIssue(path: "dataset.label_column", reason: "not used by imagefolder datasets"),
        ])
    }

    @Test func otherFormatsRejectTheImageFolderKeys() throws {
        #expect(try issues(#"{"format": "csv", "train": "t.csv", "channels": 3}"#) == [
            ValidationIssue(path: "dataset.channels", reason: "only used by imagefolder datasets"),
        ])
        #expect(try issues(#"{"name": "digits", "image_size": 8, "skip_bad": true}"#) == [
            ValidationIssue(path: "dataset.image_size", reason: "only used by imagefolder datasets"),
            ValidationIssue(path: "dataset.skip_bad", reason: "only used by imagefolder datasets"),
        ])
        // An unknown format is the only issue: its keys are not blamed as well.
        let unknown = try issues(#"{"format": "folder", "path": "p", "channels": 3}"#)
        #expect(unknown.map(\.path) == ["dataset.format"])
        #expect(unknown.first?.reason.contains("imagefolder") == true)
    }
}
