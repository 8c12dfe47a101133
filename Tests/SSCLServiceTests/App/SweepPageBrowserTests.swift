import Foundation
import Testing
@testable import SSCLService

/// The sweep page in a real headless Chromium against the real `sscl serve` while a small sweep
/// trains: the leaderboard filling in live, error bars, the scatter, the curves, the links to
/// the filtered job list and the dry-run preview (`Tests/browser/sweep_page_test.py`).
@Suite(.serialized) struct SweepPageBrowserTests {
    @Test(.enabled(if: BrowserScript.chromium != nil, "needs Debian's chromium"))
    func theSweepPageFollowsASweepToItsEnd() throws {
        let run = try BrowserScript.run("sweep_page_test.py")
        #expect(run.passed, "\(run.output)")
        #expect(run.output.contains("ok   - the filtered job list shows exactly the sweep's 4 trials"), "\(run.output)")
    }
}
