import Testing
@testable import SSCLEngine

@Suite struct DatasetErrorTests {
    @Test func descriptionPutsTheLocationFirst() {
        #expect(DatasetError(file: "a.csv", row: 5, column: "age", "'x' is not a finite number").description
                == "a.csv, row 5, column 'age': 'x' is not a finite number")
        #expect(DatasetError(file: "f", "bad").description == "f: bad")
        #expect(DatasetError("trainLimit must be at least 1").description == "trainLimit must be at least 1")
    }
}
