import Foundation
import Testing
@testable import SSCLStore

/// `flock` locks belong to an open file: a second lock on the same file, even from this
/// process, is refused until the first is released.
@Suite struct InstanceLockTests {
    @Test func aSecondLockIsRefusedWithTheHoldersPidUntilTheFirstIsReleased() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("db.sqlite.lock").path
        var first: InstanceLock? = try InstanceLock(path: path, guarding: "the database X")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")

        let error = try #require(throws: InstanceLock.HeldError.self) {
            _ = try InstanceLock(path: path, guarding: "the database X")
        }
        #expect(error.holderPID == getpid())
        #expect(error.description.contains("another sscl server (pid \(getpid())) is already using the database X"))
        #expect(error.description.contains(path))

        _ = first
        first = nil
        let again = try InstanceLock(path: path, guarding: "the database X")
        #expect(again.path == path)
    }

    @Test func aLockFileLeftByADeadHolderDoesNotBlock() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("runs.lock").path
        try Data("999999\n".utf8).write(to: URL(fileURLWithPath: path))
        let lock = try InstanceLock(path: path, guarding: "the runs folder R")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n", "the pid of a previous holder is replaced")
        _ = lock
    }

    @Test func anUnopenableLockFileIsAClearError() {
        #expect(throws: InstanceLock.OpenError.self) {
            _ = try InstanceLock(path: "/nonexistent-dir-\(UUID().uuidString)/x.lock", guarding: "the database X")
        }
    }
}
