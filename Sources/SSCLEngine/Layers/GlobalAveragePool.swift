/// [N, C, H, W] -> [N, C]: the mean over each feature map, y[n, c] = (1 / HW) sum_{h,w} x[n, c, h, w].
/// Backward spreads each dY[n, c] evenly: dX[n, c, h, w] = dY[n, c] / HW.
public final class GlobalAveragePool: Layer {
    private var savedShape: [Int]?  // [N, C, H, W]

    public var parameters: [Parameter] { [] }

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.count == 4, "GlobalAveragePool: expected [N, C, H, W], got \(x.shape)")
        let planes = x.shape[0] * x.shape[1]
        let area = x.shape[2] * x.shape[3]
        let scale = 1 / Double(area)
        let y = [Float](unsafeUninitializedCapacity: planes) { buffer, initialized in
            x.data.withUnsafeBufferPointer { px in
                for plane in 0..<planes {
                    let p = px.baseAddress!.advanced(by: plane * area)
                    var sum = 0.0
                    for i in 0..<area { sum += Double(p[i]) }
                    buffer[plane] = Float(sum * scale)
                }
            }
            initialized = planes
        }  // [N, C]
        if training { savedShape = x.shape }
        return Tensor(shape: [x.shape[0], x.shape[1]], data: y)
    }

    public func backward(_ dY: Tensor) -> Tensor {
        guard let shape = savedShape else { preconditionFailure("GlobalAveragePool: backward without a training forward") }
        let planes = shape[0] * shape[1]
        let area = shape[2] * shape[3]
        precondition(dY.shape == [shape[0], shape[1]], "GlobalAveragePool: dY shape \(dY.shape)")
        let scale = 1 / Float(area)
        let dX = [Float](unsafeUninitializedCapacity: planes * area) { buffer, initialized in
            dY.data.withUnsafeBufferPointer { pdy in
                for plane in 0..<planes {
                    buffer.baseAddress!.advanced(by: plane * area).initialize(repeating: pdy[plane] * scale, count: area)
                }
            }
            initialized = planes * area
        }  // [N, C, H, W]
        return Tensor(shape: shape, data: dX)
    }
}
