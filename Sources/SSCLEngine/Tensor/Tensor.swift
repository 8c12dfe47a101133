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

    /// Rows `indices` of a tensor of any rank, stacked in that order.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let width = rowSize
        var out = [Float](repeating: 0, count: indices.count * width)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "row \(i) out of range")
                    dst.baseAddress!.advanced(by: r * width)
                        .update(from: src.baseAddress!.advanced(by: i * width), count: width)
                }
            }
        }
        var shape = self.shape
        shape[0] = indices.count
        return Tensor(shape: shape, data: out)
    }
}
