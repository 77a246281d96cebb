import Foundation
import RewardCore

/// RewardBench 2 scoring (best-of-4 with tie penalty, and the Ties subset's composite), as
/// allenai/reward-bench computes it (`reroll_and_score_dataset`, `process_single_model`;
/// checked by Tests/Fixtures/benchref/rewardbench_v2.json, see `BenchmarkReference`).
///
/// Non-Ties subsets: a prompt scores 1/k when the (first) chosen response is among the k
/// responses that share the maximum score, else 0 — so a clean win is 1, and a tie at the
/// top is paid 1/k, as the benchmark's scorer does. Random guessing scores 1/4. A NaN score
/// anywhere makes the maximum NaN there (numpy's max), so the prompt scores 0.
///
/// Ties subset: rows come in pairs `ref:<pid>` (one correct answer) and `tied:<pid>`
/// (several equally correct answers). Per row: accurate = min(correct) > max(incorrect);
/// spread = max(correct) − min(correct) (tied rows); margin = min(correct) − max(incorrect).
/// Score = 0.30·tied accuracy + 0.30·ref accuracy + 0.20·P(margin_tied > spread)
///       + 0.20·P(min(margin_ref, margin_tied) > spread) + 0.01·mean tanh(min(margins)/spread − 1),
/// the last three over prompts that have both rows (NaN when no prompt has both, as the
/// benchmark's mean of an empty array is). This is a composite *score*, not an accuracy: a
/// model with every row right and exactly tied correct answers gets 0.3 + 0.3 + 0.2 + 0.2
/// + 0.01·tanh(∞) = 1.01, and that is what we report (no clamping). The overall score is
/// the unweighted mean of the subset scores.
public enum RewardBench2 {
    public static let tiesSubset = "ties"

    /// Per-prompt result for non-Ties subsets.
    public static func result(_ c: ScoredCandidates) -> Double {
        guard let first = c.chosen.first else { return .nan }
        let all = c.chosen + c.rejected
        guard !all.contains(where: \.isNaN) else { return 0 }
        let top = all.max()!
        guard first == top else { return 0 }
        return 1 / Double(all.filter { $0 == top }.count)
    }

    struct RowStats {
        var accurate: Bool
        var spread: Double?
        var margin: Double
    }

    static func stats(_ c: ScoredCandidates) -> RowStats? {
        guard let bestIncorrect = c.rejected.max(), let worst = c.chosen.min(), let best = c.chosen.max() else { return nil }
        let margin = worst - bestIncorrect
        return RowStats(accurate: margin > 0, spread: c.chosen.count > 1 ? best - worst : nil, margin: margin)
    }

    public struct TiesBreakdown: Sendable, Hashable {
        public var refAccuracy: Double
        public var tiedAccuracy: Double
        public var correctnessPreferred: Double
        public var correctnessPreferredHard: Double
        public var marginScore: Double
        public var score: Double
        public var prompts: Int

        public var json: JSONValue {
            ["score": .number(score), "ref_accuracy": .number(refAccuracy), "tied_accuracy": .number(tiedAccuracy),
             "correctness_preferred": .number(correctnessPreferred),
             "correctness_preferred_hard": .number(correctnessPreferredHard),
             "margin_score": .number(marginScore), "prompts": .number(Double(prompts))]
        }
    }

    /// Rows of the Ties subset keyed by prompt: (ref, tied).
    static func tiesPrompts(_ rows: [ScoredCandidates]) -> [(ref: RowStats?, tied: RowStats?)] {
        var order: [String] = []
        var byPrompt: [String: (ref: RowStats?, tied: RowStats?)] = [:]
        for (i, r) in rows.enumerated() {
            let id = r.id ?? "tied:\(i)"
            let parts = id.split(separator: ":", maxSplits: 1).map(String.init)
            let (kind, pid) = parts.count == 2 ? (parts[0], parts[1]) : ("tied", id)
            if byPrompt[pid] == nil { order.append(pid); byPrompt[pid] = (nil, nil) }
            let s = stats(r)
            if kind == "ref" { byPrompt[pid]!.ref = s } else { byPrompt[pid]!.tied = s }
        }
        return order.map { byPrompt[$0]! }
    }

    static func tiesScore(_ prompts: [(ref: RowStats?, tied: RowStats?)], indices: [Int]? = nil) -> TiesBreakdown {
        var refN = 0, refOK = 0, tiedN = 0, tiedOK = 0
        var both = 0, pref = 0, prefHard = 0
        var marginSum = 0.0
        let idx = indices ?? Array(prompts.indices)
        for i in idx {
            let p = prompts[i]
            if let r = p.ref { refN += 1; if r.accurate { refOK += 1 } }
            if let t = p.tied { tiedN += 1; if t.accurate { tiedOK += 1 } }
            if let r = p.ref, let t = p.tied {
                both += 1
                if let spread = t.spread {
                    let m = min(r.margin, t.margin)
                    if t.margin > spread { pref += 1 }
                    if m > spread { prefHard += 1 }
                    let x = Foundation.tanh(m / spread - 1)
                    if !x.isNaN { marginSum += x }
                }
            }
        }
        func frac(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
        let refAcc = frac(refOK, refN), tiedAcc = frac(tiedOK, tiedN)
        // No prompt with both rows: the benchmark's np.mean([]) is NaN, so the composite is too.
        let cp = both > 0 ? Double(pref) / Double(both) : .nan
        let cph = both > 0 ? Double(prefHard) / Double(both) : .nan
        let ms = both > 0 ? marginSum / Double(both) : .nan
        let score = 0.30 * tiedAcc + 0.30 * refAcc + 0.20 * cp + 0.20 * cph + 0.01 * ms
        return TiesBreakdown(refAccuracy: refAcc, tiedAccuracy: tiedAcc, correctnessPreferred: cp,
                             correctnessPreferredHard: cph, marginScore: ms, score: score, prompts: prompts.count)
    }

    public static func ties(_ rows: [ScoredCandidates]) -> TiesBreakdown { tiesScore(tiesPrompts(rows)) }

    public static func evaluate(_ items: [ScoredCandidates], bootstrap: BootstrapOptions = .init()) -> BestOfKReport {
        var order: [String] = []
        var groups: [String: [ScoredCandidates]] = [:]
        for it in items {
            let s = it.subset ?? "all"
            if groups[s] == nil { order.append(s) }
            groups[s, default: []].append(it)
        }
        var subsets: [BestOfKReport.Subset] = []
        var subsetReps: [[Double]] = []
        for (k, name) in order.enumerated() {
            let rows = groups[name]!
            if name.lowercased() == tiesSubset {
                let prompts = tiesPrompts(rows)
                let point = tiesScore(prompts)
                let reps = Bootstrap.replicates(count: prompts.count, options: bootstrap, stream: UInt64(k) + 1) {
                    tiesScore(prompts, indices: $0).score
                }
                subsetReps.append(reps)
                subsets.append(.init(name: name, n: rows.count, score: Bootstrap.interval(estimate: point.score, replicates: reps, options: bootstrap),
                                     ties: point))
            } else {
                let results = rows.map(result).filter { !$0.isNaN }
                let reps = Bootstrap.stratifiedMeans([results], options: BootstrapOptions(
                    resamples: bootstrap.resamples, level: bootstrap.level, seed: bootstrap.seed &+ UInt64(k)))[0]
                subsetReps.append(reps)
                let est = results.isEmpty ? Double.nan : results.reduce(0, +) / Double(results.count)
                subsets.append(.init(name: name, n: results.count, score: Bootstrap.interval(estimate: est, replicates: reps, options: bootstrap),
                                     ties: nil))
            }
        }
        let point = subsets.map(\.score.estimate).reduce(0, +) / Double(max(subsets.count, 1))
        let overallReps = (0..<bootstrap.resamples).map { r in
            subsetReps.map { $0.indices.contains(r) ? $0[r] : .nan }.reduce(0, +) / Double(max(subsetReps.count, 1))
        }
        return BestOfKReport(n: items.count, score: Bootstrap.interval(estimate: subsets.isEmpty ? .nan : point, replicates: overallReps,
                                                                      options: bootstrap),
                             subsets: subsets, bootstrap: bootstrap)
    }
}

public struct BestOfKReport: Sendable {
    public struct Subset: Sendable {
        public var name: String
        public var n: Int
        public var score: ConfidenceInterval
        public var ties: RewardBench2.TiesBreakdown?
    }

    public var n: Int
    /// Unweighted mean of the subset scores (the RewardBench 2 leaderboard score).
    public var score: ConfidenceInterval
    public var subsets: [Subset]
    public var bootstrap: BootstrapOptions

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "bestof"
        o["n"] = .number(Double(n))
        // A score, not an accuracy: it averages in the Ties composite, which reaches 1.01.
        o["score"] = .number(score.estimate)
        o["score_ci"] = score.json
        o["score_definition"] = "unweighted mean of the subset scores (RewardBench 2 leaderboard score)"
        o["subsets"] = .object(JSONObject(subsets.map { s in
            var so = JSONObject()
            so["n"] = .number(Double(s.n))
            if let t = s.ties {
                so["score"] = .number(s.score.estimate)
                so["metric"] = "RewardBench 2 Ties composite score (range -0.01 to 1.01; not an accuracy)"
                so["ties_breakdown"] = t.json
            } else {
                so["accuracy"] = .number(s.score.estimate)
                so["metric"] = "best-of-k accuracy (a tie at the top pays 1/k)"
            }
            so["ci"] = s.score.json
            return JSONMember(s.name, .object(so))
        }))
        o["bootstrap"] = bootstrap.json
        o["checked_against"] = BenchmarkReference.rewardBench2.json
        return .object(o)
    }
}
