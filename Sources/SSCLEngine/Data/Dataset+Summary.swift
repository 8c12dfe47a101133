/// The one-line description of a loaded dataset that `sscl train` prints and a worker logs.
extension Dataset {
    /// `800 train / 200 test` (`(held out)` when the test split was held out), then the image
    /// shape, the classes, imputed missing values and dropped columns, and the files
    /// `skip_bad` left out: their count and the first few with the reason.
    public var summary: String {
        var text = "\(train.count) train / \(test.count) test" + (hasOfficialTestSplit ? "" : " (held out)")
        if let shape = imageShape { text += ", \(shape.channels)x\(shape.height)x\(shape.width) images" }
        text += ", \(numClasses) classes"
        if imputedValues > 0 { text += ", \(imputedValues) missing value(s) imputed" }
        if !droppedColumns.isEmpty { text += ", column(s) left out: \(droppedColumns.joined(separator: ", "))" }
        if !skippedFiles.isEmpty {
            let shown = skippedFiles.prefix(3).map(\.description).joined(separator: "; ")
            let more = skippedFiles.count > 3 ? "; ..." : ""
            text += ", \(skippedFiles.count) unreadable file(s) skipped (\(shown)\(more))"
        }
        return text
    }
}
