import Foundation
import RewardVerifiers

/// One problem to search: `prompt` is what the generator continues (chat-rendered question).
public struct SearchProblem: Sendable {
    public var id: String
    public var question: String
    public var prompt: String
    public var reference: String?
    public init(id: String, question: String, prompt: String, reference: String? = nil) {
        self.id = id; self.question = question; self.prompt = prompt; self.reference = reference
    }
}

/// Knobs shared by every method (each uses the ones it needs).
public struct SearchConfig: Sendable {
    /// Completions budget N (BoN samples, beams, DVTS total, REBASE width, MCTS iterations).
    public var n = 16
    /// Beam width M (children per kept beam; DVTS subtree width; MCTS branching).
    public var beamWidth = 4
    /// Token budget of one completion.
    public var maxTokens = 512
    /// Token budget of one step.
    public var stepTokens = 128
    /// Maximum steps (rounds) before a last round that samples to the end.
    public var maxSteps = 12
    public var temperature: Float = 0.8
    public var topP: Float = 1
    public var seed: UInt64 = 0
    public var stepDelimiter = "\n\n"
    public var pick = AnswerPick.weighted
    /// REBASE softmax temperature over node scores.
    public var rebaseTemperature = 0.2
    /// MCTS exploration constant (UCT, ReST-MCTS* style).
    public var mctsC = 0.4
    public init() {}
}

/// Compute one search spent.
public struct SearchStats: Sendable, Equatable {
    /// Sampling cost: generated tokens (pruned branches included), prefill computed, context tokens, calls.
    public var generation = GenerationCost()
    /// Tokens generated over every sampled step, pruned branches included.
    public var generatedTokens: Int { generation.generatedTokens }
    /// Context tokens the backend actually computed (reused prefixes cost 0 locally).
    public var prefillTokens: Int { generation.prefillTokens }
    /// Context tokens of every job (computed or reused): what prefill would cost without sharing.
    public var contextTokens: Int { generation.contextTokens }
    public var generatorCalls: Int { generation.calls }
    /// Distinct prefix tokens of the expanded contexts (prompt once + each expanded step once): the
    /// least any backend must prefill or decode to hold them.
    public var uniquePrefixTokens = 0
    public var prmCalls = 0
    public var prmTokens = 0
    public var seconds = 0.0
    public init() {}
}

public struct SearchCompletion: Sendable, Equatable {
    public var node: Int
    public var text: String
    public var stepScores: [Double]
    public var score: Double
    public var answer: String?
    public var complete: Bool
    public var tokens: Int
}

public struct SearchResult: Sendable {
    public var method: String
    public var pred: String?
    /// Index of the chosen completion in `completions`.
    public var chosen: Int?
    public var completions: [SearchCompletion]
    public var stats: SearchStats
    public var tree: SearchTree
}

/// A search method: the same signature for all.
public protocol SearchMethod: Sendable {
    var name: String { get }
    func search(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) async throws -> SearchResult
}

/// The shared machinery of one problem's search: expands nodes through the generator (one call per
/// round, so all siblings are decoded in one batch), scores new nodes incrementally, keeps accounting.
struct SearchRun {
    let problem: SearchProblem
    let generator: any Generator
    let scorer: StepScorer
    let config: SearchConfig
    var tree: SearchTree
    var stats = SearchStats()
    private let start = Date()
    private let prm0: (Int, Int)
    private var expanded = Set<Int>()

    init(_ problem: SearchProblem, generator: any Generator, scorer: StepScorer, config: SearchConfig) {
        self.problem = problem; self.generator = generator; self.scorer = scorer; self.config = config
        tree = SearchTree(prompt: problem.prompt)
        prm0 = (scorer.calls, scorer.tokens)
    }

    /// Samples `counts[i]` children of `nodes[i]`, all in one generator call. `toEnd`: no step delimiter
    /// (sample the rest of the solution). `temperature` overrides the config's (greedy lookahead, rollouts).
    mutating func expand(_ nodes: [Int], counts: [Int], toEnd: Bool = false, temperature: Float? = nil) async throws -> [[Int]] {
        var jobs: [GenerationJob] = []
        var owners: [Int] = []
        for (i, n) in nodes.enumerated() where counts[i] > 0 {
            let left = config.maxTokens - tree.pathTokens(n)
            guard left > 0 else { continue }
            let seeds = (0..<counts[i]).map { SearchSeed.make(config.seed, problem.id, node: n, index: tree[n].children.count + $0) }
            jobs.append(GenerationJob(context: tree.context(n), stop: toEnd ? [] : [config.stepDelimiter],
                                      maxTokens: toEnd ? left : min(config.stepTokens, left),
                                      temperature: temperature ?? config.temperature, topP: config.topP, seeds: seeds))
            owners.append(i)
        }
        var out = [[Int]](repeating: [], count: nodes.count)
        guard !jobs.isEmpty else { return out }
        let outcomes = try await generator.generate(jobs)
        if let e = outcomes.lazy.compactMap(\.error).first { throw SearchError("generation failed: \(e)") }
        stats.generation.add(call: outcomes)
        for (k, o) in outcomes.enumerated() {
            let parent = nodes[owners[k]]
            if expanded.insert(parent).inserted { stats.uniquePrefixTokens += parent == 0 ? o.contextTokens : tree[parent].tokens }
            for s in o.samples {
                let used = tree.pathTokens(parent) + s.completionTokens
                let terminal = s.finish == .end || s.text.trimmed.isEmpty || used >= config.maxTokens
                    || (s.finish == .length && toEnd)
                out[owners[k]].append(tree.add(parent: parent, step: s.text, finish: s.finish, tokens: s.completionTokens, terminal: terminal))
            }
        }
        return out
    }

    mutating func score(_ ids: [Int]) async throws {
        try await scorer.score(ids, in: &tree, question: problem.question, reference: problem.reference)
    }

    func solutionScore(_ id: Int) -> Double { scorer.solutionScore(id, in: tree) }

    /// The result over `leaves` (complete ones compete; if none completed, all of them).
    mutating func finish(method: String, leaves: [Int], verifier: MathVerifier = MathVerifier()) -> SearchResult {
        stats.prmCalls = scorer.calls - prm0.0
        stats.prmTokens = scorer.tokens - prm0.1
        stats.seconds = Date().timeIntervalSince(start)
        var comps: [SearchCompletion] = []
        for id in leaves {
            let text = tree.completion(id)
            comps.append(SearchCompletion(node: id, text: text, stepScores: tree.stepScores(id), score: solutionScore(id),
                                          answer: verifier.extractAnswer(from: text), complete: tree[id].terminal,
                                          tokens: tree.pathTokens(id)))
        }
        let pool = comps.contains { $0.complete } ? comps.indices.filter { comps[$0].complete } : Array(comps.indices)
        let pick = config.pick.choose(pool.map { AnswerPick.Candidate(answer: comps[$0].answer, score: comps[$0].score) }, verifier: verifier)
        let chosen = pick.map { pool[$0] }
        return SearchResult(method: method, pred: chosen.flatMap { comps[$0].answer }, chosen: chosen, completions: comps,
                            stats: stats, tree: tree)
    }
}
