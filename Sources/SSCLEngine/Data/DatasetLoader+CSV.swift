import Foundation

/// CSV datasets: feature columns plus one named label column. Labels may be any text; classes
/// are the distinct train labels, in numeric order when every label is a number and in text
/// order otherwise. Text feature columns are one-hot encoded; missing cells (empty, `?`, `NA`,
/// `nan`, ...) are filled from the train split (see `TabularEncoder`) and counted.
/// Standardisation happens in `load`.
///
/// Errors name the file, row and column but never quote a value: the service shows them to
/// whoever submitted the job, and only column names (of a file inside the data directory, as
/// `DatasetFile` ensures there) are theirs to see.
extension DatasetLoader {
    /// Cells read as missing (case-insensitive), pandas' defaults among them.
    static let missingTokens: Set<String> = ["", "?", "na", "n/a", "nan", "-nan", "null", "none", "#n/a", "missing"]

    static func loadCSV(train trainURL: URL, test testURL: URL?, labelColumn: String,
                        testFraction: Float, seed: UInt64, within dataDirectory: DataDirectory?) throws -> Dataset {
        let trainTable = try CSVReader.read(trainURL, within: dataDirectory)
        guard let labelIndex = trainTable.header.firstIndex(of: labelColumn) else {
            throw DatasetError(file: trainURL.path, "no label column '\(labelColumn)'; the columns are: "
                               + listed(trainTable.header))
        }
        let featureNames = trainTable.header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        guard !featureNames.isEmpty else {
            throw DatasetError(file: trainURL.path, "no feature columns besides the label column '\(labelColumn)'")
        }
        try checkWidths(trainTable, file: trainURL.path)
        guard !trainTable.rows.isEmpty else { throw DatasetError(file: trainURL.path, "no data rows") }
        let encoder = try columnKinds(trainTable, file: trainURL.path, featureNames: featureNames)
        let trainRows = try readRows(trainTable, file: trainURL.path, encoder: encoder, labelColumn: labelColumn,
                                     unseenCategoriesAreMissing: false)

        let classNames = sortedClasses(Set(trainRows.labels))
        let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let all = DataSplit(features: trainRows.codes, labels: trainRows.labels.map { classIndex[$0]! },
                            rowSize: featureNames.count)

        let name = trainURL.deletingPathExtension().lastPathComponent
        var train: DataSplit, test: DataSplit
        if let testURL {
            let testTable = try CSVReader.read(testURL, within: dataDirectory)
            try checkWidths(testTable, file: testURL.path)
            let testRows = try readRows(testTable, file: testURL.path, encoder: encoder, labelColumn: labelColumn,
                                        unseenCategoriesAreMissing: true)
            var testLabels: [Int] = []
            testLabels.reserveCapacity(testRows.labels.count)
            for (r, label) in testRows.labels.enumerated() {
                guard let index = classIndex[label] else {
                    throw DatasetError(file: testURL.path, row: testTable.lines[r], column: labelColumn,
                                       "a label that never occurs in the train file \(trainURL.lastPathComponent)")
                }
                testLabels.append(index)
            }
            (train, test) = (all, DataSplit(features: testRows.codes, labels: testLabels, rowSize: featureNames.count))
        } else {
            (train, test) = try holdout(all, fraction: testFraction, seed: seed, file: trainURL.path)
        }
        let imputed = encoder.encode(train: &train, test: &test)
        var dataset = Dataset(name: name, train: train, test: test, imageShape: nil, classNames: classNames,
                              featureNames: encoder.featureNames, hasOfficialTestSplit: testURL != nil)
        dataset.imputedValues = imputed.train + imputed.test
        return dataset
    }

    static func isMissing(_ cell: String) -> Bool {
        missingTokens.contains(cell.trimmingCharacters(in: .whitespaces).lowercased())
    }

    private static func checkWidths(_ table: CSVReader.Table, file: String) throws {
        for (r, fields) in table.rows.enumerated() where fields.count != table.header.count {
            throw DatasetError(file: file, row: table.lines[r], "has \(fields.count) fields but the header has \(table.header.count)")
        }
    }

    /// Each feature column's kind, from the train file: numeric when at least half of its
    /// present cells read as numbers (the others are then errors: a typo, not a category),
    /// otherwise nominal with its distinct values as categories (one-hot, at most
    /// `TabularEncoder.maxCategories`). A column with no value at all is an error.
    private static func columnKinds(_ table: CSVReader.Table, file: String, featureNames: [String]) throws -> TabularEncoder {
        var position: [String: Int] = [:]
        for (i, name) in table.header.enumerated() { position[name] = i }
        var columns: [TabularEncoder.Column] = []
        for name in featureNames {
            let c = position[name]!
            var present = 0, numeric = 0
            var categories = Set<String>()
            for fields in table.rows {
                let cell = fields[c]
                if isMissing(cell) { continue }
                present += 1
                if Double(cell.trimmingCharacters(in: .whitespaces)) != nil { numeric += 1 }
                if categories.count <= TabularEncoder.maxCategories { categories.insert(cell) }
            }
            guard present > 0 else { throw DatasetError(file: file, column: name, "the column has no values (all missing)") }
            if numeric * 2 >= present {
                columns.append(.init(name: name, kind: .numeric))
            } else {
                guard categories.count <= TabularEncoder.maxCategories else {
                    throw DatasetError(file: file, column: name, "a text column with more than \(TabularEncoder.maxCategories) "
                                       + "distinct values (an id or free text?); remove it or encode it as numbers")
                }
                columns.append(.init(name: name, kind: .nominal(categories: sortedClasses(categories))))
            }
        }
        return TabularEncoder(columns: columns)
    }

    /// Each row's feature codes (`encoder.columns` order, found by name; NaN where missing)
    /// and label text.
    private static func readRows(_ table: CSVReader.Table, file: String, encoder: TabularEncoder, labelColumn: String,
                                 unseenCategoriesAreMissing: Bool) throws -> (codes: [Float], labels: [String]) {
        var position: [String: Int] = [:]
        for (i, name) in table.header.enumerated() { position[name] = i }
        guard let labelIndex = position[labelColumn] else {
            throw DatasetError(file: file, "no label column '\(labelColumn)'; the columns are: " + listed(table.header))
        }
        let featureNames = encoder.columns.map(\.name)
        let missing = featureNames.filter { position[$0] == nil }
        guard missing.isEmpty else {
            throw DatasetError(file: file, "missing feature column(s) \(listed(missing)) of the train file")
        }
        let columns = featureNames.map { position[$0]! }
        var codes: [Float] = []  // [rows, columns]
        codes.reserveCapacity(table.rows.count * columns.count)
        var labels: [String] = []
        labels.reserveCapacity(table.rows.count)
        for (r, fields) in table.rows.enumerated() {
            let line = table.lines[r]
            let cells: [String?] = columns.map { isMissing(fields[$0]) ? nil : fields[$0] }
            codes += try encoder.codes(cells, file: file, row: line, unseenCategoriesAreMissing: unseenCategoriesAreMissing)
            let label = fields[labelIndex]
            guard !isMissing(label) else {
                throw DatasetError(file: file, row: line, column: labelColumn, "empty label")
            }
            labels.append(label)
        }
        return (codes, labels)
    }

    /// Column names for a message: the first 20, each cut at 40 characters (a file that is
    /// not CSV at all has one enormous "column").
    static func listed(_ names: [String]) -> String {
        let shown = names.prefix(20).map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 }
        return shown.joined(separator: ", ") + (names.count > 20 ? ", … (\(names.count) in all)" : "")
    }

    /// Numeric order when every label reads as a number (so "10" follows "9"), else text order.
    static func sortedClasses(_ labels: Set<String>) -> [String] {
        let numbers = labels.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return labels.sorted { (Double($0)!, $0) < (Double($1)!, $1) }
        }
        return labels.sorted()
    }
}
