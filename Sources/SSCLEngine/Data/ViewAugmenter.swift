import Foundation

/// Makes the 2B views of a batch for the contrastive loss: rows 0..<B are first views and
/// rows B..<2B second views of the same B train rows, so row i's positive is (i + B) mod 2B.
///
/// Each view draws from its own generator seeded by one draw of the caller's, so the views
/// are the same whichever number of threads makes them.
public struct ViewAugmenter: Sendable {
    private enum Kind: Sendable {
        case image(ImageAugmenter)
        case tabular(TabularAugmenter)
    }

    private let kind: Kind
    /// The per-row part of the output shape: [C, H, W] or [F].
    public let rowShape: [Int]
    public let rowSize: Int

    /// Image augmentations for image datasets, SCARF + noise (marginals from `dataset.train`) otherwise.
    public init(spec: AugmentSpec, dataset: Dataset) {
        if let shape = dataset.imageShape {
            kind = .image(ImageAugmenter(spec: spec, shape: shape))
        } else {
            kind = .tabular(TabularAugmenter(spec: spec, train: dataset.train))
        }
        rowShape = dataset.rowShape
        rowSize = dataset.rowSize
    }

    /// The views of rows `indices` of `split`: [2B, C, H, W] for images, [2B, F] for tabular rows.
    public func makeViews(indices: [Int], from split: DataSplit, rng: inout SeededGenerator,
                          threads: Int = 1) -> Tensor {
        makeViews(indices: indices, from: split, seeds: Self.viewSeeds(batch: indices.count, rng: &rng), threads: threads)
    }

    /// The one draw per view that `makeViews(indices:from:rng:)` takes from the caller's
    /// generator: [2B]. Drawing them apart from the pixel work lets a trainer draw a batch's
    /// seeds in order on its own thread and render the views on another.
    public static func viewSeeds(batch: Int, rng: inout SeededGenerator) -> [UInt64] {
        (0..<(2 * batch)).map { _ in rng.next() }
    }

    /// The views of rows `indices` of `split` from their seeds (`viewSeeds`).
    public func makeViews(indices: [Int], from split: DataSplit, seeds: [UInt64], threads: Int = 1) -> Tensor {
        precondition(split.rowSize == rowSize, "split rows are \(split.rowSize) wide, expected \(rowSize)")
        let batch = indices.count, width = rowSize
        precondition(seeds.count == 2 * batch, "\(seeds.count) seeds for \(2 * batch) views")
        for i in indices { precondition(i >= 0 && i < split.count, "row \(i) out of range 0..<\(split.count)") }
        var views = [Float](repeating: 0, count: 2 * batch * width)  // [2B, rowSize]
        let kind = self.kind
        split.features.withUnsafeBufferPointer { source in
            views.withUnsafeMutableBufferPointer { out in
                let buffers = ViewBuffers(source: source.baseAddress!, views: out.baseAddress!)
                // One chunk of views per worker; every view depends only on its own seed.
                let workers = max(1, min(threads, 2 * batch))
                let chunk = (2 * batch + workers - 1) / max(workers, 1)
                let makeChunk = { @Sendable (worker: Int) in
                    let src = buffers.source, dst = buffers.views
                    let end = min(2 * batch, (worker + 1) * chunk)
                    guard worker * chunk < end else { return }
                    for v in (worker * chunk)..<end {
                        var viewRNG = SeededGenerator(seed: seeds[v])
                        let row = UnsafeBufferPointer(start: src + indices[v % batch] * width, count: width)
                        let view = UnsafeMutableBufferPointer(start: dst + v * width, count: width)
                        switch kind {
                        case .image(let augmenter): augmenter.augment(row, into: view, rng: &viewRNG)
                        case .tabular(let augmenter): augmenter.augment(row, into: view, rng: &viewRNG)
                        }
                    }
                }
                if workers == 1 {
                    makeChunk(0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: workers, execute: makeChunk)
                }
            }
        }
        return Tensor(shape: [2 * batch] + rowShape, data: views)
    }
}

/// The source rows and the views being written, shared with the worker threads: each
/// worker writes only its own views' rows, and the arrays outlive `concurrentPerform`.
private struct ViewBuffers: @unchecked Sendable {
    let source: UnsafePointer<Float>  // [split.count, rowSize]
    let views: UnsafeMutablePointer<Float>  // [2B, rowSize]
}

/// The name the brief also uses for the view maker.
public typealias Augmenter = ViewAugmenter
