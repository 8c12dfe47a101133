import Foundation
import Testing

/// The client commands (`sscl submit`, `status`, `watch`, `logs`, `cancel`, `sweep`) as
/// processes against a real `sscl serve` on 127.0.0.1.
@Suite(.serialized) struct ClientCommandsTests {
    /// Runs `sscl` with `--server` pointing at `server`.
    static func sscl(_ server: ServerUnderTest, _ arguments: [String], environment: [String: String] = [:]) throws -> CommandRunner.Output {
        try CommandRunner.run(arguments + ["--server", server.base], environment: environment)
    }

    static func withServer(arguments: [String] = [], _ body: (ServerUnderTest) throws -> Void) throws {
        let root = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try ServerUnderTest(root: root, arguments: arguments)
        defer { server.stop() }
        try body(server)
    }

    /// The job id: the first word `submit` prints.
    static func jobID(_ out: CommandRunner.Output) throws -> String {
        let id = try #require(out.stdout.split(separator: " ").first.map(String.init), "\(out.stderr)")
        #expect(id.hasPrefix("job_"), "\(out.stdout)")
        return id
    }

    /// Polls `status ID` until its status line says `status` (30 s at most).
    static func waitFor(_ server: ServerUnderTest, _ id: String, status: String, andProgress: Bool = false) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let out = try sscl(server, ["status", id])
            if out.stdout.contains("status:    \(status)") && (!andProgress || out.stdout.contains("progress:")) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("\(id) did not reach \(status) within 30 s")
    }

    /// The statuses `watch` printed ("job_x: running" lines).
    static func statusLines(_ stderr: String, _ id: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            line.hasPrefix("\(id): ") ? String(line.dropFirst(id.count + 2)) : nil
        }
    }

    /// The steps of the progress lines `watch` printed ("50% epoch 1/2 step 4/8 ...").
    static func steps(_ stderr: String) -> [Int] {
        stderr.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: " step ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0 != "/" })
        }
    }

    @Test func submitWaitFollowsTheJobToOneHundredPercentAndSucceeds() throws {
        try Self.withServer { server in
            let out = try Self.sscl(server, ["submit", try server.writeJob(), "--wait"])
            #expect(out.status == 0, "\(out.stderr)")
            let id = try Self.jobID(out)
            let lines = out.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("\(id) queued") == true || lines.first?.hasPrefix("\(id) running") == true, "\(out.stdout)")
            #expect(lines.last?.hasPrefix("\(id) succeeded in ") == true, "\(out.stdout)")
            #expect(lines.last?.contains("kNN 0.") == true)
            #expect(out.stderr.contains("100% epoch 2/2 step 8/8"), "\(out.stderr)")
            #expect(out.stderr.contains("\(id): succeeded"))

            // `watch` of a finished job: its snapshot, and exit 0.
            let watch = try Self.sscl(server, ["watch", id])
            #expect(watch.status == 0, "\(watch.stderr)")
            #expect(watch.stderr.contains("100% epoch 2/2 step 8/8"), "\(watch.stderr)")
            #expect(watch.stdout.hasPrefix("\(id) succeeded"))
        }
    }

    @Test func watchFollowsARunningJobOverTheEventStream() throws {
        try Self.withServer { server in
            let id = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(epochs: 40)]))
            try Self.waitFor(server, id, status: "running", andProgress: true)
            let watch = try Self.sscl(server, ["watch", id])
            #expect(watch.status == 0, "\(watch.stderr)")
            #expect(watch.stderr.contains("100% epoch 40/40 step 160/160"), "\(watch.stderr)")
            #expect(watch.stdout.hasPrefix("\(id) succeeded"), "\(watch.stdout)")
            // The stream continued after the snapshot's last_event_id: no history replayed (the
            // job's "queued" status, steps going back).
            #expect(Self.statusLines(watch.stderr, id) == ["running", "succeeded"], "\(watch.stderr)")
            let steps = Self.steps(watch.stderr)
            #expect(steps == steps.sorted() && !steps.isEmpty, "\(watch.stderr)")
        }
    }

    @Test func statusShowsTheJobListAsATableAndOneJobInDetail() throws {
        try Self.withServer { server in
            let first = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(name: "first"), "--wait"]))
            let second = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(name: "second"), "--wait"]))
            let table = try Self.sscl(server, ["status"])
            #expect(table.status == 0, "\(table.stderr)")
            let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows.first == ["ID", "NAME", "STATUS", "PROGRESS", "KNN", "CREATED"], "\(table.stdout)")
            #expect(rows.count == 3)
            // Newest first.
            #expect(rows.dropFirst().map { Array($0.prefix(4)) } == [[second, "second", "succeeded", "100%"], [first, "first", "succeeded", "100%"]],
                    "\(table.stdout)")
            // Columns line up: every row has its status at the header's STATUS offset.
            let lines = table.stdout.split(separator: "\n").map(String.init)
            let offset = try #require(lines[0].range(of: "STATUS")).lowerBound.utf16Offset(in: lines[0])
            for line in lines.dropFirst() { #expect(String(line.dropFirst(offset)).hasPrefix("succeeded"), "\(line)") }

            #expect(try Self.sscl(server, ["status", "--status", "failed"]).stdout.split(separator: "\n").count == 1)

            let detail = try Self.sscl(server, ["status", first])
            #expect(detail.status == 0)
            #expect(detail.stdout.contains("id:        \(first)"))
            #expect(detail.stdout.contains("status:    succeeded"))
            #expect(detail.stdout.contains("progress:  100% epoch 2/2 step 8/8"), "\(detail.stdout)")
            #expect(detail.stdout.contains("result:    kNN 0."), "\(detail.stdout)")
        }
    }

    @Test func logsPrintsTheWorkerLinesAndFollowsARunningJobToItsEnd() throws {
        try Self.withServer { server in
            let id = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(epochs: 10)]))
            // Started at once: its lines come partly from the page, partly from the stream.
            let follow = try Self.sscl(server, ["logs", id, "--follow"])
            #expect(follow.status == 0, "\(follow.stderr)")
            let lines = follow.stdout.split(separator: "\n")
            #expect(lines.filter { $0.contains("started: 40 steps") }.count == 1, "\(follow.stdout)")
            #expect(lines.last?.contains("10 epoch(s)") == true || lines.contains { $0.contains("checkpoint written: 10 epoch(s), step 40") },
                    "\(follow.stdout)")

            // Afterwards the same lines, once each.
            let logs = try Self.sscl(server, ["logs", id])
            #expect(logs.status == 0)
            #expect(logs.stdout == follow.stdout)
        }
    }

    @Test func cancelStopsALongJobAndWatchExitsNonZero() throws {
        try Self.withServer { server in
            let id = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(name: "long", epochs: 5000)]))
            try Self.waitFor(server, id, status: "running", andProgress: true)
            let watcher = try CommandRunner.start(["watch", id, "--server", server.base])
            let cancel = try Self.sscl(server, ["cancel", id])
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout.hasPrefix("\(id) running (cancel requested)") || cancel.stdout.hasPrefix("\(id) cancelled"), "\(cancel.stdout)")
            let out = watcher.outPipe.fileHandleForReading.readDataToEndOfFile()
            watcher.process.waitUntilExit()
            #expect(watcher.process.terminationStatus == 2)
            #expect(String(decoding: out, as: UTF8.self).hasPrefix("\(id) cancelled"))
            #expect(try Self.sscl(server, ["status", id]).stdout.contains("status:    cancelled"))

            let again = try Self.sscl(server, ["cancel", id])
            #expect(again.status == 1)
            #expect(again.stderr.contains("HTTP 409"), "\(again.stderr)")
        }
    }

    @Test func aValidationErrorIsPrintedWithItsFieldPathsAndExitsNonZero() throws {
        try Self.withServer { server in
            let bad = server.root.appendingPathComponent("bad.json")
            try Data(#"{"epochs": -1, "batch_size": "x", "loss": {"kind": "sscl", "beta": "high"}}"#.utf8).write(to: bad)
            let out = try Self.sscl(server, ["submit", bad.path])
            #expect(out.status == 1)
            #expect(out.stdout.isEmpty)
            let lines = out.stderr.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("error: ") == true && lines.first?.contains("HTTP 422") == true, "\(out.stderr)")
            #expect(lines.contains { $0.hasPrefix("  epochs: ") }, "\(out.stderr)")
            #expect(lines.contains { $0.hasPrefix("  batch_size: ") }, "\(out.stderr)")
            #expect(lines.contains { $0.hasPrefix("  loss.beta: ") }, "\(out.stderr)")
            #expect(try Self.sscl(server, ["status"]).stdout.split(separator: "\n").count == 1, "no job was created")

            let unknown = try Self.sscl(server, ["status", "job_nonexistent"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("HTTP 404"), "\(unknown.stderr)")

            let missing = try Self.sscl(server, ["submit", server.root.appendingPathComponent("missing.json").path])
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("error: cannot read "), "\(missing.stderr)")
        }
    }

    @Test func anUnreachableServerGivesOneClearLine() throws {
        // Port 1 on loopback: privileged and unused, so the connection is refused.
        for arguments in [["status"], ["watch", "job_x"], ["logs", "job_x", "--follow"], ["cancel", "job_x"]] {
            let out = try CommandRunner.run(arguments + ["--server", "http://127.0.0.1:1"])
            #expect(out.status == 1, "\(arguments)")
            #expect(out.stdout.isEmpty)
            let lines = out.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(out.stderr)")
            #expect(lines.first?.hasPrefix("error: cannot reach the server at http://127.0.0.1:1") == true, "\(out.stderr)")
        }
        let bad = try CommandRunner.run(["status", "--server", "ftp://example"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--server must be an http(s) URL"), "\(bad.stderr)")
    }

    @Test func theTokenComesFromTheOptionOrTheEnvironment() throws {
        try Self.withServer(arguments: ["--token", "s3cret"]) { server in
            let none = try Self.sscl(server, ["status"], environment: ["SSCL_TOKEN": ""])
            #expect(none.status == 1)
            #expect(none.stderr.contains("HTTP 401"), "\(none.stderr)")
            let wrong = try Self.sscl(server, ["status", "--token", "wrong"])
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("HTTP 401"), "\(wrong.stderr)")

            let option = try Self.sscl(server, ["submit", try server.writeJob(), "--wait", "--token", "s3cret"])
            #expect(option.status == 0, "\(option.stderr)")
            // The environment, for the server's URL too; the event stream needs the token as well.
            let id = try Self.jobID(option)
            let environment = try CommandRunner.run(["watch", id], environment: ["SSCL_TOKEN": "s3cret", "SSCL_SERVER": server.base])
            #expect(environment.status == 0, "\(environment.stderr)")
            #expect(environment.stdout.hasPrefix("\(id) succeeded"))
        }
    }

    @Test func watchResumesTheStreamAfterTheServerRestarts() throws {
        let root = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var server = try ServerUnderTest(root: root)
        defer { server.stop() }
        let port = server.port
        let id = try Self.jobID(try Self.sscl(server, ["submit", try server.writeJob(epochs: 150)]))
        try Self.waitFor(server, id, status: "running", andProgress: true)
        let watcher = try CommandRunner.start(["watch", id, "--server", server.base])
        Thread.sleep(forTimeInterval: 0.5)
        server.stop()  // graceful: the job checkpoints and is queued again
        server = try ServerUnderTest(root: root, port: port)
        let out = watcher.outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: watcher.errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watcher.process.waitUntilExit()
        #expect(watcher.process.terminationStatus == 0, "\(err)")
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("\(id) succeeded"))
        // Resumed after the last event seen, so the first attempt's history is not replayed.
        #expect(Self.statusLines(err, id) == ["running", "queued", "running (attempt 2)", "succeeded"], "\(err)")
        #expect(err.contains("100% epoch 150/150 step 600/600"), "\(err)")
    }

    @Test func sweepSubmitsTheDocumentOrPrintsTheServersError() throws {
        try Self.withServer { server in
            let file = server.root.appendingPathComponent("sweep.json")
            try Data(#"{"name": "s", "base": {"dataset": {"name": "fashion-mnist-mini"}}, "parameters": {"loss.beta": {"values": [0.5, "x"]}}, "method": "grid", "seeds": [0]}"#.utf8)
                .write(to: file)
            let out = try Self.sscl(server, ["sweep", file.path])
            #expect(out.status == 1)
            let first = out.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("error: "), "\(out.stderr)")
            // Without the sweeps endpoint: its 404; with it: the invalid value by its path.
            #expect(first.contains("HTTP 404") || out.stderr.contains(#"parameters["loss.beta"].values[1]"#), "\(out.stderr)")
        }
    }
}
