/// A dataset that cannot be loaded, said so the user can fix it: which file, where in it
/// (row and column for CSV, 1-based as an editor shows them) and what is wrong.
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or folder) at fault, as resolved; nil when the problem is the spec itself.
    public var file: String?
    /// 1-based line of a CSV row (the header is row 1).
    public var row: Int?
    /// CSV column name.
    public var column: String?
    /// What is wrong, in a few words.
    public var problem: String

    public init(file: String? = nil, row: Int? = nil, column: String? = nil, _ problem: String) {
        self.file = file
        self.row = row
        self.column = column
        self.problem = problem
    }

    /// `file.csv, row 5, column 'age': 'abc' is not a number`.
    public var description: String {
        var location: [String] = []
        if let file { location.append(file) }
        if let row { location.append("row \(row)") }
        if let column { location.append("column '\(column)'") }
        return location.isEmpty ? problem : location.joined(separator: ", ") + ": " + problem
    }
}
