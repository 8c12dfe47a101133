import Foundation
import Testing
@testable import SSCLEngine

/// Issue 8, point 12: the data directory is checked where each file is opened, not only when
/// the job is submitted.
@Suite struct DatasetFileTests {
    /// A data directory with `rows.csv` inside, and a folder beside it with `secret.csv`.
    private struct Layout {
        let root: URL
        var data: URL { root.appendingPathComponent("data") }
        var outside: URL { root.appendingPathComponent("outside") }
        var directory: DataDirectory { DataDirectory(data) }

        static let rows = "a,b,label\n" + (0..<40).map { "\($0 % 7),\($0 % 3),\($0 % 2)\n" }.joined()
        static let secret = "SECRET_HEADER_LINE,private\nSECRET_ROW_VALUE,42\n"

        init() throws {
            root = try DataFixtures.temporaryFolder()
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try DataFixtures.write(Self.rows, to: data.appendingPathComponent("rows.csv"))
            try DataFixtures.write(Self.secret, to: outside.appendingPathComponent("secret.csv"))
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// Replaces `name` inside the data directory with a symlink to `target`.
        func swap(_ name: String, for target: URL) throws {
            let link = data.appendingPathComponent(name)
            try FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        }

        func load(_ source: DatasetSource) throws -> Dataset {
            try DatasetLoader.load(DatasetSpec(source: source), seed: 1, within: directory)
        }
    }

    private func refusal(_ body: () throws -> Dataset) -> DatasetError? {
        do {
            _ = try body()
            Issue.record("expected a DatasetError")
            return nil
        } catch let error as DatasetError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func aFileSwappedForASymlinkOutsideIsRefusedWithoutEchoingIt() throws {
        let layout = try Layout()
        defer { layout.remove() }
        let source = DatasetSource.csv(train: "rows.csv", test: nil, labelColumn: "label")
        #expect(try layout.load(source).train.count == 32)  // as validated at submit

        try layout.swap("rows.csv", for: layout.outside.appendingPathComponent("secret.csv"))
        let error = try #require(refusal { try layout.load(source) })
        #expect(error.file == layout.data.appendingPathComponent("rows.csv").path)
        #expect(error.problem.hasPrefix("is outside the data directory"))
        #expect(!error.description.contains("SECRET"))
        // Without a data directory (`sscl train`), the same file is the user's own to read.
        #expect(throws: DatasetError.self) { try DatasetLoader.load(DatasetSpec(source: source), seed: 1, baseDirectory: layout.data) }
    }

    @Test func symlinksThatStayInsideAreFollowed() throws {
        let layout = try Layout()
        defer { layout.remove() }
        try FileManager.default.createDirectory(at: layout.data.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: layout.data.appendingPathComponent("sub/alias.csv"),
                                                   withDestinationURL: layout.data.appendingPathComponent("rows.csv"))
        #expect(try layout.load(.csv(train: "sub/alias.csv", test: nil, labelColumn: "label")).train.count == 32)
        // The data directory itself reached through a symlink is still inside.
        let linkedRoot = layout.root.appendingPathComponent("data-link")
        try FileManager.default.createSymbolicLink(at: linkedRoot, withDestinationURL: layout.data)
        let viaLink = try DatasetLoader.load(DatasetSpec(source: .csv(train: "rows.csv", test: nil, labelColumn: "label")),
                                             seed: 1, within: DataDirectory(linkedRoot))
        #expect(viaLink.train.count == 32)
    }

    @Test func pathsOutsideAreRefusedHoweverTheyAreWritten() throws {
        let layout = try Layout()
        defer { layout.remove() }
        let secret = layout.outside.appendingPathComponent("secret.csv")
        for path in [secret.path, "../outside/secret.csv", "sub/../../outside/secret.csv"] {
            let error = try #require(refusal { try layout.load(.csv(train: path, test: nil, labelColumn: "private")) })
            #expect(error.problem.hasPrefix("is outside the data directory"), "\(path): \(error)")
            #expect(!error.description.contains("SECRET"))
        }
        // A test file swapped outside is refused too, after the train file was read.
        try FileManager.default.copyItem(at: layout.data.appendingPathComponent("rows.csv"),
                                         to: layout.data.appendingPathComponent("test.csv"))
        try layout.swap("test.csv", for: secret)
        let test = try #require(refusal { try layout.load(.csv(train: "rows.csv", test: "test.csv", labelColumn: "label")) })
        #expect(test.file?.hasSuffix("/data/test.csv") == true && !test.description.contains("SECRET"))
    }

    @Test func anIDXFolderSwappedForASymlinkOutsideIsRefused() throws {
        let layout = try Layout()
        defer { layout.remove() }
        let mine = layout.data.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try DataFixtures.copyFiles(of: DataFixtures.folder.appendingPathComponent("idx-plain"), to: mine)
        #expect(try layout.load(.idx(path: "mine")).train.count > 0)

        let elsewhere = layout.outside.appendingPathComponent("idx")
        try FileManager.default.moveItem(at: mine, to: elsewhere)
        try FileManager.default.createSymbolicLink(at: mine, withDestinationURL: elsewhere)
        let error = try #require(refusal { try layout.load(.idx(path: "mine")) })
        #expect(error.problem.hasPrefix("is outside the data directory"))
        #expect(error.file == mine.path)
        // A folder outside that does not exist is refused the same way (no existence oracle).
        try FileManager.default.createSymbolicLink(at: layout.data.appendingPathComponent("nowhere"),
                                                   withDestinationURL: layout.outside.appendingPathComponent("missing"))
        #expect(refusal { try layout.load(.idx(path: "nowhere")) }?.problem.hasPrefix("is outside") == true)
        // One file inside the folder swapped alone is caught as well.
        try FileManager.default.removeItem(at: mine)
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try DataFixtures.copyFiles(of: elsewhere, to: mine)
        let labels = try #require(try FileManager.default.contentsOfDirectory(atPath: mine.path).first { $0.contains("labels") })
        try layout.swap("mine/\(labels)", for: elsewhere.appendingPathComponent(labels))
        #expect(refusal { try layout.load(.idx(path: "mine")) }?.file?.hasSuffix(labels) == true)
    }

    /// A FIFO would block `open` (and the worker) forever without O_NONBLOCK.
    @Test(.timeLimit(.minutes(1))) func aFIFOIsRefusedAtOnce() throws {
        let layout = try Layout()
        defer { layout.remove() }
        let fifo = layout.data.appendingPathComponent("pipe.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let error = try #require(refusal { try layout.load(.csv(train: "pipe.csv", test: nil, labelColumn: "label")) })
        #expect(error.problem == "not a regular file")
    }

    @Test func theDataDirectoryResolvesPathsTheWayTheAPIDoes() {
        let directory = DataDirectory(URL(fileURLWithPath: "/srv/data/"))
        #expect(directory.resolve("a/b.csv").path == "/srv/data/a/b.csv")
        #expect(directory.resolve("/abs/x.csv").path == "/abs/x.csv")
        #expect(directory.resolve("~/x.csv").path == "/srv/data/~/x.csv")  // no home-directory expansion
        #expect(directory.resolve("../x.csv").path == "/srv/x.csv")
        #expect(directory.contains(realPath: "/srv/data") && directory.contains(realPath: "/srv/data/a"))
        #expect(!directory.contains(realPath: "/srv/database") && !directory.contains(realPath: "/srv"))
    }
}
