import Foundation

/// REBASE (thu-wyz/inference_scaling `rebase.py`, arXiv 2408.00724): a width budget W = N shared by a
/// level of nodes. Each round, finished nodes of the level take one unit each out of W; the others,
/// ranked by their step score, get k_i = ⌈W_left · e^(s_i/T_b) / Σ_left e^(s_j/T_b)⌉ children in
/// order (sequential ceil: the k sum to W and the best node gets at least one), and every child is
/// scored as soon as it exists. T_b = `config.rebaseTemperature` (0.2).
public struct REBASE: SearchMethod {
    public var name: String { "rebase" }
    public init() {}

    /// The sequential-ceil allocation of `width` over scores sorted in descending order.
    public static func allocate(width: Int, scores: [Double], temperature: Double) -> [Int] {
        var left = width
        var out: [Int] = []
        let t = max(temperature, 1e-6)
        let mx = scores.max() ?? 0
        let w = scores.map { Foundation.exp(($0 - mx) / t) }
        for i in scores.indices {
            guard left > 0 else { out.append(0); continue }
            let z = w[i...].reduce(0, +)
            let k = min(left, Int((Double(left) * w[i] / z).rounded(.up)))
            out.append(k)
            left -= k
        }
        return out
    }

    public func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult {
        var run = SearchRun(problem, generator: generator, scorer: scorer, config: config)
        var width = max(1, config.n)
        var level = [0]
        var completed: [Int] = []
        var counts = [width]
        for round in 0...config.maxSteps {
            let last = round == config.maxSteps
            let kids = try await run.expand(level, counts: counts, toEnd: last).flatMap { $0 }
            try await run.score(kids)
            let done = kids.filter { run.tree[$0].terminal || last }
            completed += done
            width -= done.count
            let open = kids.filter { !run.tree[$0].terminal && !last }
                .sorted { (run.tree[$0].score ?? 0) > (run.tree[$1].score ?? 0) || ((run.tree[$0].score ?? 0) == (run.tree[$1].score ?? 0) && $0 < $1) }
            if width <= 0 || open.isEmpty { break }
            counts = Self.allocate(width: width, scores: open.map { run.tree[$0].score ?? 0 }, temperature: config.rebaseTemperature)
            level = open
        }
        return run.finish(method: name, leaves: completed.isEmpty ? level : completed)
    }
}
