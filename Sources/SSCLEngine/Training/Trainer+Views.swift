import Foundation

/// On one thread, the next step's views are rendered on a second thread while the current step
/// trains: the pixel work (~2 ms of a 37 ms Fashion-MNIST step at one thread) moves to a core
/// the job leaves idle. Seeds are drawn on the training thread in step order, so the views,
/// and every result, are the same as rendering them in place; a stop puts the generator back
/// to before the unused batch's seeds, so a checkpoint never skips them. Only within an epoch:
/// the next epoch's order is drawn after its first stop check.
///
/// Measured (2 epochs of Fashion-MNIST, training seconds, medians of 3 alternating runs): at 1
/// thread 17.6 s -> 16.7 s; at 2 threads 11.4 s -> 12.0 s, slower, because the rendering
/// thread then competes with OpenBLAS's for the two cores. So a job on more than one thread
/// renders its views in place, on its own threads.
struct PendingViews {
    let step: Int
    let views: TrainingThread<Tensor>
    let augmentRNGBefore: SeededGenerator
}

extension Trainer {
    /// Rows of the train split in step `step` of this epoch's order.
    func batchIndices(step: Int) -> [Int] {
        Array(epochOrder[(step * spec.batchSize)..<((step + 1) * spec.batchSize)])
    }

    /// Step `step`'s views: the prefetched ones, or rendered now on the job's threads.
    func takeViews(step: Int, indices: [Int]) -> Tensor {
        if let pending = pendingViews, pending.step == step {
            pendingViews = nil
            return try! pending.views.join()   // rendering cannot throw
        }
        discardPendingViews()
        let seeds = ViewAugmenter.viewSeeds(batch: indices.count, rng: &augmentRNG)
        return augmenter.makeViews(indices: indices, from: dataset.train, seeds: seeds, threads: spec.threads)
    }

    /// Draws step `step`'s seeds and starts rendering its views on another thread.
    func prefetchViews(step: Int) {
        let indices = batchIndices(step: step)
        let before = augmentRNG
        let seeds = ViewAugmenter.viewSeeds(batch: indices.count, rng: &augmentRNG)
        let (augmenter, train) = (augmenter, dataset.train)
        pendingViews = PendingViews(
            step: step,
            views: TrainingThread(name: "sscl-views") {
                augmenter.makeViews(indices: indices, from: train, seeds: seeds, threads: 1)
            },
            augmentRNGBefore: before)
    }

    /// Forgets prefetched views that will not be used, and their seeds.
    func discardPendingViews() {
        guard let pending = pendingViews else { return }
        _ = try? pending.views.join()
        augmentRNG = pending.augmentRNGBefore
        pendingViews = nil
    }
}
