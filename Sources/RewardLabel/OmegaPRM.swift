import Foundation

/// OmegaPRM (arXiv 2406.06592; openr `omegaPRM_v2`) applied to given solutions:
/// 1. binary search for the given solution's first error: MC(prefix) = 0 → the error is at or before
///    it, else after it — about k·log₂K rollouts instead of MC's k·(K−1);
/// 2. with the rest of the per-question rollout budget, the paper's tree search: rollouts from the
///    root, wrong rollouts of nodes with 0 < MC < 1 go to a pool, the pool entry maximizing
///    Q + U (Q = α^(1−MC(s))·β^(len(r)/L), U = c_puct·√ΣN/(1+N(s))) is binary-searched next. Every
///    estimated prefix becomes an extra labeled row (`tree`).
/// A correct final answer ends the search for that solution with no error (OmegaPRM only searches
/// wrong rollouts).
public struct OmegaPRM: Sendable {
    public let estimator: RolloutEstimator

    public init(estimator: RolloutEstimator) { self.estimator = estimator }

    /// A prefix the tree search valued: its text after the prompt and its MC value.
    public struct TreeRow: Sendable, Hashable {
        public var node: String
        public var prefix: String
        public var value: Double
    }

    public struct Result: Sendable, Hashable {
        public var labels: StepLabels
        public var tree: [TreeRow]
        public var searches: Int
    }

    struct PoolEntry {
        var node: PrefixNode
        var nodeValue: Double
        var rolloutIndex: Int
        var rolloutText: String
    }

    /// Q + U for a pool entry (the paper's selection rule).
    public static func priority(nodeValue: Double, rolloutWords: Int, visits: Int, totalVisits: Int,
                                alpha: Double, beta: Double, lengthScale: Double, cPuct: Double) -> Double {
        let q = pow(alpha, 1 - nodeValue) * pow(beta, Double(rolloutWords) / lengthScale)
        let u = cPuct * Double(totalVisits).squareRoot() / Double(1 + visits)
        return q + u
    }

    /// Positions `binarySearch` visits for a first error among steps 1…n (the value of step n+1 known
    /// wrong): returns the first step whose prefix is wrong, or n+1. `isWrong(i)` estimates prefix i.
    public static func binarySearch(steps n: Int, isWrong: (Int) async throws -> Bool?) async rethrows -> (firstError: Int, complete: Bool) {
        var lo = 1, hi = n, first = n + 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            guard let wrong = try await isWrong(mid) else { return (first, false) }
            if wrong { first = mid; hi = mid - 1 } else { lo = mid + 1 }
        }
        return (first, true)
    }

    public func label(_ problem: LabelProblem) async throws -> Result {
        let p = estimator.parameters
        let k = p.rollouts
        let prompt = estimator.prompt(for: problem)
        var used = 0, tokens = 0
        var tree: [TreeRow] = []
        func estimate(_ node: PrefixNode) async throws -> NodeEstimate {
            let e = try await estimator.estimate([node], problem: problem, prompt: prompt)[0]
            used += e.rollouts.count
            tokens += e.rollouts.reduce(0) { $0 + $1.tokens }
            return e
        }
        let isWrongValue = { (v: Double) in v <= p.hardThreshold }

        // 1. The given solution.
        let K = problem.steps.count
        var soft = [Double?](repeating: nil, count: K)
        var counts = [Int](repeating: 0, count: K)
        var firstError = -1
        if estimator.reachesGold(StepText.prefix(problem.steps), problem: problem) {
            soft[K - 1] = 1
        } else {
            soft[K - 1] = 0
            let r = try await Self.binarySearch(steps: K - 1) { i in
                let e = try await estimate(PrefixNode(key: RolloutKey.given(i), text: StepText.prefix(problem.steps[0..<i])))
                soft[i - 1] = e.value
                counts[i - 1] = e.rollouts.count
                return isWrongValue(e.value)
            }
            firstError = r.firstError - 1
        }
        var searches = 1

        // 2. Tree search with what is left of the budget.
        if p.maxSearches > 1 && used + k <= p.rolloutBudget {
            var pool: [PoolEntry] = []
            var visits: [String: Int] = [:]
            func addWrong(_ e: NodeEstimate) {
                guard e.value > 0 && e.value < 1 else { return }
                for r in e.rollouts where !r.correct {
                    pool.append(PoolEntry(node: e.node, nodeValue: e.value, rolloutIndex: r.key.index, rolloutText: r.text))
                }
            }
            let root = try await estimate(PrefixNode(key: RolloutKey.given(0), text: ""))
            tree.append(TreeRow(node: root.node.key, prefix: "", value: root.value))
            addWrong(root)
            while !pool.isEmpty && searches < p.maxSearches && used + k <= p.rolloutBudget {
                let total = visits.values.reduce(0, +)
                var best = 0, bestScore = -Double.infinity
                for (i, c) in pool.enumerated() {
                    let words = c.rolloutText.split(whereSeparator: { $0.isWhitespace }).count
                    let s = Self.priority(nodeValue: c.nodeValue, rolloutWords: words, visits: visits[c.node.key] ?? 0,
                                          totalVisits: total, alpha: p.alpha, beta: p.beta, lengthScale: p.lengthScale, cPuct: p.cPuct)
                    if s > bestScore { best = i; bestScore = s }
                }
                let c = pool.remove(at: best)
                visits[c.node.key, default: 0] += 1
                searches += 1
                let steps = StepText.split(c.rolloutText)
                guard steps.count >= 2 else { continue }
                _ = try await Self.binarySearch(steps: steps.count - 1) { i in
                    guard used + k <= p.rolloutBudget else { return nil }
                    let node = PrefixNode(key: "\(c.node.key)/\(c.rolloutIndex):\(i)", text: c.node.text + StepText.prefix(steps[0..<i]))
                    let e = try await estimate(node)
                    tree.append(TreeRow(node: node.key, prefix: node.text, value: e.value))
                    addWrong(e)
                    return isWrongValue(e.value)
                }
            }
        }

        // Labels up to and including the first error (TRL first-error rows end there).
        let n = firstError >= 0 ? firstError + 1 : K
        var hard = [Bool](repeating: true, count: n)
        if firstError >= 0 { hard[firstError] = false }
        return Result(labels: StepLabels(soft: Array(soft[0..<n]), hard: hard, rolloutCounts: Array(counts[0..<n]),
                                         firstError: firstError, rolloutsUsed: used, generatedTokens: tokens),
                      tree: tree, searches: searches)
    }
}
