/// What a built-in dataset is and whether its files are present on this machine; shown
/// by the CLI and the service before anything is loaded.
public struct BuiltinDatasetInfo: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var imageShape: ImageShape
    public var numClasses: Int
    /// Rows after the default split (testFraction 0.2 when there is no official test split).
    public var trainCount: Int
    public var testCount: Int
    public var hasOfficialTestSplit: Bool
    /// The folder the files are read from.
    public var location: String
    /// Whether the train files exist there.
    public var available: Bool

    public init(name: String, summary: String, imageShape: ImageShape, numClasses: Int, trainCount: Int,
                testCount: Int, hasOfficialTestSplit: Bool, location: String, available: Bool) {
        self.name = name
        self.summary = summary
        self.imageShape = imageShape
        self.numClasses = numClasses
        self.trainCount = trainCount
        self.testCount = testCount
        self.hasOfficialTestSplit = hasOfficialTestSplit
        self.location = location
        self.available = available
    }
}
