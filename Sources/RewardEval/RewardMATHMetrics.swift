import RewardCore

/// RewardMATH one-correct-vs-many-incorrect evaluation, as its code computes it
/// (kimsh0507/RewardMATH_official `src/evaluation/eval.py`; checked by
/// Tests/Fixtures/benchref/rewardmath.json, see `BenchmarkReference`).
/// accuracy-vs-all: the correct solution scores strictly above every incorrect one.
/// MRR: mean of 1/rank of the correct solution among all. Ties rank it *below* every
/// incorrect solution with the same score (the benchmark sorts by (score, tag) with
/// "rej" > "cho"), so a scorer that returns a constant gets 1/(incorrect + 1), not 1.
/// A NaN score is ranked below every number (Python's sort order with NaN is undefined).
public enum RewardMATHMetrics {
    public static func reciprocalRank(correct: Double, incorrect: [Double]) -> Double {
        if correct.isNaN { return 1 / Double(incorrect.count + 1) }
        let atOrAbove = incorrect.filter { $0 >= correct }.count
        return 1 / Double(atOrAbove + 1)
    }

    public static func evaluate(_ items: [ScoredCandidates], bootstrap: BootstrapOptions = .init()) -> RewardMATHReport {
        var acc: [Double] = [], rr: [Double] = []
        for it in items {
            guard let c = it.chosen.first, !it.rejected.isEmpty else { continue }
            acc.append(c > it.rejected.max()! ? 1 : 0)
            rr.append(reciprocalRank(correct: c, incorrect: it.rejected))
        }
        // Same seed: accuracy and MRR come from the same resampled problems (paired).
        return RewardMATHReport(n: acc.count, accuracy: Bootstrap.mean(acc, options: bootstrap), mrr: Bootstrap.mean(rr, options: bootstrap),
                                bootstrap: bootstrap)
    }
}

public struct RewardMATHReport: Sendable {
    public var n: Int
    public var accuracy: ConfidenceInterval
    public var mrr: ConfidenceInterval
    public var bootstrap: BootstrapOptions

    public var json: JSONValue {
        ["benchmark": "rewardmath", "n": .number(Double(n)), "accuracy": .number(accuracy.estimate), "accuracy_ci": accuracy.json,
         "mrr": .number(mrr.estimate), "mrr_ci": mrr.json, "bootstrap": bootstrap.json,
         "checked_against": BenchmarkReference.rewardMATH.json]
    }
}
