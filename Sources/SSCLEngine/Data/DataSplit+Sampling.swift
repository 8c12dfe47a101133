/// Fixed-seed ways of choosing rows: a stratified hold-out split and a training subset.
/// The same seed always picks the same rows.
extension DataSplit {
    /// Holds out about `fraction` of each class as a test split (stratified, so small
    /// classes keep their share); every class keeps at least one train row.
    /// Per class c with n_c rows: round(n_c * fraction) test rows, at most n_c - 1.
    /// Both outputs keep the original row order.
    func holdout(fraction: Float, seed: UInt64) -> (train: DataSplit, test: DataSplit) {
        var rng = SeededGenerator(seed: seed ^ 0x5EED_0000_5B11_7000)
        let order = rng.permutation(count)
        var byClass: [Int: [Int]] = [:]
        for i in order { byClass[labels[i], default: []].append(i) }
        var isTest = [Bool](repeating: false, count: count)
        for rows in byClass.values {
            let take = min(rows.count - 1, Int((Float(rows.count) * fraction).rounded()))
            for i in rows.prefix(max(0, take)) { isTest[i] = true }
        }
        let trainRows = (0..<count).filter { !isTest[$0] }
        let testRows = (0..<count).filter { isTest[$0] }
        return (subset(trainRows), subset(testRows))
    }

    /// A random subset of `limit` rows in their original order (all rows when limit >= count).
    func randomSubset(limit: Int, seed: UInt64) -> DataSplit {
        guard limit < count else { return self }
        return subset(randomSubsetRows(limit: limit, seed: seed))
    }

    /// The rows `randomSubset(limit:seed:)` keeps, ascending.
    func randomSubsetRows(limit: Int, seed: UInt64) -> [Int] {
        guard limit < count else { return Array(0..<count) }
        var rng = SeededGenerator(seed: seed ^ 0x11A1_7000_0000_5EED)
        return rng.permutation(count).prefix(limit).sorted()
    }
}
