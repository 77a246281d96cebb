/// Diverse verifier tree search (search-and-learn `diverse_verifier_tree_search.py`): N/M independent
/// subtrees; each round every live subtree samples M next steps from its current node, and moves to
/// its best unfinished child. Every finished child is a completion; a subtree ends when all its
/// children finished. All live subtrees are expanded in one generator call.
public struct DVTS: SearchMethod {
    public var name: String { "dvts" }
    public init() {}

    public func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult {
        var run = SearchRun(problem, generator: generator, scorer: scorer, config: config)
        let m = max(1, config.beamWidth)
        let subtrees = max(1, config.n / m)
        // Subtrees start at the root; their first expansions are the root's children, M per subtree.
        var heads = [Int](repeating: 0, count: subtrees)
        var live = Array(0..<subtrees)
        var completed: [Int] = []
        for round in 0...config.maxSteps where !live.isEmpty {
            let last = round == config.maxSteps
            // The root is expanded once for all subtrees (distinct seeds per child index).
            var nodes: [Int] = [], counts: [Int] = []
            for s in live {
                if let k = nodes.firstIndex(of: heads[s]) { counts[k] += m } else { nodes.append(heads[s]); counts.append(m) }
            }
            let kids = try await run.expand(nodes, counts: counts, toEnd: last)
            try await run.score(kids.flatMap { $0 })
            var next: [Int] = []
            var handed = [Int](repeating: 0, count: nodes.count)
            for s in live {
                // Siblings sharing a node (the root) are handed out M at a time.
                let k = nodes.firstIndex(of: heads[s])!
                let mine = Array(kids[k].dropFirst(handed[k]).prefix(m))
                handed[k] += m
                completed += mine.filter { run.tree[$0].terminal || last }
                let open = mine.filter { !run.tree[$0].terminal && !last }
                if let best = open.max(by: { run.solutionScore($0) < run.solutionScore($1) || (run.solutionScore($0) == run.solutionScore($1) && $0 > $1) }) {
                    heads[s] = best
                    next.append(s)
                }
            }
            live = next
        }
        return run.finish(method: name, leaves: completed.isEmpty ? heads.filter { $0 != 0 } : completed)
    }
}
