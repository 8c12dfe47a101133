extension Dataset {
    /// How a raw input row becomes one of this dataset's rows (see `InputPreprocessing`).
    public var preprocessing: InputPreprocessing {
        InputPreprocessing(scale: inputScale, mean: featureMean, std: featureStd,
                           imageShape: imageShape?.dimensions, featureNames: featureNames)
    }
}
