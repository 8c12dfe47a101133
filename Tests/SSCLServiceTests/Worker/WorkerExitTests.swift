import Testing
@testable import SSCLService

@Suite struct WorkerExitTests {
    @Test func decodesWaitStatuses() {
        #expect(WorkerExit(waitStatus: 0) == .exited(0))
        #expect(WorkerExit(waitStatus: 3 << 8) == .exited(3))
        #expect(WorkerExit(waitStatus: 9) == .signalled(9))
        #expect(WorkerExit(waitStatus: 11 | 0x80) == .signalled(11))  // with a core dump
    }

    @Test func describesHowTheWorkerEnded() {
        #expect(WorkerExit.exited(1).description == "exited with status 1")
        #expect(WorkerExit.signalled(9).description == "killed by signal 9 (SIGKILL)")
        #expect(WorkerExit.signalled(11).description == "killed by signal 11 (SIGSEGV)")
        #expect(WorkerExit.signalled(42).description == "killed by signal 42")
    }
}
