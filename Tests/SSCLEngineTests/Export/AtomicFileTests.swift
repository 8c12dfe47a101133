import Foundation
import Testing
@testable import SSCLEngine

@Suite struct AtomicFileTests {
    /// A fresh empty directory per test.
    static func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sscl-atomic-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(of directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writesNewFileAndLeavesNoTemporaryFile() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.bin")
        try AtomicFile.write([1, 2, 3], to: target)
        #expect([UInt8](try Data(contentsOf: target)) == [1, 2, 3])
        #expect(try Self.contents(of: dir) == ["out.bin"])
    }

    @Test func replacesExistingFileOnlyAfterTheNewOneIsComplete() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.bin")
        try AtomicFile.write([9, 9], to: target)
        let payload = [UInt8](repeating: 7, count: 100_000)
        var seenTemp: URL?
        try AtomicFile.write(payload, to: target) { temp in
            seenTemp = temp
            // The temporary file sits next to the target, complete; the target is still the old file.
            #expect(temp.deletingLastPathComponent().standardizedFileURL.path == dir.standardizedFileURL.path)
            let written = [UInt8](try Data(contentsOf: temp))
            let current = [UInt8](try Data(contentsOf: target))
            #expect(written == payload)
            #expect(current == [9, 9])
        }
        #expect(seenTemp != nil)
        #expect([UInt8](try Data(contentsOf: target)) == payload)
        #expect(try Self.contents(of: dir) == ["out.bin"])
    }

    @Test func failureBeforeRenameKeepsOldFileAndRemovesTemporary() throws {
        struct Interrupted: Error {}
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.bin")
        try AtomicFile.write([1], to: target)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write([2, 2, 2], to: target) { _ in throw Interrupted() }
        }
        #expect([UInt8](try Data(contentsOf: target)) == [1])
        #expect(try Self.contents(of: dir) == ["out.bin"])
    }

    @Test func missingDirectoryIsAnIOErrorNamingTheFile() throws {
        let target = URL(fileURLWithPath: "/nonexistent-sscl-dir-\(UUID().uuidString)/out.bin")
        do {
            try AtomicFile.write([1], to: target)
            Issue.record("expected an error")
        } catch let error as FileFormatError {
            guard case .io = error.problem else { Issue.record("expected .io, got \(error)"); return }
            #expect(error.path == target.path)
            #expect(error.description.contains(target.path))
        }
    }
}
