import Foundation
import Testing
@testable import SSCLEngine
@testable import SSCLService

/// The submit-time check, and issue 8 point 12: what it approved is checked again by the
/// worker where it opens the file, against the same data directory.
@Suite struct DatasetPathPolicyTests {
    private static let rows = "a,b,c,label\n" + (0..<64).map { "\($0 % 7),\($0 % 3),\(Double($0) * 0.1),\($0 % 2)\n" }.joined()

    @Test func pathsAreCheckedAgainstTheDataDirectory() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let policy = DatasetPathPolicy(dataDirectory: data)
        func paths(_ source: DatasetSource) -> [String] { policy.issues(for: DatasetSpec(source: source)).map(\.0) }
        #expect(paths(.csv(train: "rows.csv", test: "sub/t.csv", labelColumn: "label")) == [])
        #expect(paths(.builtin("digits")) == [])
        #expect(paths(.csv(train: "../x.csv", test: "/etc/passwd", labelColumn: "label")) == ["dataset.train", "dataset.test"])
        #expect(paths(.idx(path: "/etc")) == ["dataset.path"])
        try FileManager.default.createSymbolicLink(at: data.appendingPathComponent("escape"), withDestinationURL: root)
        #expect(paths(.idx(path: "escape")) == ["dataset.path"])
        // A dangling symlink leads where it points, even though nothing is there yet.
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("dangling.csv").path,
                                                   withDestinationPath: root.appendingPathComponent("later.csv").path)
        #expect(paths(.csv(train: "dangling.csv", test: "not-yet/there.csv", labelColumn: "label")) == ["dataset.train"])
    }

    /// The file passes the check at submit, is then replaced by a symlink to a file outside,
    /// and the worker (the real `sscl worker`, given `--data-dir` as the scheduler gives it)
    /// refuses it by name, without a word of the outside file in its error.
    @Test(.timeLimit(.minutes(2))) func aFileSwappedAfterSubmitIsRefusedByTheWorker() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Data(Self.rows.utf8).write(to: data.appendingPathComponent("rows.csv"))
        let secret = root.appendingPathComponent("secret.csv")
        try Data("root:x:0:0:SECRET_FIRST_LINE:/root:/bin/bash\nSECRET_SECOND_LINE\n".utf8).write(to: secret)
        let job = """
            {"name": "swap", "dataset": {"format": "csv", "train": "rows.csv", "test_fraction": 0.25},
             "model": {"hidden": [8], "projection": [8, 4]}, "epochs": 1, "batch_size": 24,
             "eval": {"linear_probe": false, "knn_k": 3}}
            """
        let spec = try JobSpec.parse(json: Data(job.utf8))
        #expect(DatasetPathPolicy(dataDirectory: data).issues(for: spec.dataset).isEmpty)  // accepted at submit
        let jobFile = root.appendingPathComponent("job.json")
        try spec.jsonData().write(to: jobFile)

        try FileManager.default.removeItem(at: data.appendingPathComponent("rows.csv"))
        try FileManager.default.createSymbolicLink(at: data.appendingPathComponent("rows.csv"), withDestinationURL: secret)

        let (lines, status) = try runWorker(job: jobFile, dir: root.appendingPathComponent("out"), dataDir: data)
        #expect(status == 1)
        let error = try #require(lines.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(error["type"] as? String == "error")
        #expect(error["code"] as? String == "dataset_error")
        let message = error["message"] as? String ?? ""
        #expect(message.contains(data.appendingPathComponent("rows.csv").path))
        #expect(message.contains("outside the data directory"))
        #expect(!lines.joined().contains("SECRET"), "\(lines)")
    }

    /// Runs `sscl worker` to its end; its stdout lines and exit status.
    private func runWorker(job: URL, dir: URL, dataDir: URL) throws -> ([String], Int32) {
        let process = Process()
        process.executableURL = TestBinary.sscl
        process.arguments = ["worker", "--job", job.path, "--dir", dir.path, "--data-dir", dataDir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        return (lines, process.terminationStatus)
    }
}
