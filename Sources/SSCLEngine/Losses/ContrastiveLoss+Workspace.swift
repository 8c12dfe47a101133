extension ContrastiveLoss {
    /// The resolved parameters of one call: `spec` with the pool clipped to the 2B - 2 real
    /// negatives, and NT-Xent expressed as the weighted formula with beta = 0, tau_plus = 0,
    /// k = 0 and no clamp (method.md, "Special cases").
    struct Settings {
        /// False for NT-Xent: no clamp N exp(-1/t).
        let weighted: Bool
        let inverseTemperature: Float
        let tauPlus: Float
        let beta: Float
        /// s, at most 2B - 2; 0 when there are no synthetic negatives.
        let pool: Int
        /// k; 0 when s is 0.
        let synthetic: Int
        let mixing: MixingMode

        init(spec: LossSpec, rows: Int) {
            weighted = spec.kind != .ntxent
            inverseTemperature = 1 / spec.temperature
            tauPlus = weighted ? spec.tauPlus : 0
            beta = weighted ? spec.beta : 0
            let s = weighted && spec.synthetic > 0 ? min(spec.hardPool, rows - 2) : 0
            pool = s
            synthetic = s > 0 ? spec.synthetic : 0
            mixing = spec.mixing
        }
    }

    /// Raw pointers into the scratch buffers for one call (2B = `rows`).
    struct Workspace {
        let rows: Int
        let dim: Int
        /// k, the stride of `workerSynthWeight` (at least 1).
        let synthetic: Int
        let normalised: UnsafeMutablePointer<Float>   // [2B, d] Z
        let inverseNorm: UnsafeMutablePointer<Float>  // [2B] 1 / ||e_i||
        let similarity: UnsafeMutablePointer<Float>   // [2B, 2B] S = Z Z^T
        let dSimilarity: UnsafeMutablePointer<Float>  // [2B, 2B] G = dL/dS, then G + G^T + C
        let hard: UnsafeMutablePointer<Int>           // [2B, s] hard lists (row indices)
        let planA: UnsafeMutablePointer<Int>          // [2B, k] positions in the hard list
        let planB: UnsafeMutablePointer<Int>          // [2B, k]
        let planAlpha: UnsafeMutablePointer<Float>    // [2B, k]
        let synthSimilarity: UnsafeMutablePointer<Float>  // [2B, k] z_i . h_im
        let synthGrad: UnsafeMutablePointer<Float>    // [2B, k] dL/d(z_i . h_im)
        let synthRow1: UnsafeMutablePointer<Int>      // [2B, k] rows mixed into h_im
        let synthRow2: UnsafeMutablePointer<Int>      // [2B, k]
        let synthCoef1: UnsafeMutablePointer<Float>   // [2B, k] their weights in h_im
        let synthCoef2: UnsafeMutablePointer<Float>   // [2B, k]
        let outcomes: UnsafeMutablePointer<AnchorOutcome>  // [2B] reduced in anchor order
        // The anchor loop's workers and their temporaries, worker-major (`AnchorScratch`).
        let workers: Int
        let workerRow: UnsafeMutablePointer<Float>          // [workers, 2B]
        let workerWeight: UnsafeMutablePointer<Float>       // [workers, 2B]
        let workerHardKeys: UnsafeMutablePointer<UInt64>    // [workers, 2B]
        let workerHardBins: UnsafeMutablePointer<Int32>     // [workers, hardPoolBins]
        let workerSynthWeight: UnsafeMutablePointer<Float>  // [workers, k]

        /// The temporaries of worker `worker`.
        func scratch(worker: Int) -> AnchorScratch {
            AnchorScratch(
                row: workerRow + worker * rows, weight: workerWeight + worker * rows,
                hardKeys: workerHardKeys + worker * rows, hardBins: workerHardBins + worker * hardPoolBins,
                synthWeight: workerSynthWeight + worker * synthetic)
        }
    }

    /// Temporaries of the anchor being computed, one set per worker so workers never
    /// share them. `row` is a masked copy of S_i: S itself stays read-only while workers run,
    /// because a synthetic negative reads S_ab from other anchors' rows.
    struct AnchorScratch {
        let row: UnsafeMutablePointer<Float>          // [2B] S_i with S_ii, S_ip = -inf
        let weight: UnsafeMutablePointer<Float>       // [2B] w terms
        let hardKeys: UnsafeMutablePointer<UInt64>    // [2B] selection candidates
        let hardBins: UnsafeMutablePointer<Int32>     // [hardPoolBins] selection histogram
        let synthWeight: UnsafeMutablePointer<Float>  // [k] w terms of the synthetic negatives
    }
}
