import ArgumentParser
import Foundation
import SSCLStore

extension SweepDocument {
    /// "3/4 finished (succeeded 2, pruned 1, running 1)": the nonzero statuses in the job
    /// lifecycle's order.
    var progressText: String {
        let known = JobStatus.allCases.map(\.rawValue)
        let order = known + progress.byStatus.keys.filter { !known.contains($0) }.sorted()
        let counts = order.compactMap { status in
            progress.byStatus[status].flatMap { $0 > 0 ? "\(status) \($0)" : nil }
        }
        return "\(progress.finished)/\(progress.trials) finished" + (counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))")
    }

    /// One field per line, then the leaderboard table.
    var details: String {
        var lines = ["id:        \(id)", "name:      \(name)", "status:    \(status)", "progress:  \(progressText)",
                     "metric:    \(metric.name) (\(metric.goal))"]
        if let createdAt { lines.append("created:   \(createdAt)") }
        if let finishedAt { lines.append("finished:  \(finishedAt)") }
        var text = lines.joined(separator: "\n") + "\n"
        if let leaderboard {
            text += "\n" + (leaderboard.isEmpty ? "(no configurations)\n" : Self.table(leaderboard))
        }
        return text
    }

    /// The exit status of a command that waited for the sweep: 0 finished, 1 otherwise (cancelled).
    var exitCode: ExitCode { status == "finished" ? .success : .failure }

    /// RANK, PARAMETERS, SEEDS, PRUNED, MEAN ± STD, 95% CI, P VS BEST (and ASHA when any row has a
    /// standing) in aligned columns, in the server's order (best first).
    static func table(_ rows: [Row]) -> String {
        let withASHA = rows.contains { $0.asha != nil }
        var header = ["RANK", "PARAMETERS", "SEEDS", "PRUNED", "MEAN ± STD", "95% CI", "P VS BEST"]
        if withASHA { header.append("ASHA") }
        var cells = [header]
        for (index, row) in rows.enumerated() {
            var line = [String(index + 1), parameters(row.parameters), String(row.finishedSeeds), String(row.prunedSeeds ?? 0),
                        meanText(row), ciText(row), comparison(row)]
            if withASHA { line.append(row.asha.map(standing) ?? "-") }
            cells.append(line)
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { column, cell in
                column == line.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }

    /// "loss.beta=0.5, loss.kind=sscl", sorted by path (the JSON object has no order).
    static func parameters(_ values: [String: Value]) -> String {
        values.isEmpty ? "-" : values.keys.sorted().map { "\($0)=\(text(values[$0]!))" }.joined(separator: ", ")
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case let .bool(b): return String(b)
        case let .number(n): return number(n)
        case let .string(s): return s
        case let .array(a): return "[" + a.map(text).joined(separator: ",") + "]"
        case let .object(o): return "{" + o.keys.sorted().map { "\($0):\(text(o[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// Whole numbers without ".0" (a seed, a layer width); others as their shortest text.
    static func number(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
    }

    static func meanText(_ row: Row) -> String {
        guard let mean = row.mean else { return "-" }
        guard let std = row.std else { return String(format: "%.4f", mean) }
        return String(format: "%.4f ± %.4f", mean, std)
    }

    static func ciText(_ row: Row) -> String {
        guard let ci = row.ci95, ci.count == 2 else { return "-" }
        return String(format: "[%.4f, %.4f]", ci[0], ci[1])
    }

    /// "best" for the best; else Welch's p-value, with "≈ best" when the server finds the two
    /// indistinguishable.
    static func comparison(_ row: Row) -> String {
        if row.best { return "best" }
        var text = row.pValue.map { $0 < 0.001 ? "<0.001" : String(format: "%.3f", $0) } ?? "-"
        if row.indistinguishableFromBest { text += " ≈ best" }
        return text
    }

    /// "prune at rung 0 (epoch 1, mean 0.8100)".
    static func standing(_ s: Standing) -> String {
        var facts: [String] = []
        if let epoch = s.epoch { facts.append("epoch \(epoch)") }
        facts.append("mean " + (s.mean.map { String(format: "%.4f", $0) } ?? "not finite"))
        return "\(s.decision) at rung \(s.rung) (\(facts.joined(separator: ", ")))"
    }
}
