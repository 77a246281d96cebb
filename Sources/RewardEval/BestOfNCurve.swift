import RewardCore

/// One sampled response in a Best-of-N pool.
public struct PoolCandidate: Sendable, Hashable {
    /// Reward-model score; nil when the pool was not scored (argmax/weighted vote skipped).
    public var score: Double?
    public var correct: Bool
    /// Canonical answer key for voting (equivalent answers share a key); nil = no answer.
    public var answerKey: String?

    public init(score: Double?, correct: Bool, answerKey: String?) {
        self.score = score
        self.correct = correct
        self.answerKey = answerKey
    }
}

public struct CandidatePool: Sendable, Hashable {
    public var id: String?
    public var candidates: [PoolCandidate]
    public init(id: String? = nil, candidates: [PoolCandidate]) { self.id = id; self.candidates = candidates }
}

/// Selection rules compared by Best-of-N curves.
public enum BoNMethod: String, Sendable, CaseIterable {
    case random
    case rmArgmax = "rm_argmax"
    case majority = "majority_vote"
    case weightedVote = "rm_weighted_vote"
    case oracle = "oracle_pass_at_n"
}

/// accuracy@N for a pool of n candidates per problem, averaged over *all* N-subsets of
/// the pool (the unbiased estimate of drawing N fresh samples from the same policy):
/// - random: c/n for every N;
/// - RM-argmax: exact, from the order statistics of the scores (ties broken uniformly);
/// - oracle pass@N: 1 − C(n−c, N)/C(n, N);
/// - majority / RM-weighted vote (sum of scores per answer): exact enumeration of the
///   N-subsets when there are at most `enumerationLimit` of them, else the mean over
///   `samples` seeded random subsets. A tie between top answers pays the fraction of the
///   tied answers that are correct (uniform tie-break); candidates without an answer do
///   not vote, and a subset with no answers scores 0.
public enum BestOfNCurve {
    public static let enumerationLimit = 5000

    public static func defaultNs(maxPool: Int) -> [Int] {
        var ns: [Int] = []
        var n = 1
        while n <= maxPool { ns.append(n); n *= 2 }
        if let last = ns.last, last != maxPool, maxPool > 0 { ns.append(maxPool) }
        return ns
    }

    public static func random(_ pool: CandidatePool) -> Double {
        let c = pool.candidates
        return c.isEmpty ? .nan : Double(c.filter(\.correct).count) / Double(c.count)
    }

    public static func oracle(_ pool: CandidatePool, n: Int) -> Double {
        let c = pool.candidates
        return PassAtK.estimate(n: c.count, c: c.filter(\.correct).count, k: n)
    }

    public static func argmax(_ pool: CandidatePool, n: Int) -> Double {
        let scores = pool.candidates.map { $0.score ?? -.infinity }
        let (order, groups) = Combinatorics.descendingOrder(scores)
        let vals = order.map { pool.candidates[$0].correct ? 1.0 : 0.0 }
        return Combinatorics.expectedTop(values: vals, tieGroups: groups, k: n)
    }

    /// Vote outcome of one subset.
    static func vote(_ idx: [Int], keys: [Int], weights: [Double]?, clusterCorrect: [Double], clusters: Int,
                     tally: inout [Double]) -> Double
    {
        for i in 0..<clusters { tally[i] = 0 }
        var any = false
        for i in idx where keys[i] >= 0 {
            tally[keys[i]] += weights?[i] ?? 1
            any = true
        }
        guard any else { return 0 }
        var best = -Double.infinity
        var sum = 0.0, cnt = 0.0
        var seen = [Bool](repeating: false, count: clusters)
        for i in idx where keys[i] >= 0 && !seen[keys[i]] {
            seen[keys[i]] = true
            let t = tally[keys[i]]
            if t > best { best = t; sum = clusterCorrect[keys[i]]; cnt = 1 } else if t == best { sum += clusterCorrect[keys[i]]; cnt += 1 }
        }
        return sum / cnt
    }

    public static func vote(_ pool: CandidatePool, n: Int, weighted: Bool, samples: Int, seed: UInt64) -> Double {
        let cands = pool.candidates
        let m = cands.count
        guard n <= m, n > 0 else { return .nan }
        var keyIndex: [String: Int] = [:]
        var correctSum: [Double] = [], members: [Double] = []
        var keys = [Int](repeating: -1, count: m)
        for (i, c) in cands.enumerated() {
            guard let k = c.answerKey else { continue }
            let id: Int
            if let j = keyIndex[k] { id = j } else { id = keyIndex.count; keyIndex[k] = id; correctSum.append(0); members.append(0) }
            keys[i] = id
            correctSum[id] += c.correct ? 1 : 0
            members[id] += 1
        }
        // An answer cluster is as correct as its members say (they agree when the oracle
        // is consistent; a split cluster counts fractionally).
        let clusterCorrect = zip(correctSum, members).map { $0 / $1 }
        let weights: [Double]? = weighted ? cands.map { $0.score ?? 0 } : nil
        var tally = [Double](repeating: 0, count: keyIndex.count)
        let total = Combinatorics.choose(m, n)
        var s = 0.0, count = 0.0
        if total <= Double(enumerationLimit) {
            Combinatorics.forEachSubset(n: m, k: n) { idx in
                s += vote(idx, keys: keys, weights: weights, clusterCorrect: clusterCorrect, clusters: keyIndex.count, tally: &tally)
                count += 1
            }
        } else {
            var g = SeededGenerator(seed: seed)
            var perm = Array(0..<m)
            var idx = [Int](repeating: 0, count: n)
            for _ in 0..<samples {
                for j in 0..<n {
                    let r = j + g.index(m - j)
                    perm.swapAt(j, r)
                    idx[j] = perm[j]
                }
                s += vote(idx, keys: keys, weights: weights, clusterCorrect: clusterCorrect, clusters: keyIndex.count, tally: &tally)
                count += 1
            }
        }
        return s / count
    }

    public static func evaluate(_ pools: [CandidatePool], ns: [Int]? = nil, samples: Int = 500,
                                bootstrap: BootstrapOptions = .init(), progress: ((Int) -> Void)? = nil) -> BoNReport
    {
        let maxPool = pools.map(\.candidates.count).max() ?? 0
        let grid = ns ?? defaultNs(maxPool: maxPool)
        let scored = !pools.isEmpty && pools.allSatisfy { $0.candidates.allSatisfy { $0.score != nil } }
        let methods: [BoNMethod] = scored ? BoNMethod.allCases : [.random, .majority, .oracle]
        var curves: [BoNMethod: [BoNReport.Point]] = [:]
        var perProblem: [BoNMethod: [[Double]]] = [:]
        for m in methods { perProblem[m] = Array(repeating: [], count: grid.count) }
        for (pi, pool) in pools.enumerated() {
            for (j, n) in grid.enumerated() where n <= pool.candidates.count {
                for m in methods {
                    let v: Double
                    switch m {
                    case .random: v = random(pool)
                    case .oracle: v = oracle(pool, n: n)
                    case .rmArgmax: v = argmax(pool, n: n)
                    case .majority: v = vote(pool, n: n, weighted: false, samples: samples, seed: bootstrap.seed &+ UInt64(pi))
                    case .weightedVote: v = vote(pool, n: n, weighted: true, samples: samples, seed: bootstrap.seed &+ UInt64(pi))
                    }
                    perProblem[m]![j].append(v)
                }
            }
            progress?(pi + 1)
        }
        for m in methods {
            curves[m] = grid.enumerated().map { j, n in
                // One seed for every method and N: the same problems are resampled for all
                // curves, so their CIs are paired and the curves can be compared point by point.
                let vals = perProblem[m]![j]
                return BoNReport.Point(n: n, problems: vals.count, accuracy: Bootstrap.mean(vals, options: bootstrap))
            }
        }
        return BoNReport(problems: pools.count, candidates: pools.map(\.candidates.count).reduce(0, +), ns: grid,
                         methods: methods, curves: curves, bootstrap: bootstrap)
    }
}

public struct BoNReport: Sendable {
    public struct Point: Sendable {
        public var n: Int
        /// Problems whose pool has at least n candidates.
        public var problems: Int
        public var accuracy: ConfidenceInterval
    }

    public var problems: Int
    public var candidates: Int
    public var ns: [Int]
    public var methods: [BoNMethod]
    public var curves: [BoNMethod: [Point]]
    public var bootstrap: BootstrapOptions
    /// Free-form provenance (oracle used, scorer) filled by the caller.
    public var notes: JSONObject = JSONObject()

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "bon"
        o["problems"] = .number(Double(problems))
        o["candidates"] = .number(Double(candidates))
        o["ns"] = .array(ns.map { .number(Double($0)) })
        o["curves"] = .object(JSONObject(methods.map { m in
            JSONMember(m.rawValue, .array(curves[m]!.map {
                ["n": .number(Double($0.n)), "accuracy": .number($0.accuracy.estimate), "ci": $0.accuracy.json,
                 "problems": .number(Double($0.problems))]
            }))
        }))
        for m in notes { o[m.key] = m.value }
        o["note"] = "BoN curves are computed by rewardkit, not by a benchmark's code; every method and N resamples the same problems (paired CIs)"
        o["bootstrap"] = bootstrap.json
        return .object(o)
    }
}
