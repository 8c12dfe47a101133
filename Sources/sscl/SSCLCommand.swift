import ArgumentParser
import SSCLEngine

/// `sscl`: train contrastive models with synthetic hard negatives on the CPU.
@main
struct SSCLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sscl",
        abstract: "Contrastive learning with synthetic hard negatives (SSCL) on the CPU.",
        version: SSCLVersion.string,
        subcommands: [TrainCommand.self, SelftestCommand.self, BenchCommand.self, ServeCommand.self, AgentCommand.self, WorkerCommand.self,
                      SubmitCommand.self, StatusCommand.self, WatchCommand.self, LogsCommand.self, CancelCommand.self,
                      SweepCommand.self, StoreBenchCommand.self, KNNBenchCommand.self]
    )

    static func main() {
        OpenBLASKernel.ensureFastKernel()
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
