/// How predicted and gold result rows are compared.
public enum SQLComparison: String, Sendable, CaseIterable {
    /// BIRD: equal row sets (duplicates and row order ignored, column order kept).
    case bird
    /// Spider test-suite `result_eq`: equal row bags under some column permutation; row order
    /// matters only when the gold query has ORDER BY.
    case spider

    public func matches(pred: SQLResult, gold: SQLResult, goldSQL: String) -> Bool {
        switch self {
        case .bird:
            return Set(pred.rows) == Set(gold.rows)
        case .spider:
            return SQLComparison.spiderEqual(pred.rows, gold.rows, columns: (pred.columns, gold.columns),
                                             orderMatters: SQLComparison.hasOrderBy(goldSQL))
        }
    }

    static func hasOrderBy(_ sql: String) -> Bool {
        let words = sql.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
        return zip(words, words.dropFirst()).contains { $0 == "order" && $1 == "by" }
    }

    static func bag(_ rows: [[SQLValue]]) -> [[SQLValue]: Int] {
        var b: [[SQLValue]: Int] = [:]
        for r in rows { b[r, default: 0] += 1 }
        return b
    }

    static func spiderEqual(_ p: [[SQLValue]], _ g: [[SQLValue]], columns: (Int, Int), orderMatters: Bool) -> Bool {
        if p.isEmpty && g.isEmpty { return true }
        guard p.count == g.count, columns.0 == columns.1 else { return false }
        let n = columns.1
        // Candidate pred columns for each gold column: same multiset of values.
        func colValues(_ rows: [[SQLValue]], _ j: Int) -> [SQLValue] { rows.map { $0[j] }.sorted() }
        let gcols = (0..<n).map { colValues(g, $0) }, pcols = (0..<n).map { colValues(p, $0) }
        let candidates = (0..<n).map { j in (0..<n).filter { pcols[$0] == gcols[j] } }
        if candidates.contains(where: \.isEmpty) { return false }
        let gBag = orderMatters ? [:] : bag(g)
        var perm = [Int](repeating: -1, count: n)
        var used = [Bool](repeating: false, count: n)
        var tried = 0
        func check() -> Bool {
            let q = p.map { row in perm.map { row[$0] } }
            return orderMatters ? q == g : bag(q) == gBag
        }
        func search(_ j: Int) -> Bool {
            if j == n { tried += 1; return check() }
            if tried > 10_000 { return false }  // bounded, like the reference's pruning
            for c in candidates[j] where !used[c] {
                used[c] = true; perm[j] = c
                if search(j + 1) { return true }
                used[c] = false
            }
            return false
        }
        return search(0)
    }
}
