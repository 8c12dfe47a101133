import Foundation
import Testing

/// `sscl sweep --wait`, `sscl status swp_…` and `sscl cancel swp_…` as processes against a real
/// `sscl serve` running real (tiny) trials on fashion-mnist-mini.
@Suite(.serialized) struct SweepClientCommandsTests {
    typealias T = ClientCommandsTests

    /// 2 configurations × 2 seeds of the tiny job, written under the server's root.
    static func writeSweep(_ server: ServerUnderTest, name: String = "betas", epochs: Int = 1) throws -> String {
        let job = try String(contentsOfFile: try server.writeJob(name: name, epochs: epochs), encoding: .utf8)
        let url = server.root.appendingPathComponent("sweep-\(name)-\(epochs).json")
        try Data("""
            {"name": "\(name)", "base": \(job), "parameters": {"loss.beta": {"values": [0.5, 1]}},
             "seeds": [0, 1], "max_concurrent": 1}
            """.utf8).write(to: url)
        return url.path
    }

    /// The leaderboard's rows as header → cell, cut at the header's column offsets (cells hold spaces).
    static func table(_ stdout: String) throws -> [[String: String]] {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("RANK ") }, "\(stdout)")
        let header = Array(lines[start])
        var starts: [Int] = []
        for i in header.indices where header[i] != " " && (i == 0 || header[i - 1] == " " && i >= 2 && header[i - 2] == " ") {
            starts.append(i)
        }
        func cells(_ line: String) -> [String] {
            let chars = Array(line)
            return starts.indices.map { k in
                let from = min(starts[k], chars.count), to = k + 1 < starts.count ? min(starts[k + 1], chars.count) : chars.count
                return String(chars[from..<to]).trimmingCharacters(in: .whitespaces)
            }
        }
        let names = cells(lines[start])
        return lines[(start + 1)...].prefix { !$0.isEmpty }.map { Dictionary(uniqueKeysWithValues: zip(names, cells($0))) }
    }

    /// Starts `sscl sweep FILE --wait` and reads its stderr until the first progress line names the sweep.
    static func startWaiting(_ server: ServerUnderTest, _ file: String) throws -> (CommandRunner.Running, String) {
        let running = try CommandRunner.start(["sweep", file, "--wait", "--server", server.base])
        var err = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = running.errPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            err += String(decoding: chunk, as: UTF8.self)
            if let line = err.split(separator: "\n").first(where: { $0.hasPrefix("swp_") && $0.contains(" running: ") }) {
                return (running, String(line.prefix { $0 != " " }))
            }
        }
        running.process.terminate()
        throw WaitingDidNotStart(stderr: err)
    }

    struct WaitingDidNotStart: Error { var stderr: String }

    @Test func sweepWaitEndsWithTheLeaderboardAndStatusShowsTheSame() throws {
        try T.withServer { server in
            let out = try T.sscl(server, ["sweep", try Self.writeSweep(server), "--wait"])
            #expect(out.status == 0, "\(out.stderr)")
            let first = out.stdout.split(separator: "\n").first.map(String.init) ?? ""
            let id = try #require(first.split(separator: " ").first.map(String.init))
            #expect(id.hasPrefix("swp_") && first.hasSuffix(" running"), "\(out.stdout)")
            #expect(out.stdout.contains("status:    finished"), "\(out.stdout)")
            #expect(out.stdout.contains("progress:  4/4 finished (succeeded 4)"), "\(out.stdout)")
            #expect(out.stdout.contains("metric:    knn_accuracy (maximize)"), "\(out.stdout)")
            // Plain progress lines on a pipe, the last one the finished sweep.
            let progress = out.stderr.split(separator: "\n").filter { $0.hasPrefix("\(id) ") }
            #expect(progress.first?.hasPrefix("\(id) running: ") == true, "\(out.stderr)")
            #expect(progress.last == "\(id) finished: 4/4 finished (succeeded 4)", "\(out.stderr)")

            let rows = try Self.table(out.stdout)
            #expect(rows.count == 2, "\(out.stdout)")
            #expect(Set(rows.compactMap { $0["PARAMETERS"] }) == ["loss.beta=0.5", "loss.beta=1"], "\(out.stdout)")
            #expect(rows.allSatisfy { $0["SEEDS"] == "2" && $0["PRUNED"] == "0" }, "\(out.stdout)")
            #expect(rows.filter { $0["P VS BEST"] == "best" }.count == 1, "\(out.stdout)")
            #expect(rows.map { $0["RANK"] } == ["1", "2"])
            #expect(rows[0]["P VS BEST"] == "best", "best first")
            #expect(rows.allSatisfy { $0["MEAN ± STD"]?.contains(" ± ") == true && $0["95% CI"]?.hasPrefix("[0.") == true }, "\(out.stdout)")

            // `status` of the sweep: the same document, the same table.
            let status = try T.sscl(server, ["status", id])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout == out.stdout.split(separator: "\n", maxSplits: 1).last.map { String($0) }, "\(status.stdout)")

            // `--json`: the server's document as it is.
            let json = try T.sscl(server, ["status", id, "--json"])
            #expect(json.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["id"] as? String == id)
            #expect((object["leaderboard"] as? [Any])?.count == 2)

            // Job ids keep their behaviour next to sweep ids.
            let trial = try #require((object["trials"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try T.sscl(server, ["status", trial]).stdout.contains("status:    succeeded"))
        }
    }

    @Test func cancelEndsARunningSweepAndTheWaitingClientExitsOne() throws {
        try T.withServer { server in
            let (waiting, id) = try Self.startWaiting(server, try Self.writeSweep(server, name: "long", epochs: 5000))
            let cancel = try T.sscl(server, ["cancel", id])
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout.hasPrefix("\(id) cancelled: "), "\(cancel.stdout)")
            let out = String(decoding: waiting.outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: waiting.errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            waiting.process.waitUntilExit()
            #expect(waiting.process.terminationStatus == 1, "\(err)")
            #expect(out.contains("status:    cancelled"), "\(out)")
            #expect(try T.sscl(server, ["status", id]).stdout.contains("status:    cancelled"))

            let again = try T.sscl(server, ["cancel", id])
            #expect(again.status == 1)
            #expect(again.stderr.contains("HTTP 409"), "\(again.stderr)")
        }
    }

    @Test func sigintStopsWaitingButNotTheSweep() throws {
        try T.withServer { server in
            let (waiting, id) = try Self.startWaiting(server, try Self.writeSweep(server, name: "long", epochs: 5000))
            waiting.process.interrupt()
            let err = String(decoding: waiting.errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            waiting.process.waitUntilExit()
            #expect(waiting.process.terminationStatus == 130, "\(err)")
            #expect(err.contains("the sweep \(id) continues on the server"), "\(err)")
            #expect(err.contains("sscl status \(id)"), "\(err)")
            let status = try T.sscl(server, ["status", id])
            #expect(status.stdout.contains("status:    running"), "\(status.stdout)")
            #expect(try T.sscl(server, ["cancel", id]).status == 0)
        }
    }

    @Test func anUnknownSweepIsAClearErrorWithNonZeroStatus() throws {
        try T.withServer { server in
            for arguments in [["status", "swp_nope"], ["status", "swp_nope", "--json"], ["cancel", "swp_nope"]] {
                let out = try T.sscl(server, arguments)
                #expect(out.status == 1, "\(arguments)")
                #expect(out.stdout.isEmpty)
                #expect(out.stderr.hasPrefix("error: no sweep swp_nope (HTTP 404"), "\(arguments): \(out.stderr)")
            }
        }
    }
}
