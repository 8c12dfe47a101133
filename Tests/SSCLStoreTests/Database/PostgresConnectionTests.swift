import Foundation
import Testing
@testable import SSCLStore

/// What needs no server: SQLite's placeholders rewritten for PostgreSQL, and values to and
/// from PostgreSQL's text format.
@Suite struct PostgresConnectionTests {
    private func rewrite(_ sql: String) -> String { PostgresConnection.rewritePlaceholders(sql).sql }
    private func count(_ sql: String) -> Int { PostgresConnection.rewritePlaceholders(sql).count }

    @Test func numbersBarePlaceholdersInOrder() {
        #expect(rewrite("SELECT * FROM job WHERE id = ? AND status = ? LIMIT ?") == "SELECT * FROM job WHERE id = $1 AND status = $2 LIMIT $3")
        #expect(count("SELECT * FROM job WHERE id = ? AND status = ? LIMIT ?") == 3)
        #expect(rewrite("VALUES (?, ?), (?, ?)") == "VALUES ($1, $2), ($3, $4)")
        #expect(count("SELECT 1") == 0 && rewrite("SELECT 1") == "SELECT 1")
    }

    @Test func numberedPlaceholdersRepeatAndBareOnesFollowTheHighest() {
        #expect(rewrite("priority > ?1 OR (priority = ?1 AND created_at < ?2) AND id < ?3") == "priority > $1 OR (priority = $1 AND created_at < $2) AND id < $3")
        #expect(count("?1 ?1 ?2") == 2)
        // SQLite's rule: a bare ? takes the number after the largest so far.
        #expect(rewrite("? ?3 ?") == "$1 $3 $4" && count("? ?3 ?") == 4)
        #expect(rewrite("?12") == "$12" && count("?12") == 12)
    }

    @Test func leavesQuotesAndCommentsAlone() {
        #expect(rewrite("SELECT 'a?b', \"c?\" FROM t WHERE x = ?") == "SELECT 'a?b', \"c?\" FROM t WHERE x = $1")
        #expect(rewrite("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1")
        #expect(rewrite("SELECT \"a\"\"?\", ?") == "SELECT \"a\"\"?\", $1")
        #expect(rewrite("SELECT ? -- why?\n, ? /* ? */, ?") == "SELECT $1 -- why?\n, $2 /* ? */, $3")
        #expect(rewrite("SELECT $$ ? $$, $tag$ it's ? $tag$, ?") == "SELECT $$ ? $$, $tag$ it's ? $tag$, $1")
        #expect(rewrite("SELECT 'é?', ?, 'ü'") == "SELECT 'é?', $1, 'ü'")
        // An unterminated literal is copied as is (the server reports the syntax error).
        #expect(rewrite("SELECT 'open ?") == "SELECT 'open ?")
    }

    @Test func parametersAreTextInPostgreSQLsSpelling() {
        #expect(PostgresConnection.text(.null) == nil)
        #expect(PostgresConnection.text(.integer(-42)) == "-42")
        #expect(PostgresConnection.text(.integer(.max)) == "9223372036854775807")
        #expect(PostgresConnection.text(.real(0.1)) == "0.1")
        for value in [1e-300, 0.1 + 0.2, -123456.789, Double.leastNonzeroMagnitude, 1e300] {
            #expect(Double(PostgresConnection.text(.real(value)) ?? "") == value, "\(value) survives the text round trip")
        }
        #expect(PostgresConnection.text(.real(.infinity)) == "Infinity")
        #expect(PostgresConnection.text(.real(-.infinity)) == "-Infinity")
        #expect(PostgresConnection.text(.real(.nan)) == "NaN")
        #expect(PostgresConnection.text(.text("a\0b")) == "a\u{FFFD}b", "PostgreSQL text holds no NUL")
        #expect(PostgresConnection.text(.text("€ \"x\"")) == "€ \"x\"")
    }

    @Test func resultsDecodeByColumnType() {
        #expect(PostgresConnection.decode("9223372036854775807", type: 20) == .integer(.max))
        #expect(PostgresConnection.decode("-5", type: 21) == .integer(-5))
        #expect(PostgresConnection.decode("7", type: 23) == .integer(7))
        #expect(PostgresConnection.decode("0.1", type: 701) == .real(0.1))
        #expect(PostgresConnection.decode("1.5", type: 700) == .real(1.5))
        #expect(PostgresConnection.decode("12.50", type: 1700) == .real(12.5))
        #expect(PostgresConnection.decode("Infinity", type: 701) == .real(.infinity))
        #expect(PostgresConnection.decode("-Infinity", type: 701) == .real(-.infinity))
        guard case .real(let nan) = PostgresConnection.decode("NaN", type: 701) else { Issue.record("NaN is not real"); return }
        #expect(nan.isNaN)
        #expect(PostgresConnection.decode("t", type: 16) == .integer(1))
        #expect(PostgresConnection.decode("f", type: 16) == .integer(0))
        #expect(PostgresConnection.decode("42", type: 25) == .text("42"), "text stays text")
        #expect(PostgresConnection.decode("{\"a\":1}", type: 114) == .text("{\"a\":1}"), "json is text")
    }
}
