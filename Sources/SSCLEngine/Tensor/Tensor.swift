/// A dense, row-major float32 array with a shape.
///
/// Value semantics through `[Float]` (copy-on-write): layers keep the tensors that
/// backward needs simply by storing them. The first dimension is the batch.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not match \(data.count) values")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public var count: Int { data.count }
    /// Size of the first dimension (the batch).
    public var rows: Int { shape.first ?? 1 }
    /// Number of values per row: the product of every dimension but the first.
    public var rowSize: Int { shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1 }

    /// The same values seen with another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }
}
