import Foundation

extension Migrator {
    /// Finds the `migrations` folder: `$SSCL_MIGRATIONS` if set; else the first folder named
    /// `migrations` holding a `0001_*.sql` file, walking up from the running executable's folder
    /// (`.build/debug/sscl` → the package root) and then from the current directory.
    public static func locateMigrations() -> URL? {
        let executable = Bundle.main.executableURL
            ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        return locateMigrations(
            environment: ProcessInfo.processInfo.environment,
            startingPoints: [
                executable.resolvingSymlinksInPath().deletingLastPathComponent(),
                URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            ])
    }

    static func locateMigrations(environment: [String: String], startingPoints: [URL]) -> URL? {
        if let path = environment["SSCL_MIGRATIONS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        for start in startingPoints {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("migrations", isDirectory: true)
                if holdsFirstMigration(candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }

    private static func holdsFirstMigration(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { $0.hasPrefix("0001_") && $0.hasSuffix(".sql") }
    }
}
