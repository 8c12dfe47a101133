import Foundation

/// CSV datasets: numeric feature columns plus one named label column. Labels may be any
/// text; classes are the distinct train labels, in numeric order when every label is a
/// number and in text order otherwise. Standardisation happens in `load`.
///
/// Errors name the file, row and column but never quote a value: the service shows them to
/// whoever submitted the job, and only column names (of a file inside the data directory, as
/// `DatasetFile` ensures there) are theirs to see.
extension DatasetLoader {
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
        let trainRows = try readRows(trainTable, file: trainURL.path, featureNames: featureNames, labelColumn: labelColumn)
        guard !trainRows.labels.isEmpty else { throw DatasetError(file: trainURL.path, "no data rows") }

        let classNames = sortedClasses(Set(trainRows.labels))
        let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let all = DataSplit(features: trainRows.features, labels: trainRows.labels.map { classIndex[$0]! },
                            rowSize: featureNames.count)

        let name = trainURL.deletingPathExtension().lastPathComponent
        guard let testURL else {
            let (fit, held) = try holdout(all, fraction: testFraction, seed: seed, file: trainURL.path)
            return Dataset(name: name, train: fit, test: held, imageShape: nil, classNames: classNames,
                           featureNames: featureNames, hasOfficialTestSplit: false)
        }
        let testTable = try CSVReader.read(testURL, within: dataDirectory)
        let testRows = try readRows(testTable, file: testURL.path, featureNames: featureNames, labelColumn: labelColumn)
        var testLabels: [Int] = []
        testLabels.reserveCapacity(testRows.labels.count)
        for (r, label) in testRows.labels.enumerated() {
            guard let index = classIndex[label] else {
                throw DatasetError(file: testURL.path, row: testTable.lines[r], column: labelColumn,
                                   "a label that never occurs in the train file \(trainURL.lastPathComponent)")
            }
            testLabels.append(index)
        }
        let test = DataSplit(features: testRows.features, labels: testLabels, rowSize: featureNames.count)
        return Dataset(name: name, train: all, test: test, imageShape: nil, classNames: classNames,
                       featureNames: featureNames, hasOfficialTestSplit: true)
    }

    /// Parses each row's features (in `featureNames` order, found by name) and label text.
    private static func readRows(_ table: CSVReader.Table, file: String, featureNames: [String],
                                 labelColumn: String) throws -> (features: [Float], labels: [String]) {
        var position: [String: Int] = [:]
        for (i, name) in table.header.enumerated() { position[name] = i }
        guard let labelIndex = position[labelColumn] else {
            throw DatasetError(file: file, "no label column '\(labelColumn)'; the columns are: " + listed(table.header))
        }
        let missing = featureNames.filter { position[$0] == nil }
        guard missing.isEmpty else {
            throw DatasetError(file: file, "missing feature column(s) \(listed(missing)) of the train file")
        }
        let columns = featureNames.map { position[$0]! }
        var features: [Float] = []  // [rows, features]
        features.reserveCapacity(table.rows.count * columns.count)
        var labels: [String] = []
        labels.reserveCapacity(table.rows.count)
        for (r, fields) in table.rows.enumerated() {
            let line = table.lines[r]
            guard fields.count == table.header.count else {
                throw DatasetError(file: file, row: line, "has \(fields.count) fields but the header has \(table.header.count)")
            }
            for c in columns {
                let text = fields[c]
                guard !text.isEmpty else {
                    throw DatasetError(file: file, row: line, column: table.header[c], "empty value")
                }
                guard let value = Float(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw DatasetError(file: file, row: line, column: table.header[c], "not a finite number")
                }
                features.append(value)
            }
            let label = fields[labelIndex]
            guard !label.isEmpty else {
                throw DatasetError(file: file, row: line, column: labelColumn, "empty label")
            }
            labels.append(label)
        }
        return (features, labels)
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
