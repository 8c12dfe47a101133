import Foundation
import Testing

/// `sscl agent` and `--store` as a user types them: option errors, and an agent on SQLite (the
/// single-node case; many nodes need PostgreSQL, see SSCLServiceTests' ManyNodesTests).
@Suite struct AgentCommandTests {
    @Test func storeOptionsAreCheckedBeforeAnythingStarts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-agent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let unknown = try CommandRunner.run(["agent", "--store", "mysql://h/db", "--runs-dir", root.path])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown scheme mysql"), "\(unknown.stderr)")
        let noDatabase = try CommandRunner.run(["serve", "--store", "postgres://u@h:5432", "--port", "0"])
        #expect(noDatabase.status != 0 && noDatabase.stderr.contains("needs a database name"), "\(noDatabase.stderr)")
        let both = try CommandRunner.run(["serve", "--store", "sqlite:a.db", "--db", "b.db", "--port", "0"])
        #expect(both.status != 0 && both.stderr.contains("name different stores"), "\(both.stderr)")
        let missing = try CommandRunner.run(["agent"])
        #expect(missing.status != 0 && missing.stderr.contains("--store"), "\(missing.stderr)")
        let negative = try CommandRunner.run(["serve", "--max-concurrent-jobs=-1", "--port", "0"])
        #expect(negative.status != 0 && negative.stderr.contains("--max-concurrent-jobs must be >= 0"), "\(negative.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.path), "nothing created")
    }
}
