/// A training job, fully resolved: every default filled in. This is the document users
/// POST to the service and pass to `sscl train`; `JobSpec+Parsing.swift` turns JSON into it
/// (reporting every invalid field), `JobSpec+JSON.swift` turns it back into JSON.
public struct JobSpec: Sendable, Equatable {
    public var name: String = "job"
    public var dataset: DatasetSpec
    public var model = ModelSpec()
    public var loss = LossSpec()
    public var optimizer = OptimizerSpec()
    public var schedule = ScheduleSpec()
    public var augment = AugmentSpec.image
    public var epochs: Int = 10
    /// The step budget: with it, training runs max(epochs, ceil(min_steps / steps per epoch))
    /// epochs, so a small dataset still gets enough optimiser steps. 2000 when the job does not
    /// give `epochs`, nil (epochs as given) when it does (a spec built in code: nil). See
    /// `fitted(trainCount:)`.
    public var minSteps: Int? = nil
    /// The step budget a parsed job gets when it does not give `epochs`.
    public static let defaultMinSteps = 2000
    public var batchSize: Int = 256
    public var seed: UInt64 = 0
    public var threads: Int = 1
    public var eval = EvalSpec()
    /// Used by the service's scheduler: higher runs first.
    public var priority: Int = 0
    /// Used by the service: how often a crashed worker is restarted from its checkpoint.
    public var maxRestarts: Int = 3
    /// Wall-clock bound on a run (service and CLI alike).
    public var maxSeconds: Double = 3600

    public init(dataset: DatasetSpec) { self.dataset = dataset }
}

/// Where the data comes from: a built-in name, an IDX folder, CSV, NumPy or ARFF files, or an
/// image folder.
public enum DatasetSource: Sendable, Equatable {
    /// `fashion-mnist`, `fashion-mnist-mini` or `digits`.
    case builtin(String)
    /// A folder with `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]` and
    /// optionally the `t10k-*` pair.
    case idx(path: String)
    /// CSV with a header row; `test` optional.
    case csv(train: String, test: String?, labelColumn: String)
    /// NumPy arrays: an `.npz` with `x`, `y` (and optionally `x_test`, `y_test`).
    case npz(path: String, kind: ArrayKind = .tabular)
    /// NumPy arrays: two `.npy` files.
    case npy(x: String, y: String, kind: ArrayKind = .tabular)
    /// Weka ARFF; `labelColumn` nil: the last nominal attribute.
    case arff(train: String, test: String?, labelColumn: String?)
    /// PNG/JPEG files in one folder per class (torchvision's `ImageFolder` layout).
    case imageFolder(ImageFolderSpec)
}

/// What the rows of a NumPy `x` are: tabular features, or images (`[rows, H, W]`,
/// `[rows, H, W, C]` or `[rows, C, H, W]`). Tabular is the default; image arrays given as
/// tabular are flattened into feature rows.
public enum ArrayKind: String, Sendable, Equatable, CaseIterable { case tabular, image }

public struct DatasetSpec: Sendable, Equatable {
    public var source: DatasetSource
    /// Use a fixed-seed random subset of this many training rows (nil: all).
    public var trainLimit: Int? = nil
    /// Multiplier applied to IDX uint8 values (default 1/255; digits use 1/16).
    public var scale: Float? = nil
    /// Held-out fraction when no test split exists (fixed-seed split).
    public var testFraction: Float = 0.2

    public init(source: DatasetSource) { self.source = source }

    /// Whether rows are images (image augmentations, CNN allowed) rather than tabular rows.
    public var isImage: Bool {
        switch source {
        case .csv, .arff: return false
        case .npz(_, let kind), .npy(_, _, let kind): return kind == .image
        case .builtin, .idx, .imageFolder: return true
        }
    }
}

public enum EncoderKind: String, Sendable, Equatable, CaseIterable { case mlp, cnn }

public struct ModelSpec: Sendable, Equatable {
    public var encoder: EncoderKind = .mlp
    /// MLP hidden widths; the last one is the representation size.
    public var hidden: [Int] = [512, 512]
    /// CNN channels per 3x3 conv stage (stride 1 for the first stage, 2 after).
    public var channels: [Int] = [32, 64, 128]
    /// Projection head widths after the encoder output: hidden..., output.
    public var projection: [Int] = [512, 128]
    /// Batch norm after each hidden linear/conv layer.
    public var batchNorm: Bool = false
    public init() {}
}

public enum LossKind: String, Sendable, Equatable, CaseIterable { case ntxent, dcl, hcl, sscl }
public enum MixingMode: String, Sendable, Equatable, CaseIterable { case pair, copy, anchor }

/// Parameters of the contrastive loss (method.md). `kind` sets the defaults:
/// dcl: beta 0, k 0; hcl: beta 1, k 0; sscl: beta 1, s 32, k 8, pair; all: t 0.5, tau_plus 0.1.
public struct LossSpec: Sendable, Equatable {
    public var kind: LossKind = .sscl
    public var temperature: Float = 0.5
    public var tauPlus: Float = 0.1
    public var beta: Float = 1
    /// s: the size of each anchor's hard-negative pool.
    public var hardPool: Int = 32
    /// k: synthetic negatives per anchor.
    public var synthetic: Int = 8
    public var mixing: MixingMode = .pair
    public init() {}

    /// The defaults of a loss kind.
    public static func defaults(for kind: LossKind) -> LossSpec {
        var s = LossSpec()
        s.kind = kind
        switch kind {
        case .ntxent: s.tauPlus = 0; s.beta = 0; s.hardPool = 0; s.synthetic = 0
        case .dcl: s.beta = 0; s.hardPool = 0; s.synthetic = 0
        case .hcl: s.beta = 1; s.hardPool = 0; s.synthetic = 0
        case .sscl: s.beta = 1; s.hardPool = 32; s.synthetic = 8; s.mixing = .pair
        }
        return s
    }
}

public enum OptimizerKind: String, Sendable, Equatable, CaseIterable { case sgd, adamw, lars }

public struct OptimizerSpec: Sendable, Equatable {
    public var kind: OptimizerKind = .sgd
    public var lr: Float = 0.1
    public var momentum: Float = 0.9
    public var weightDecay: Float = 1e-4
    public var nesterov: Bool = false
    /// AdamW moments.
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var eps: Float = 1e-8
    /// LARS trust coefficient.
    public var trustCoefficient: Float = 0.001
    public init() {}

    public static func defaults(for kind: OptimizerKind) -> OptimizerSpec {
        var s = OptimizerSpec()
        s.kind = kind
        if kind == .adamw { s.lr = 1e-3; s.weightDecay = 1e-6 }
        return s
    }
}

public enum ScheduleKind: String, Sendable, Equatable, CaseIterable { case cosine, constant }

public struct ScheduleSpec: Sendable, Equatable {
    public var kind: ScheduleKind = .cosine
    public var warmupEpochs: Double = 1
    /// Cosine decays to lr * minLRFactor.
    public var minLRFactor: Float = 0
    public init() {}
}

/// Augmentation strengths; 0 or false switches one off.
public struct AugmentSpec: Sendable, Equatable {
    // Images
    /// Random resized crop: minimum area fraction kept (0: off).
    public var crop: Float = 0
    public var flip: Bool = false
    /// Brightness/contrast jitter strength (0: off).
    public var jitter: Float = 0
    /// Gaussian noise standard deviation, images and tabular rows (0: off).
    public var noise: Float = 0
    /// Probability of random erasing (0: off).
    public var erase: Float = 0
    // Tabular rows
    /// SCARF: fraction of features replaced by a draw from the column's marginal (0: off).
    public var mask: Float = 0

    public init(crop: Float = 0, flip: Bool = false, jitter: Float = 0, noise: Float = 0,
                erase: Float = 0, mask: Float = 0) {
        self.crop = crop; self.flip = flip; self.jitter = jitter
        self.noise = noise; self.erase = erase; self.mask = mask
    }

    public static let image = AugmentSpec(crop: 0.8, flip: true, jitter: 0.4, noise: 0.05, erase: 0.25)
    /// Digits are not mirror-symmetric: no flip.
    public static let digits = AugmentSpec(crop: 0.8, flip: false, jitter: 0.4, noise: 0.05, erase: 0.25)
    public static let tabular = AugmentSpec(noise: 0.1, mask: 0.3)
}

public struct EvalSpec: Sendable, Equatable {
    /// nil: about ten evaluations per run (see `JobSpec.fitted(trainCount:)`).
    public var everyEpochs: Int? = nil
    public var knnK: Int = 200
    public var knnTemperature: Float = 0.1
    public var linearProbe: Bool = true
    /// Measure the false-negative diagnostics every this many steps (0: never); they are off
    /// anyway for data without labels. The default keeps their cost under 2% of training.
    public var diagnosticsEvery: Int = EvalSpec.defaultDiagnosticsEvery
    public static let defaultDiagnosticsEvery = 20
    public init() {}
}
