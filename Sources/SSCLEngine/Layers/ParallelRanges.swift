import Dispatch
import Synchronization

/// Runs the memory-bound loops around the GEMMs (im2col, col2im, layout copies) on as many
/// threads as BLAS was given, so a job's `threads` setting governs all of its compute.
enum ParallelRanges {
    /// Splits 0..<count into at most `threads` contiguous ranges of at least `minimumLength`
    /// and runs `body` on each concurrently; inline when one range suffices.
    /// `body` must only write disjoint memory for disjoint ranges.
    static func forEach(
        _ count: Int, threads: Int = BLAS.threads, minimumLength: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        let parts = min(threads, count / max(1, minimumLength))
        guard parts > 1 else {
            body(0..<count)
            return
        }
        forEachPart(count, parts: parts) { _, range in body(range) }
    }

    /// Splits 0..<count into exactly `parts` contiguous ranges (some empty when count < parts)
    /// and runs `body(part, range)` on each concurrently. The split depends only on `count` and
    /// `parts`, so per-part partial sums reduced in part order are deterministic.
    static func forEachPart(_ count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        let parts = max(1, parts)
        guard parts > 1 else {
            body(0, 0..<count)
            return
        }
        // Safe because the parts touch disjoint memory and concurrentPerform returns only
        // when every part has finished.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(part, (count * part / parts)..<(count * (part + 1) / parts))
        }
    }

    /// Runs `body(worker, item)` for every item of 0..<count on `workers` concurrent workers
    /// that take the next unclaimed item in turn, so a core slowed by another process does
    /// not hold the others up. Which worker runs an item varies from call to call: `body`
    /// may use per-worker scratch, but its results must depend only on the item.
    static func forEachItem(_ count: Int, workers: Int, _ body: (_ worker: Int, _ item: Int) -> Void) {
        let workers = max(1, min(workers, count))
        guard workers > 1 else {
            for item in 0..<count { body(0, item) }
            return
        }
        let next = Atomic<Int>(0)
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while true {
                let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard item < count else { return }
                body(worker, item)
            }
        }
    }
}
