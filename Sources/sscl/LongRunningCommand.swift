import ArgumentParser
import Foundation
import Logging
import SSCLStore

/// What the long-running commands (`serve`, `agent`) and the store tools share: logging to
/// stderr at a level, the migrations folder, and waiting for SIGINT/SIGTERM.
enum LongRunningCommand {
    /// Sends every logger to stderr at `level` (validated by the command) and returns "sscl"'s.
    static func bootstrapLogging(level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: "sscl")
    }

    /// `--migrations DIR`, or the folder found beside the binary or here; exits with a message
    /// saying how to give it when there is none.
    static func migrationsFolder(_ given: String?) throws -> URL {
        guard let url = given.map({ URL(fileURLWithPath: $0) }) ?? Migrator.locateMigrations() else {
            printError("cannot find the migrations/ folder; pass --migrations DIR or set SSCL_MIGRATIONS")
            throw ExitCode(1)
        }
        return url
    }

    /// Blocks until SIGINT or SIGTERM (both then ignored by the default handlers, so a second
    /// one does not kill the process mid-shutdown).
    static func waitForStopSignal() {
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        withExtendedLifetime(sources) {}
    }
}
