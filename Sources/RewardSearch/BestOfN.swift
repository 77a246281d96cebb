/// Best-of-N (search-and-learn `best_of_n.py`): N complete solutions sampled from the prompt in one
/// batch, each split into steps at the delimiter and scored (every step once), the answer picked by
/// `config.pick` (naive / majority / weighted vote).
public struct BestOfN: SearchMethod {
    public var name: String { "best_of_n" }
    public init() {}

    public func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult {
        var run = SearchRun(problem, generator: generator, scorer: scorer, config: config)
        let samples = try await run.expand([0], counts: [config.n], toEnd: true)[0]
        // Re-express each solution as a chain of step nodes so step scores live on nodes like in tree search.
        var leaves: [Int] = []
        for s in samples {
            let whole = run.tree[s]
            let parts = StepText.split(whole.step, delimiter: config.stepDelimiter)
            guard parts.count > 1 else { leaves.append(s); continue }
            var parent = 0
            for (k, p) in parts.enumerated() {
                let last = k == parts.count - 1
                parent = run.tree.add(parent: parent, step: p, finish: last ? whole.finish! : .stop,
                                      tokens: last ? whole.tokens : 0, terminal: last ? whole.terminal : false)
            }
            run.tree.detach(s)
            leaves.append(parent)
        }
        var all: [Int] = []
        for l in leaves { all += run.tree.path(l) }
        try await run.score(all)
        return run.finish(method: name, leaves: leaves)
    }
}

/// Splits text into steps that each keep their trailing delimiter (the last may lack it).
public enum StepText {
    public static func split(_ text: String, delimiter: String) -> [String] {
        guard !delimiter.isEmpty else { return [text] }
        var out: [String] = []
        var rest = Substring(text)
        while let r = rest.range(of: delimiter) {
            out.append(String(rest[..<r.upperBound]))
            rest = rest[r.upperBound...]
        }
        if !rest.isEmpty || out.isEmpty { out.append(String(rest)) }
        return out
    }
}
