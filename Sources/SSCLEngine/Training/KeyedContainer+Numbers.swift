/// JSON has no NaN or infinity: numbers of run records that are not finite (a loss before
/// the first step, a baseline never measured) are written as `null` and read back as NaN.
extension KeyedEncodingContainer {
    mutating func encodeNumber(_ value: Double, forKey key: Key) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// nil and non-finite values are `null` (the key is always written).
    mutating func encodeNumber(_ value: Double?, forKey key: Key) throws {
        if let value, value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// A required number; `null` is NaN.
    func decodeNumber(forKey key: Key) throws -> Double {
        try decodeNil(forKey: key) ? .nan : decode(Double.self, forKey: key)
    }

    /// An optional number: missing or `null` is nil.
    func decodeOptionalNumber(forKey key: Key) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key)
    }
}
