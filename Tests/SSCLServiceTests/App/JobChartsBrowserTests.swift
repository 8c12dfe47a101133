import Foundation
import Testing
@testable import SSCLService

/// The job page's charts (log scale, smoothing, zoom, x axis, CSV download), projection,
/// per-class views and diagnostics in headless Chromium against the real `sscl serve`.
@Suite(.serialized) struct JobChartsBrowserTests {
    @Test(.enabled(if: BrowserScript.chromium != nil, "needs Debian's chromium"))
    func chartsOfAFinishedJobRespondToTheUser() throws {
        let run = try BrowserScript.run("job_charts_test.py")
        #expect(run.passed, "\(run.output)")
        #expect(run.output.contains("ok   - the CSV holds exactly the API's"), "\(run.output)")
    }
}
