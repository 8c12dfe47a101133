import Foundation

/// Runs the built `sscl` binary (a product of this package, next to the test bundle).
enum CommandRunner {
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // `swift test` runs `.build/<triple>/debug/ssclPackageTests.xctest`; the binary sits beside it.
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("sscl").path) {
            dir = Bundle.main.bundleURL.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("sscl")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs to completion with output captured.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = try start(arguments, in: directory, environment: environment)
        let out = process.outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = process.errPipe.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        return Output(status: process.process.terminationStatus,
                      stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs any program to completion with output captured.
    static func runTool(_ path: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    struct Running {
        let process: Process
        let outPipe: Pipe
        let errPipe: Pipe
    }

    /// `environment` is added to this process's own.
    static func start(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Running(process: process, outPipe: out, errPipe: err)
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
