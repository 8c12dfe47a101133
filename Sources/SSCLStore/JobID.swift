import Foundation

/// Job ids: "job_" + 13 characters of lowercase Crockford base32, the first 9 the creation time
/// in milliseconds and the last 4 random. Ids sort by creation as text, and `next(after:)`
/// keeps them strictly increasing even within one millisecond or when the clock steps back,
/// so the newest-first listing can page by id alone.
enum JobID {
    static let prefix = "job_"
    static let bodyLength = 13
    private static let timeLength = 9
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A fresh id for `date`, greater than `previous` (the largest id in use), if any.
    static func next<R: RandomNumberGenerator>(at date: Date, after previous: String?, using rng: inout R) -> String {
        let ms = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let random = UInt64.random(in: 0..<(1 << 20), using: &rng)
        let candidate = prefix + encode(ms, length: timeLength) + encode(random, length: bodyLength - timeLength)
        guard let previous, previous >= candidate, let bumped = increment(previous) else { return candidate }
        return bumped
    }

    static func next(at date: Date, after previous: String?) -> String {
        var rng = SystemRandomNumberGenerator()
        return next(at: date, after: previous, using: &rng)
    }

    static func isValid(_ id: String) -> Bool {
        guard id.hasPrefix(prefix) else { return false }
        let body = id.utf8.dropFirst(prefix.utf8.count)
        return body.count == bodyLength && body.allSatisfy { alphabet.contains($0) }
    }

    private static func encode(_ value: UInt64, length: Int) -> String {
        var bytes = [UInt8](repeating: alphabet[0], count: length)
        var rest = value
        for i in stride(from: length - 1, through: 0, by: -1) {
            bytes[i] = alphabet[Int(rest & 31)]
            rest >>= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id one greater than `id` in base32, or nil if `id` is not ours or cannot grow.
    private static func increment(_ id: String) -> String? {
        guard isValid(id) else { return nil }
        var digits = Array(id.utf8.dropFirst(prefix.utf8.count))
        var i = digits.count - 1
        while i >= 0 {
            let value = alphabet.firstIndex(of: digits[i])!
            if value < 31 {
                digits[i] = alphabet[value + 1]
                return prefix + String(decoding: digits, as: UTF8.self)
            }
            digits[i] = alphabet[0]
            i -= 1
        }
        return nil
    }
}
