import Foundation

/// One point of a training curve. A `value` of NaN is stored as NULL and read back as NaN.
public struct MetricPoint: Sendable, Equatable {
    public var name: String
    public var step: Int
    public var value: Double
    public var time: Date

    public init(name: String, step: Int, value: Double, time: Date) {
        self.name = name
        self.step = step
        self.value = value
        self.time = time
    }
}
