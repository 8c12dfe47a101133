/// Little-endian encoding shared by the checkpoint and safetensors formats: both store
/// integers and float32 values least significant byte first, whatever the host.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ v: UInt32) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ v: UInt64) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends the IEEE-754 bit patterns of `values`, each little-endian.
    mutating func appendLittleEndian(_ values: [Float]) {
        #if _endian(little)
        values.withUnsafeBytes { append(contentsOf: $0) }
        #else
        reserveCapacity(count + 4 * values.count)
        for v in values { appendLittleEndian(v.bitPattern) }
        #endif
    }

    /// The UInt32 stored little-endian at `offset` (the caller checks the bounds).
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        precondition(offset >= 0 && offset + 4 <= count)
        return withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }

    /// The UInt64 stored little-endian at `offset` (the caller checks the bounds).
    func littleEndianUInt64(at offset: Int) -> UInt64 {
        precondition(offset >= 0 && offset + 8 <= count)
        return withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    /// `count` float32 values stored little-endian from `offset` (the caller checks the bounds).
    func littleEndianFloats(at offset: Int, count n: Int) -> [Float] {
        precondition(offset >= 0 && n >= 0 && offset + 4 * n <= count)
        return [Float](unsafeUninitializedCapacity: n) { out, initialised in
            withUnsafeBytes { src in
                #if _endian(little)
                if n > 0 {
                    UnsafeMutableRawBufferPointer(out).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + 4 * n)]))
                }
                #else
                for i in 0..<n {
                    let bits = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))
                    out[i] = Float(bitPattern: bits)
                }
                #endif
            }
            initialised = n
        }
    }
}
