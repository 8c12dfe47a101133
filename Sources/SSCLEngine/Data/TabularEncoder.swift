/// Turns typed table columns into the engine's numeric rows, for ARFF (and any table with
/// nominal columns or missing values).
///
/// Two stages, so that nothing of the test rows leaks into the train statistics:
/// `codes` gives every cell a number (a numeric value, a nominal column's category index,
/// NaN where missing) before the hold-out split; `encode` then fills missing cells with the
/// *train* split's mean (numeric) or most frequent category (nominal; ties: the first) and
/// one-hot encodes the nominal columns. Standardisation happens later, in `DatasetLoader.load`.
struct TabularEncoder {
    enum Kind: Equatable {
        case numeric
        case nominal(categories: [String])
    }

    struct Column: Equatable {
        var name: String
        var kind: Kind
    }

    /// A nominal column with more categories than this is refused (one-hot would explode).
    static let maxCategories = 256

    var columns: [Column]

    /// The names of the encoded features: numeric columns as is, nominal ones `name=category`.
    var featureNames: [String] {
        columns.flatMap { column -> [String] in
            switch column.kind {
            case .numeric: [column.name]
            case .nominal(let categories): categories.map { "\(column.name)=\($0)" }
            }
        }
    }

    /// One row's cells as numbers (NaN where missing); errors name the column.
    /// `unseenCategoriesAreMissing`: a test split's category the train split never had is
    /// imputed like a missing cell instead of being an error.
    func codes(_ cells: [String?], file: String, row: Int, unseenCategoriesAreMissing: Bool = false) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(columns.count)
        for (column, cell) in zip(columns, cells) {
            guard let cell else { out.append(.nan); continue }
            switch column.kind {
            case .numeric:
                // Errors never quote the cell: the service shows them to whoever submitted the job.
                guard let v = Float(cell.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    throw DatasetError(file: file, row: row, column: column.name, "not a finite number")
                }
                out.append(v)
            case .nominal(let categories):
                guard let i = categories.firstIndex(of: cell) else {
                    if unseenCategoriesAreMissing { out.append(.nan); continue }
                    throw DatasetError(file: file, row: row, column: column.name,
                                       "not one of the column's \(categories.count) categories")
                }
                out.append(Float(i))
            }
        }
        return out
    }

    /// Imputes from `train` and one-hot encodes both splits (rows of `codes`); returns the
    /// number of cells imputed in each.
    func encode(train: inout DataSplit, test: inout DataSplit) -> (train: Int, test: Int) {
        let width = columns.count
        var fill = [Float](repeating: 0, count: width)
        for (c, column) in columns.enumerated() {
            switch column.kind {
            case .numeric:
                var sum = 0.0, n = 0
                for r in 0..<train.count where !train.features[r * width + c].isNaN {
                    sum += Double(train.features[r * width + c]); n += 1
                }
                fill[c] = n > 0 ? Float(sum / Double(n)) : 0
            case .nominal(let categories):
                var counts = [Int](repeating: 0, count: categories.count)
                for r in 0..<train.count where !train.features[r * width + c].isNaN {
                    counts[Int(train.features[r * width + c])] += 1
                }
                fill[c] = Float(counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0)
            }
        }
        let trainImputed = expand(&train, fill: fill)
        let testImputed = expand(&test, fill: fill)
        return (trainImputed, testImputed)
    }

    private func expand(_ split: inout DataSplit, fill: [Float]) -> Int {
        let width = columns.count
        let outWidth = featureNames.count
        var out = [Float](repeating: 0, count: split.count * outWidth)  // [rows, encoded features]
        var imputed = 0
        for r in 0..<split.count {
            var o = r * outWidth
            for (c, column) in columns.enumerated() {
                var v = split.features[r * width + c]
                if v.isNaN { v = fill[c]; imputed += 1 }
                switch column.kind {
                case .numeric:
                    out[o] = v
                    o += 1
                case .nominal(let categories):
                    out[o + Int(v)] = 1
                    o += categories.count
                }
            }
        }
        split = DataSplit(features: out, labels: split.labels, rowSize: outWidth)
        return imputed
    }
}
