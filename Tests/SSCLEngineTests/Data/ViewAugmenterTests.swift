import Testing
@testable import SSCLEngine

@Suite struct ViewAugmenterTests {
    private let images: Dataset = {
        var rng = SeededGenerator(seed: 11)
        let split = DataSplit(features: (0..<(20 * 2 * 5 * 6)).map { _ in rng.uniform() },
                              labels: (0..<20).map { $0 % 4 }, rowSize: 60)
        return Dataset(name: "img", train: split, test: split.subset([0, 1]),
                       imageShape: ImageShape(channels: 2, height: 5, width: 6),
                       classNames: ["a", "b", "c", "d"], hasOfficialTestSplit: true)
    }()

    private let table: Dataset = {
        let split = DataSplit(features: (0..<40).map(Float.init), labels: Array(repeating: 0, count: 10), rowSize: 4)
        return Dataset(name: "tab", train: split, test: split, imageShape: nil, classNames: ["x"],
                       hasOfficialTestSplit: false)
    }()

    @Test func viewsArePairedRowsOfTheBatch() {
        let augmenter = ViewAugmenter(spec: AugmentSpec(), dataset: images)
        var rng = SeededGenerator(seed: 1)
        let indices = [3, 0, 17]
        let views = augmenter.makeViews(indices: indices, from: images.train, rng: &rng)
        #expect(views.shape == [6, 2, 5, 6])
        let source = images.batch(indices, of: images.train).data
        #expect(Array(views.data[0..<180]) == source)
        #expect(Array(views.data[180..<360]) == source)
    }

    @Test func augmentedViewsAreSeededAndThreadIndependent() {
        let augmenter = ViewAugmenter(spec: .image, dataset: images)
        let indices = Array(0..<16)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let one = augmenter.makeViews(indices: indices, from: images.train, rng: &a)
        let two = augmenter.makeViews(indices: indices, from: images.train, rng: &b, threads: 2)
        #expect(one == two)
        #expect(a == b)
        let next = augmenter.makeViews(indices: indices, from: images.train, rng: &a)
        #expect(next != one)
        // The two views of a row differ.
        #expect(Array(one.data[0..<60]) != Array(one.data[(16 * 60)..<(17 * 60)]))
    }

    /// Seeds drawn first and views rendered from them later (the trainer's prefetch) are the
    /// views `makeViews(rng:)` makes, and leave the generator where it does.
    @Test func viewsFromDrawnSeedsAreTheViewsFromTheGenerator() {
        let augmenter = ViewAugmenter(spec: .image, dataset: images)
        let indices = [4, 9, 1]
        var a = SeededGenerator(seed: 8), b = SeededGenerator(seed: 8)
        let direct = augmenter.makeViews(indices: indices, from: images.train, rng: &a)
        let seeds = ViewAugmenter.viewSeeds(batch: indices.count, rng: &b)
        #expect(seeds.count == 6)
        #expect(a == b)
        #expect(augmenter.makeViews(indices: indices, from: images.train, seeds: seeds) == direct)
    }

    @Test func tabularViewsUseSCARFAndNoise() {
        let augmenter = ViewAugmenter(spec: .tabular, dataset: table)
        var rng = SeededGenerator(seed: 2)
        let views = augmenter.makeViews(indices: [1, 2], from: table.train, rng: &rng)
        #expect(views.shape == [4, 4])
        #expect(views.data != table.batch([1, 2, 1, 2], of: table.train).data)
        let plain = ViewAugmenter(spec: AugmentSpec(), dataset: table)
        #expect(plain.makeViews(indices: [1, 2], from: table.train, rng: &rng).data
                == table.batch([1, 2, 1, 2], of: table.train).data)
    }
}
