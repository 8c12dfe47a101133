import Testing
@testable import SSCLEngine

@Suite struct CSVReaderTests {
    private func parse(_ text: String) throws -> CSVReader.Table {
        try CSVReader.parse(Array(text.utf8), file: "t.csv")
    }

    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let table = try parse("a,b,c\n1,\"x, y\",3\n\"say \"\"hi\"\"\",\"two\nlines\",  6 \n")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == [["1", "x, y", "3"], ["say \"hi\"", "two\nlines", "6"]])
        #expect(table.lines == [2, 3])
    }

    @Test func lineNumbersCountBlankLinesAndQuotedNewlines() throws {
        let table = try parse("a,b\r\n1,2\r\n\r\n\"p\nq\",4\n5,6")
        #expect(table.rows == [["1", "2"], ["p\nq", "4"], ["5", "6"]])
        #expect(table.lines == [2, 4, 6])
        #expect(table.headerLine == 1)
    }

    @Test func byteOrderMarkAndEmptyFieldsAreHandled() throws {
        let table = try parse("\u{FEFF}x,y\n,1\n2,\n")
        #expect(table.header == ["x", "y"])
        #expect(table.rows == [["", "1"], ["2", ""]])
    }

    @Test func malformedFilesAreErrorsWithTheRow() {
        let open = #expect(throws: DatasetError.self) { try parse("a,b\n1,2\n3,\"oops\n") }
        #expect(open?.row == 3)
        let after = #expect(throws: DatasetError.self) { try parse("a,b\n\"1\"x,2\n") }
        #expect(after?.row == 2)
        #expect(throws: DatasetError.self) { try parse("") }
        let duplicate = #expect(throws: DatasetError.self) { try parse("a,a\n1,2\n") }
        #expect(duplicate?.problem.contains("'a' appears twice") == true)
    }
}
