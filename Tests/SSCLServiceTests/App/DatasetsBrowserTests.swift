import Foundation
import Testing
@testable import SSCLService

/// The datasets page in a real headless Chromium against the real `sscl serve --token`:
/// upload with progress, summary and class chart, an error shown, "Use" on the new-job page,
/// delete (`Tests/browser/datasets_live_test.py`).
@Suite(.serialized) struct DatasetsBrowserTests {
    @Test(.enabled(if: DashboardBrowserTests.chromium != nil, "needs Debian's chromium"))
    func uploadShowDeleteThroughTheDatasetsPage() throws {
        let run = try BrowserScript.run("datasets_live_test.py")
        #expect(run.passed, "\(run.output)")
        #expect(run.output.contains("ok   - one bar per class with its count"), "\(run.output)")
    }
}
