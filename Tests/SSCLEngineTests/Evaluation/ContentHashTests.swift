import Testing
@testable import SSCLEngine

@Suite struct ContentHashTests {
    static func hash(_ floats: [Float], _ ints: [Int] = [], _ text: String = "") -> String {
        var h = ContentHash()
        h.combine(text)
        h.combine(floats)
        h.combine(ints)
        return h.hex
    }

    @Test func equalInputsGiveEqualKeysAndAnyChangeAnother() {
        var rng = SeededGenerator(seed: 7)
        let x = (0..<1001).map { _ in rng.normal() }   // odd: the last float is folded alone
        let base = Self.hash(x, [1, 2, 3], "kNN")
        #expect(base.count == 32)
        #expect(Self.hash(x, [1, 2, 3], "kNN") == base)
        var seen: Set<String> = [base]
        for i in [0, 1, 500, 999, 1000] {
            var y = x
            y[i] = y[i].nextUp                            // one ulp of one value
            seen.insert(Self.hash(y, [1, 2, 3], "kNN"))
        }
        seen.insert(Self.hash(x, [1, 2, 4], "kNN"))       // one label
        seen.insert(Self.hash(x, [1, 2, 3], "kNn"))       // the protocol's name
        seen.insert(Self.hash(Array(x.dropLast()), [1, 2, 3], "kNN"))
        var negativeZero = x
        negativeZero[3] = 0
        var positiveZero = x
        positiveZero[3] = -0.0
        seen.insert(Self.hash(negativeZero, [1, 2, 3], "kNN"))
        seen.insert(Self.hash(positiveZero, [1, 2, 3], "kNN"))
        #expect(seen.count == 11, "every change gives a key of its own")
    }

    @Test func lengthsSeparateArrays() {
        var a = ContentHash()
        a.combine([1, 2])
        a.combine([3])
        var b = ContentHash()
        b.combine([1])
        b.combine([2, 3])
        #expect(a.hex != b.hex)
    }
}
