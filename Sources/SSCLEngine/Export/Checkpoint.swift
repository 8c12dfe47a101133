import Foundation

/// Everything needed to resume a training run exactly where it stopped: the job, the
/// position in the schedule, the epoch's data order, every generator's state and every
/// tensor (parameters, buffers, optimiser slots). Stored by `CheckpointFile`, whose doc
/// comment gives the byte layout.
public struct Checkpoint: Sendable, Equatable {
    public static let formatVersion: UInt32 = 1

    /// The job spec as JSON, verbatim.
    public var jobJSON: String
    /// The epoch in progress (0-based) and the number of its steps already taken.
    public var epoch: Int
    public var stepInEpoch: Int
    public var globalStep: Int
    /// The permutation of training rows used by the current epoch.
    public var epochOrder: [Int]
    /// Generator states by role (for example "data", "augment"), as `SeededGenerator.stateWords`.
    public var rngStates: [String: [UInt64]]
    /// In a stable order. The trainer's names: "param/<name>", "buffer/<name>", "opt/<slot>/<name>".
    public var tensors: [NamedTensor]
    /// Numbers such as elapsed seconds or the last loss (stored exactly, NaN and infinities included).
    public var scalars: [String: Double]
    /// Any other text worth keeping (for example the BLAS core name).
    public var strings: [String: String]

    public init(
        jobJSON: String, epoch: Int = 0, stepInEpoch: Int = 0, globalStep: Int = 0,
        epochOrder: [Int] = [], rngStates: [String: [UInt64]] = [:], tensors: [NamedTensor] = [],
        scalars: [String: Double] = [:], strings: [String: String] = [:]
    ) {
        self.jobJSON = jobJSON
        self.epoch = epoch
        self.stepInEpoch = stepInEpoch
        self.globalStep = globalStep
        self.epochOrder = epochOrder
        self.rngStates = rngStates
        self.tensors = tensors
        self.scalars = scalars
        self.strings = strings
    }

    /// The tensor called `name`, if any.
    public subscript(tensor name: String) -> NamedTensor? {
        tensors.first { $0.name == name }
    }

    /// Writes atomically: a crash leaves either the previous checkpoint or this one.
    public func write(to url: URL) throws {
        try AtomicFile.write(CheckpointFile.encode(self, path: url.path), to: url)
    }

    /// Reads and verifies a checkpoint; errors (`FileFormatError`) name the file and the problem.
    public static func read(from url: URL) throws -> Checkpoint {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw FileFormatError(path: url.path, problem: .io("cannot read: \(error.localizedDescription)"))
        }
        return try CheckpointFile.decode(bytes, path: url.path)
    }
}
