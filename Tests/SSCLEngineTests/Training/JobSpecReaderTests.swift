import Testing
@testable import SSCLEngine

@Suite struct JobSpecReaderTests {
    @Test(arguments: [
        ("tempreature", "temperature"), ("temprature", "temperature"), ("batchSize", "batch_size"),
        ("TAU-PLUS", "tau_plus"), ("lrr", "lr"), ("hardpool", "hard_pool"),
    ])
    func closeKeysGetASuggestion(typed: String, suggested: String) {
        let known = ["temperature", "tau_plus", "batch_size", "lr", "hard_pool", "beta"]
        #expect(JobSpecReader.closest(to: typed, among: known) == suggested)
    }

    @Test func distantKeysGetNone() {
        #expect(JobSpecReader.closest(to: "colour", among: ["lr", "temperature", "beta"]) == nil)
        #expect(JobSpecReader.closest(to: "xy", among: ["lr"]) == nil)  // 2 edits on a short key is too many
    }

    @Test func boundsDescribeThemselves() {
        #expect(NumberBounds.openClosed(0, 100).reason == "must be in (0, 100]")
        #expect(NumberBounds.closedOpen(0, 1).reason == "must be in [0, 1)")
        #expect(NumberBounds.above(0.5).reason == "must be > 0.5")
        #expect(NumberBounds.open(0, 1).contains(0.5) && !NumberBounds.open(0, 1).contains(0))
        #expect(NumberBounds.closed(0, 1).contains(1) && !NumberBounds.closedOpen(0, 1).contains(1))
        #expect(JobSpecReader.rangeReason(1...Int.max) == "must be >= 1")
        #expect(JobSpecReader.rangeReason(1...64) == "must be in 1...64")
    }

    @Test func readerCollectsIssuesAndKeepsGoing() {
        var r = JobSpecReader(path: "loss", members: [
            JSONMember("beta", .string("x")), JSONMember("hard_pool", .number("3")), JSONMember("zz", .null),
        ])
        #expect(r.float("beta", .atLeast(0)) == nil)
        #expect(r.int("hard_pool", 0...10) == 3)
        #expect(r.float("temperature", .above(0)) == nil)  // absent: no issue
        r.finish(known: ["beta", "hard_pool", "temperature"])
        #expect(r.issues == [ValidationIssue(path: "loss.beta", reason: "expected a number"),
                             ValidationIssue(path: "loss.zz", reason: "unknown key")])
    }
}
