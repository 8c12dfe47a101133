extension ContrastiveLoss {
    /// Histogram bins used to find each anchor's hard-pool threshold.
    static let hardPoolBins = 256

    /// The `pool` largest of row[0..<count] into `indices`, by descending value, ties to the
    /// lower index (method.md, "Hard pool"), in O(count) without a full sort:
    ///
    /// 1. a histogram of the row over [-1, `high`] (cosines; `high` the row's largest entry)
    ///    gives the lowest bin b* such that bins >= b* hold at least `pool` entries, so the
    ///    pool lies in bins >= b*;
    /// 2. those entries become distinct 64-bit keys (order-preserving float bits, then the
    ///    complemented index, so equal values order by lower index) in `keys`;
    /// 3. quickselect keeps the `pool` largest keys and only they are sorted.
    ///
    /// Needs at least `pool` finite entries; masked entries are -infinity.
    /// `keys` holds `count`, `bins` holds `hardPoolBins`.
    static func selectHardPool(
        row: UnsafePointer<Float>, count: Int, pool: Int, high: Float,
        keys: UnsafeMutablePointer<UInt64>, bins: UnsafeMutablePointer<Int32>,
        indices: UnsafeMutablePointer<Int>
    ) {
        guard pool > 0 else { return }
        let binCount = hardPoolBins
        let top = Float(binCount - 1)
        let low: Float = -1
        let scale = high > low ? top / (high - low) : 0
        // Any monotonic bin works; this one has no trapping conversion: adding 1.5 * 2^23
        // rounds x in [0, top] to an integer held in the low mantissa bits.
        @inline(__always) func bin(_ v: Float) -> Int {
            let x = (v - low) * scale
            let clamped = x > 0 ? (x < top ? x : top) : 0  // -inf and NaN land in bin 0
            return Int((clamped + 12_582_912).bitPattern & 0x3F_FFFF)
        }
        bins.update(repeating: 0, count: binCount)
        for j in 0..<count { bins[bin(row[j])] &+= 1 }
        var threshold = binCount - 1
        var above = Int(bins[threshold])
        while above < pool, threshold > 0 {
            threshold -= 1
            above += Int(bins[threshold])
        }

        // Gather the candidates' keys. Entries in bins >= b* have x >= b* - 0.5; the float
        // bound sits half a bin lower still, so rounding cannot drop one (extras are harmless).
        let bound = threshold > 0 ? low + (Float(threshold) - 1) / scale : -Float.infinity
        // Branch-free: every key is written, only candidates advance the cursor (a branch on
        // `>= bound` mispredicts on a row in random order).
        var candidates = 0
        for j in 0..<count {
            keys[candidates] = orderedKey(row[j], j)
            candidates += row[j] >= bound ? 1 : 0
        }
        let kept = min(pool, candidates)
        moveLargestToFront(kept, keys, count: candidates)
        for position in 1..<max(kept, 1) {  // insertion sort, descending
            let key = keys[position]
            var slot = position
            while slot > 0, keys[slot - 1] < key {
                keys[slot] = keys[slot - 1]
                slot -= 1
            }
            keys[slot] = key
        }
        for position in 0..<kept {
            indices[position] = Int(~UInt32(truncatingIfNeeded: keys[position]))
        }
    }

    /// Quickselect (Hoare partition, median-of-three pivot): afterwards keys[0..<top] are the
    /// `top` largest of keys[0..<count], in no particular order. Keys are distinct.
    private static func moveLargestToFront(_ top: Int, _ keys: UnsafeMutablePointer<UInt64>, count: Int) {
        guard top > 0, top < count else { return }
        let target = top - 1
        var low = 0, high = count - 1
        while low < high {
            let a = keys[low], b = keys[(low + high) / 2], c = keys[high]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = low, j = high
            while i <= j {
                while keys[i] > pivot { i += 1 }
                while keys[j] < pivot { j -= 1 }
                if i <= j {
                    let swapped = keys[i]
                    keys[i] = keys[j]
                    keys[j] = swapped
                    i += 1
                    j -= 1
                }
            }
            if target <= j {
                high = j
            } else if target >= i {
                low = i
            } else {
                return
            }
        }
    }

    /// A key whose unsigned order is (value ascending, index descending): the float's bits
    /// made monotonic (flip all bits of negatives, set the sign bit of positives), then ~index.
    @inline(__always)
    static func orderedKey(_ value: Float, _ index: Int) -> UInt64 {
        let bits = (value + 0).bitPattern  // -0 + 0 = +0: equal floats, equal keys
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(ordered) << 32 | UInt64(~UInt32(truncatingIfNeeded: index))
    }
}
