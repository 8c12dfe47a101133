/// A loaded dataset: a train and a test split with the same row layout and classes.
///
/// Images keep their values as read times the scale (in [0, 1] for the built-ins); tabular
/// rows are standardised with the train split's statistics (see `DatasetLoader`).
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var train: DataSplit
    public var test: DataSplit
    /// nil for tabular rows.
    public var imageShape: ImageShape?
    /// Class index -> name (IDX: the digit or the Fashion-MNIST name; CSV: the label text).
    public var classNames: [String]
    /// CSV feature column names, in row order; empty for images.
    public var featureNames: [String]
    /// True when the test split came from the source (IDX `t10k-*`, CSV `test` file),
    /// false when it was held out from the train rows with a fixed seed.
    public var hasOfficialTestSplit: Bool
    /// Missing values filled in (from the train split's mean or most frequent category).
    public var imputedValues = 0
    /// Source columns left out (ARFF string and date attributes).
    public var droppedColumns: [String] = []
    /// Image-folder files left out because they could not be read (`skip_bad`); empty otherwise.
    public var skippedFiles: [SkippedFile] = []
    /// False when the labels carry no classes (a loader that fills them with a placeholder):
    /// then the false-negative diagnostics, which need real classes, are off.
    public var hasLabels = true
    /// What raw values were multiplied by when read (images: 1/255 by default; 1 for CSV/ARFF).
    public var inputScale: Float = 1
    /// Tabular rows: the train split's per-column mean and std they were standardised with.
    public var featureMean: [Float]?
    public var featureStd: [Float]?

    public init(name: String, train: DataSplit, test: DataSplit, imageShape: ImageShape?,
                classNames: [String], featureNames: [String] = [], hasOfficialTestSplit: Bool) {
        precondition(train.rowSize == test.rowSize, "train and test rows differ in size")
        if let imageShape { precondition(imageShape.size == train.rowSize, "image shape does not match rows") }
        self.name = name
        self.train = train
        self.test = test
        self.imageShape = imageShape
        self.classNames = classNames
        self.featureNames = featureNames
        self.hasOfficialTestSplit = hasOfficialTestSplit
    }

    public var numClasses: Int { classNames.count }
    public var isImage: Bool { imageShape != nil }
    /// Values per row.
    public var rowSize: Int { train.rowSize }
    /// The per-row part of a batch tensor's shape: `[C, H, W]` for images, `[F]` otherwise.
    public var rowShape: [Int] { imageShape?.dimensions ?? [train.rowSize] }

    /// Rows `indices` of `split` as a batch tensor of shape `[indices.count] + rowShape`
    /// (no augmentation: evaluation and embedding).
    public func batch(_ indices: [Int], of split: DataSplit) -> Tensor {
        Tensor(shape: [indices.count] + rowShape, data: split.subset(indices).features)
    }
}
