/// Step-level beam search (search-and-learn `beam_search.py`, with its pitfalls fixed): N beams; each
/// round every kept beam samples M next steps (all in one generator call), new steps are scored once,
/// finished solutions leave the pool, and the best ⌈remaining/M⌉ unfinished beams by aggregated score
/// are kept — the budget shrinks as solutions finish. The last round samples each beam to its end.
/// Steps are never re-scored: a beam's score aggregates the scores stored on its nodes.
public struct BeamSearch: SearchMethod {
    public var name: String { "beam" }
    public init() {}

    public func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult {
        var run = SearchRun(problem, generator: generator, scorer: scorer, config: config)
        let m = max(1, config.beamWidth)
        var completed: [Int] = []
        var active = [0]
        var counts = [max(1, config.n)]
        var pruned: [Int] = []
        for round in 0...config.maxSteps {
            let last = round == config.maxSteps
            let children = try await run.expand(active, counts: counts, toEnd: last).flatMap { $0 }
            try await run.score(children)
            completed += children.filter { run.tree[$0].terminal || last }
            let open = children.filter { !run.tree[$0].terminal && !last }
            let remaining = config.n - completed.count
            if open.isEmpty || remaining <= 0 { pruned += open; break }
            let keep = max(1, (remaining + m - 1) / m)
            let ranked = open.sorted { run.solutionScore($0) > run.solutionScore($1) || (run.solutionScore($0) == run.solutionScore($1) && $0 < $1) }
            active = Array(ranked.prefix(keep))
            pruned += ranked.dropFirst(keep)
            // Each kept beam gets M children, but never more than the budget left.
            counts = active.indices.map { i in max(0, min(m, remaining - i * m)) }
        }
        // Unfinished beams still count as candidates if nothing finished.
        return run.finish(method: name, leaves: completed.isEmpty ? pruned : completed)
    }
}
