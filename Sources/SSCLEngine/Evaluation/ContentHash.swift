/// A fast 128-bit fingerprint of the exact bytes an evaluation reads (features, labels,
/// protocol parameters), the key of `EvaluationCache`. Not cryptographic (SSCLService's SHA256
/// checksums uploads): it guards against accidental matches, not forged ones, and hashes the
/// 220 MB of Fashion-MNIST's inputs in about 0.1 s, where SHA-256 in Swift takes seconds.
///
/// Two 64-bit lanes, each word folded in with different multipliers and rotations (the
/// xxHash64 round: acc = rotl(acc + w * P2, 31) * P1), finished with MurmurHash3's fmix64.
/// Every array is preceded by its length, so concatenations cannot collide by shifting bytes.
struct ContentHash {
    private var lane1: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var lane2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63

    init() {}

    @inline(__always)
    private mutating func fold(_ w: UInt64) {
        let a = lane1 &+ w &* Self.p2
        lane1 = ((a << 31) | (a >> 33)) &* Self.p1
        let b = lane2 ^ (w &* Self.p4)
        lane2 = ((b << 27) | (b >> 37)) &* Self.p3 &+ Self.p1
    }

    mutating func combine(_ value: Int) { fold(UInt64(bitPattern: Int64(value))) }

    mutating func combine(_ value: Float) { fold(UInt64(value.bitPattern)) }

    mutating func combine(_ text: String) {
        let bytes = Array(text.utf8)
        combine(bytes.count)
        for byte in bytes { fold(UInt64(byte)) }
    }

    mutating func combine(_ values: [Int]) {
        combine(values.count)
        for v in values { fold(UInt64(bitPattern: Int64(v))) }
    }

    /// The floats' bit patterns, two per word (so -0 and 0 differ, as they may for a model).
    mutating func combine(_ values: [Float]) {
        combine(values.count)
        values.withUnsafeBufferPointer { p in
            let pairs = p.count / 2
            var i = 0
            while i < pairs {
                fold(UInt64(p[2 * i].bitPattern) | (UInt64(p[2 * i + 1].bitPattern) << 32))
                i += 1
            }
            if p.count % 2 == 1 { fold(UInt64(p[p.count - 1].bitPattern)) }
        }
    }

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33; x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33; x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// 32 hex digits.
    var hex: String {
        let a = Self.mix(lane1 ^ Self.mix(lane2))
        let b = Self.mix(lane2 &+ lane1)
        func pad(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return pad(a) + pad(b)
    }
}
