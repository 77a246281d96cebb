import Foundation

/// Monte-Carlo tree search in the style of ReST-MCTS* (`MCTS/mcts.py`), with rollouts to the end:
/// - selection: from the root, the child maximizing UCT = V + c·√(2 ln N_parent / N_child); an
///   unvisited child counts as V + `unvisitedBonus`;
/// - expansion: M = `config.beamWidth` next steps of the selected node (one batch), each valued by the
///   aggregated step score of its path;
/// - simulation: the best new child is rolled out to the end of the solution (sampled, one generator
///   call); V_best ← (1−α)·V_best + α·score(rollout);
/// - backup: every ancestor's V = visit-weighted mean of its children's V.
/// Stops after `config.n` iterations, or when a finished solution with V ≥ `endGate` is selected.
/// Constants: c = `config.mctsC` (0.4), α = 0.5, unvisited bonus 0.8, end gate 0.9 (ReST-MCTS* defaults).
public struct MCTS: SearchMethod {
    public var name: String { "mcts" }
    public var alpha = 0.5
    public var unvisitedBonus = 0.8
    public var endGate = 0.9
    public init() {}

    public func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult {
        var run = SearchRun(problem, generator: generator, scorer: scorer, config: config)
        var leaves: [Int] = []
        for _ in 0..<max(1, config.n) {
            // Selection.
            var node = 0
            while true {
                let kids = run.tree[node].children.filter { !run.tree[$0].rollout }
                if kids.isEmpty || run.tree[node].terminal { break }
                let np = Double(max(1, run.tree[node].visits))
                node = kids.max { uct($0, np, run.tree, config.mctsC) < uct($1, np, run.tree, config.mctsC) || (uct($0, np, run.tree, config.mctsC) == uct($1, np, run.tree, config.mctsC) && $0 > $1) }!
            }
            if run.tree[node].terminal || run.tree[node].depth >= config.maxSteps {
                if !leaves.contains(node) { leaves.append(node) }
                backup(node, &run.tree)
                if run.tree[node].value >= endGate { break }
                continue
            }
            // Expansion.
            let kids = try await run.expand([node], counts: [max(1, config.beamWidth)])[0]
            guard !kids.isEmpty else { run.tree[node].terminal = true; continue }
            try await run.score(kids)
            for k in kids {
                run.tree[k].value = run.solutionScore(k)
                if run.tree[k].terminal { leaves.append(k) }
            }
            // Simulation from the best new child.
            let best = kids.max { run.tree[$0].value < run.tree[$1].value || (run.tree[$0].value == run.tree[$1].value && $0 > $1) }!
            if !run.tree[best].terminal {
                if let r = try await run.expand([best], counts: [1], toEnd: true)[0].first {
                    run.tree[r].rollout = true
                    run.tree[r].terminal = true
                    try await run.score([r])
                    run.tree[r].value = run.solutionScore(r)
                    leaves.append(r)
                    run.tree[best].value = (1 - alpha) * run.tree[best].value + alpha * run.tree[r].value
                }
            }
            for k in kids { run.tree[k].visits = max(run.tree[k].visits, 1) }
            backup(best, &run.tree)
        }
        if leaves.isEmpty { leaves = run.tree.nodes.filter { $0.children.isEmpty && $0.id != 0 }.map(\.id) }
        return run.finish(method: name, leaves: leaves)
    }

    func uct(_ id: Int, _ np: Double, _ t: SearchTree, _ c: Double) -> Double {
        let n = t[id]
        guard n.visits > 0 else { return n.value + unvisitedBonus }
        return n.value + c * (2 * Foundation.log(np) / Double(n.visits)).squareRoot()
    }

    /// Visit counts up the path; each ancestor's value becomes the visit-weighted mean of its children.
    func backup(_ id: Int, _ t: inout SearchTree) {
        t[id].visits += 1
        var c = t[id].parent
        while let p = c {
            t[p].visits += 1
            let kids = t[p].children.filter { !t[$0].rollout && t[$0].visits > 0 }
            let w = kids.reduce(0) { $0 + t[$1].visits }
            if w > 0 { t[p].value = kids.reduce(0.0) { $0 + t[$1].value * Double(t[$1].visits) } / Double(w) }
            c = t[p].parent
        }
    }
}
