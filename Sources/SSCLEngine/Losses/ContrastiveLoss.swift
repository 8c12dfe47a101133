import Foundation

/// The contrastive losses of method.md on a batch of 2B projection outputs: NT-Xent
/// (SimCLR, Chen et al. 2020) and the weighted family (DCL, Chuang et al. 2020; HCL,
/// Robinson et al. 2021; SSCL, Dong et al. 2023, arXiv:2304.02971) with synthetic hard
/// negatives mixed from each anchor's hard pool.
///
/// Everything is computed from S = Z Z^T (one GEMM) and sent back with one more GEMM,
/// dZ = (G + G^T + C) Z, so SSCL costs about what NT-Xent costs. The instance owns its
/// scratch buffers and reuses them between calls; one thread uses it at a time.
public final class ContrastiveLoss {
    public let spec: LossSpec

    /// Extra measurements of the last call, worth logging.
    public private(set) var lastDiagnostics = Diagnostics()

    // Scratch, grown on demand (shapes for 2B rows, d features, s pool, k synthetic).
    let normalised = ScratchBuffer<Float>(0)       // [2B, d]
    let inverseNorm = ScratchBuffer<Float>(0)      // [2B]
    let similarity = ScratchBuffer<Float>(0)       // [2B, 2B]
    let dSimilarity = ScratchBuffer<Float>(0)      // [2B, 2B]
    let dNormalised = ScratchBuffer<Float>(0)      // [2B, d]
    let hard = ScratchBuffer<Int>(0)               // [2B, s]
    let planA = ScratchBuffer<Int>(0)              // [2B, k]
    let planB = ScratchBuffer<Int>(0)              // [2B, k]
    let planAlpha = ScratchBuffer<Float>(0)        // [2B, k]
    let synthSimilarity = ScratchBuffer<Float>(0)  // [2B, k]
    let synthGrad = ScratchBuffer<Float>(0)        // [2B, k]
    let synthRow1 = ScratchBuffer<Int>(0)          // [2B, k]
    let synthRow2 = ScratchBuffer<Int>(0)          // [2B, k]
    let synthCoef1 = ScratchBuffer<Float>(0)       // [2B, k]
    let synthCoef2 = ScratchBuffer<Float>(0)       // [2B, k]
    let outcomes = ScratchBuffer<AnchorOutcome>(.zero)  // [2B]
    // Per worker of the anchor loop (AnchorScratch).
    let workerRow = ScratchBuffer<Float>(0)          // [workers, 2B]
    let workerWeight = ScratchBuffer<Float>(0)       // [workers, 2B]
    let workerHardKeys = ScratchBuffer<UInt64>(0)    // [workers, 2B]
    let workerHardBins = ScratchBuffer<Int32>(0)     // [workers, hardPoolBins]
    let workerSynthWeight = ScratchBuffer<Float>(0)  // [workers, k]
    private(set) var lastRows = 0
    private var lastPool = 0

    public init(spec: LossSpec) {
        if let problem = ContrastiveLoss.problem(with: spec) { preconditionFailure(problem) }
        self.spec = spec
    }

    /// Why `spec` cannot define a loss, or nil when it can.
    public static func problem(with spec: LossSpec) -> String? {
        guard spec.temperature.isFinite, spec.temperature > 0 else { return "temperature must be > 0" }
        if spec.kind == .ntxent { return nil }
        guard spec.tauPlus >= 0, spec.tauPlus < 1 else { return "tau_plus must be in [0, 1)" }
        guard spec.beta.isFinite, spec.beta >= 0 else { return "beta must be >= 0" }
        guard spec.hardPool >= 0, spec.synthetic >= 0 else { return "hard_pool and synthetic must be >= 0" }
        guard spec.synthetic == 0 || spec.hardPool > 0 else { return "synthetic > 0 needs hard_pool > 0" }
        return nil
    }

    /// The hard lists of the last call, [2B][s] row indices (empty when k == 0).
    public var lastHardIndices: [[Int]] {
        guard lastPool > 0 else { return [] }
        let list = hard.base
        return (0..<lastRows).map { i in (0..<lastPool).map { list[i * lastPool + $0] } }
    }

    /// embeddings: [2B, d] raw head outputs (rows 0..<B first views, B..<2B second views).
    /// Returns the mean loss over the 2B anchors and dLoss/dEmbeddings [2B, d] through the
    /// L2 normalisation. With `plan` nil the plan is drawn from `rng` as `MixingPlan.draw`
    /// does; the hard pool is clipped to the 2B - 2 real negatives. `threads` splits the
    /// loops around the GEMMs; the result does not depend on it.
    public func forwardBackward(
        embeddings: Tensor, plan: MixingPlan? = nil, rng: inout SeededGenerator, threads: Int = BLAS.threads
    ) -> (loss: Float, dEmbeddings: Tensor) {
        precondition(embeddings.shape.count == 2, "embeddings must be [2B, d], got \(embeddings.shape)")
        let rows = embeddings.shape[0], dim = embeddings.shape[1]
        precondition(rows >= 4 && rows % 2 == 0, "need 2B rows with B >= 2, got \(rows)")
        precondition(dim >= 1, "embeddings need at least one column")
        let settings = Settings(spec: spec, rows: rows)
        let work = workspace(rows: rows, dim: dim, settings: settings, threads: threads)
        lastRows = rows
        lastPool = settings.pool

        fillPlan(work, settings, plan: plan, rng: &rng)
        embeddings.data.withUnsafeBufferPointer { e in
            Self.normalise(e.baseAddress!, work)
        }
        // S = Z Z^T  [2B, 2B]
        BLAS.gemm(transB: true, m: rows, n: rows, k: dim,
                  a: work.normalised, b: work.normalised, c: work.similarity)

        // Anchors write disjoint rows of G and of the [2B, k] buffers, and only read S. Workers
        // take blocks of anchors in turn (a core slowed by another process does not hold the
        // step); outcomes are summed afterwards in anchor order, so nothing depends on which
        // worker ran an anchor or on how many there are.
        let blocks = (rows + Self.anchorsPerBlock - 1) / Self.anchorsPerBlock
        ParallelRanges.forEachItem(blocks, workers: work.workers) { worker, block in
            let scratch = work.scratch(worker: worker)
            for i in (block * Self.anchorsPerBlock)..<min((block + 1) * Self.anchorsPerBlock, rows) {
                work.outcomes[i] = Self.anchorTerm(i, work, scratch, settings)
            }
        }
        var total = 0.0
        var diagnostics = DiagnosticsSums()
        for i in 0..<rows {
            total += Double(work.outcomes[i].loss)
            diagnostics.add(work.outcomes[i], anchor: i, work, settings)
        }
        lastDiagnostics = diagnostics.mean(rows: rows)

        Self.symmetrise(work, threads: threads)
        Self.addSyntheticCoefficients(work, settings)
        // dZ = (G + G^T + C) Z  [2B, d]
        let dZ = dNormalised.reserve(rows * dim)
        BLAS.gemm(m: rows, n: dim, k: rows, a: work.dSimilarity, b: work.normalised, c: dZ)

        var dEmbeddings = [Float](repeating: 0, count: rows * dim)  // [2B, d]
        dEmbeddings.withUnsafeMutableBufferPointer { dE in
            Self.normaliseBackward(dZ, work, into: dE.baseAddress!)
        }
        return (Float(total / Double(rows)), Tensor(shape: [rows, dim], data: dEmbeddings))
    }

    private func workspace(rows: Int, dim: Int, settings: Settings, threads: Int) -> Workspace {
        let s = max(settings.pool, 1), k = max(settings.synthetic, 1)
        let workers = max(1, min(threads, rows / Self.minimumAnchorsPerWorker))
        return Workspace(
            rows: rows, dim: dim, synthetic: k,
            normalised: normalised.reserve(rows * dim),
            inverseNorm: inverseNorm.reserve(rows),
            similarity: similarity.reserve(rows * rows),
            dSimilarity: dSimilarity.reserve(rows * rows),
            hard: hard.reserve(rows * s),
            planA: planA.reserve(rows * k),
            planB: planB.reserve(rows * k),
            planAlpha: planAlpha.reserve(rows * k),
            synthSimilarity: synthSimilarity.reserve(rows * k),
            synthGrad: synthGrad.reserve(rows * k),
            synthRow1: synthRow1.reserve(rows * k),
            synthRow2: synthRow2.reserve(rows * k),
            synthCoef1: synthCoef1.reserve(rows * k),
            synthCoef2: synthCoef2.reserve(rows * k),
            outcomes: outcomes.reserve(rows),
            workers: workers,
            workerRow: workerRow.reserve(workers * rows),
            workerWeight: workerWeight.reserve(workers * rows),
            workerHardKeys: workerHardKeys.reserve(workers * rows),
            workerHardBins: workerHardBins.reserve(workers * Self.hardPoolBins),
            workerSynthWeight: workerSynthWeight.reserve(workers * k))
    }

    /// Fewer anchors than this per worker cost more to dispatch than they save.
    static let minimumAnchorsPerWorker = 32
    /// Anchors a worker takes at a time.
    static let anchorsPerBlock = 8

    /// Copies an explicit plan into the flat buffers, or draws one (same order as
    /// `MixingPlan.draw`, without building nested arrays).
    private func fillPlan(_ w: Workspace, _ c: Settings, plan: MixingPlan?, rng: inout SeededGenerator) {
        let k = c.synthetic
        guard k > 0 else { return }
        if let plan {
            if let problem = plan.problem(rows: w.rows, synthetic: k, hardPool: c.pool) {
                preconditionFailure(problem)
            }
            for i in 0..<w.rows {
                for m in 0..<k {
                    w.planA[i * k + m] = plan.a[i][m]
                    w.planB[i * k + m] = plan.b[i][m]
                    w.planAlpha[i * k + m] = plan.alpha[i][m]
                }
            }
        } else {
            for index in 0..<(w.rows * k) {
                let draw = MixingPlan.drawOne(hardPool: c.pool, mixing: c.mixing, rng: &rng)
                w.planA[index] = draw.a
                w.planB[index] = draw.b
                w.planAlpha[index] = draw.alpha
            }
        }
    }

    /// z_i = e_i / max(||e_i||, 1e-12), as torch.nn.functional.normalize.
    private static func normalise(_ e: UnsafePointer<Float>, _ w: Workspace) {
        let d = w.dim
        for i in 0..<w.rows {
            let src = e + i * d, dst = w.normalised + i * d
            var sumSquares: Float = 0
            for c in 0..<d { sumSquares += src[c] * src[c] }
            let inverse = 1 / max(sumSquares.squareRoot(), 1e-12)
            w.inverseNorm[i] = inverse
            for c in 0..<d { dst[c] = src[c] * inverse }
        }
    }

    /// dE_i = (dZ_i - z_i (z_i . dZ_i)) / ||e_i||: the Jacobian of e / ||e||.
    private static func normaliseBackward(
        _ dZ: UnsafePointer<Float>, _ w: Workspace, into dE: UnsafeMutablePointer<Float>
    ) {
        let d = w.dim
        for i in 0..<w.rows {
            let z = w.normalised + i * d, g = dZ + i * d, out = dE + i * d
            var radial: Float = 0
            for c in 0..<d { radial += z[c] * g[c] }
            let inverse = w.inverseNorm[i]
            for c in 0..<d { out[c] = (g[c] - z[c] * radial) * inverse }
        }
    }

    /// G <- G + G^T in place: S_ij = z_i . z_j sends dL/dS_ij to both rows. Tiled so both
    /// the row and the column strip of a tile stay in L1. Tile row b touches only tiles
    /// (b, c >= b) and their mirrors (c, b), so tile rows run concurrently, taken in turn by
    /// the workers; pairing row b with row T - 1 - b gives every pair the same T + 1 tiles.
    private static func symmetrise(_ w: Workspace, threads: Int) {
        let tiles = (w.rows + symmetriseTile - 1) / symmetriseTile, pairs = (tiles + 1) / 2
        ParallelRanges.forEachItem(pairs, workers: pairs >= 4 ? threads : 1) { _, b in
            symmetriseTileRow(b, w)
            if tiles - 1 - b != b { symmetriseTileRow(tiles - 1 - b, w) }
        }
    }

    private static let symmetriseTile = 32

    /// Tile row `b` of `symmetrise`: rows b*32..<(b+1)*32, from the diagonal tile rightwards.
    private static func symmetriseTileRow(_ b: Int, _ w: Workspace) {
        let n = w.rows, g = w.dSimilarity, tile = symmetriseTile
        let ib = b * tile, iEnd = min(ib + tile, n)
        for jb in stride(from: ib, to: n, by: tile) {
            let jEnd = min(jb + tile, n)
            for i in ib..<iEnd {
                let jStart = jb == ib ? i + 1 : jb
                guard jStart < jEnd else { continue }
                let rowI = g + i * n                    // G[i, .]
                var column = g + (jStart * n + i)       // G[j, i]
                for j in jStart..<jEnd {
                    let sum = rowI[j] + column.pointee
                    rowI[j] = sum
                    column.pointee = sum
                    column += n
                }
            }
        }
        for i in ib..<iEnd { g[i * n + i] *= 2 }
    }

    /// Adds C: the gradient through z_i . h_im reaches only z_i, as a fixed combination of
    /// the rows mixed into h_im (method.md, "Computing it fast").
    private static func addSyntheticCoefficients(_ w: Workspace, _ c: Settings) {
        let n = w.rows, k = c.synthetic
        guard k > 0 else { return }
        for i in 0..<n {
            for m in 0..<k {
                let index = i * k + m
                let g = w.synthGrad[index]
                w.dSimilarity[i * n + w.synthRow1[index]] += g * w.synthCoef1[index]
                w.dSimilarity[i * n + w.synthRow2[index]] += g * w.synthCoef2[index]
            }
        }
    }
}
