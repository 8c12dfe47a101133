/// An optional field that is always in the document, as `null` when nil. Synthesised
/// `Encodable` leaves a nil optional's key out, which suits keys that come and go (a detailed
/// document's extras) but not fields a client reads as "not yet" (a mean before any seed has
/// finished); those would otherwise each need a hand-written `encode(to:)`.
@propertyWrapper
struct NullWhenNil<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension NullWhenNil: Sendable where Value: Sendable {}
extension NullWhenNil: Equatable where Value: Equatable {}
