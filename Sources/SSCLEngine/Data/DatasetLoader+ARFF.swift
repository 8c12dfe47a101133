import Foundation

/// ARFF datasets (Weka, OpenML): numeric and nominal attributes as features (nominal ones
/// one-hot), a nominal class attribute as the label (named by `labelColumn`, else the last
/// nominal attribute, Weka's convention). String and date attributes are left out (named in
/// the dataset's `droppedColumns`); missing values (`?`) are imputed from the train split and
/// counted. Rows whose class is missing cannot be used and are an error naming the row.
extension DatasetLoader {
    static func loadARFF(train trainURL: URL, test testURL: URL?, labelColumn: String?,
                         testFraction: Float, seed: UInt64, within dataDirectory: DataDirectory? = nil) throws -> Dataset {
        let table = try ARFFReader.parse([UInt8](try readDatasetFile(trainURL, within: dataDirectory)), file: trainURL.path)
        let classIndex: Int
        if let labelColumn {
            guard let i = table.attributes.firstIndex(where: { $0.name == labelColumn }) else {
                throw DatasetError(file: trainURL.path, "no attribute '\(labelColumn)'; the attributes are: "
                                   + table.attributes.map(\.name).joined(separator: ", "))
            }
            classIndex = i
        } else {
            guard let i = table.attributes.lastIndex(where: { if case .nominal = $0.type { true } else { false } }) else {
                throw DatasetError(file: trainURL.path, "no nominal attribute to use as the class; name one with label_column")
            }
            classIndex = i
        }
        guard case .nominal(let classNames) = table.attributes[classIndex].type else {
            throw DatasetError(file: trainURL.path, column: table.attributes[classIndex].name,
                               "the class attribute must be nominal ({a, b, ...})")
        }
        var kept: [Int] = []
        var columns: [TabularEncoder.Column] = []
        var dropped: [String] = []
        for (i, attribute) in table.attributes.enumerated() where i != classIndex {
            switch attribute.type {
            case .numeric:
                kept.append(i); columns.append(.init(name: attribute.name, kind: .numeric))
            case .nominal(let categories):
                guard categories.count <= TabularEncoder.maxCategories else {
                    throw DatasetError(file: trainURL.path, column: attribute.name,
                                       "\(categories.count) categories (at most \(TabularEncoder.maxCategories) are one-hot encoded)")
                }
                kept.append(i); columns.append(.init(name: attribute.name, kind: .nominal(categories: categories)))
            case .string, .date:
                dropped.append(attribute.name)
            }
        }
        guard !columns.isEmpty else { throw DatasetError(file: trainURL.path, "no numeric or nominal feature attributes") }
        let encoder = TabularEncoder(columns: columns)

        func split(_ table: ARFFReader.Table, file: String) throws -> DataSplit {
            var features: [Float] = []  // [rows, columns] as codes
            features.reserveCapacity(table.rows.count * columns.count)
            var labels: [Int] = []
            for (r, row) in table.rows.enumerated() {
                guard let label = row[classIndex] else {
                    throw DatasetError(file: file, row: table.lines[r], column: table.attributes[classIndex].name, "the class is missing")
                }
                guard let index = classNames.firstIndex(of: label) else {
                    throw DatasetError(file: file, row: table.lines[r], column: table.attributes[classIndex].name,
                                       "not one of the class values")
                }
                features += try encoder.codes(kept.map { row[$0] }, file: file, row: table.lines[r])
                labels.append(index)
            }
            guard !labels.isEmpty else { throw DatasetError(file: file, "no data rows") }
            return DataSplit(features: features, labels: labels, rowSize: columns.count)
        }

        let all = try split(table, file: trainURL.path)
        var train: DataSplit
        var test: DataSplit
        if let testURL {
            let testTable = try ARFFReader.parse([UInt8](try readDatasetFile(testURL, within: dataDirectory)), file: testURL.path)
            guard testTable.attributes == table.attributes else {
                throw DatasetError(file: testURL.path, "its attributes differ from the train file \(trainURL.lastPathComponent)'s")
            }
            (train, test) = (all, try split(testTable, file: testURL.path))
        } else {
            (train, test) = try holdout(all, fraction: testFraction, seed: seed, file: trainURL.path)
        }
        let imputed = encoder.encode(train: &train, test: &test)
        var dataset = Dataset(name: table.relation.isEmpty ? trainURL.deletingPathExtension().lastPathComponent : table.relation,
                              train: train, test: test, imageShape: nil, classNames: classNames,
                              featureNames: encoder.featureNames, hasOfficialTestSplit: testURL != nil)
        dataset.imputedValues = imputed.train + imputed.test
        dataset.droppedColumns = dropped
        return dataset
    }
}
