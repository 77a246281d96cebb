import Foundation
import Testing
import RewardCore
import RewardEngine
import RewardVerifiers
@testable import RewardSearch

@Suite struct SearchPiecesTests {
    @Test func rebaseAllocationIsSequentialCeil() {
        // w = e^(0/0.2), e^(-0.4/0.2), e^(-0.8/0.2) = 1, 0.1353, 0.0183: ⌈16·1/1.1536⌉ = 14, ⌈2·0.1353/0.1536⌉ = 2, 0.
        #expect(REBASE.allocate(width: 16, scores: [0.9, 0.5, 0.1], temperature: 0.2) == [14, 2, 0])
        #expect(REBASE.allocate(width: 3, scores: [0.5, 0.5, 0.5, 0.5], temperature: 0.2) == [1, 1, 1, 0])
        #expect(REBASE.allocate(width: 5, scores: [0.2], temperature: 0.2) == [5])
    }

    @Test func answerPicks() {
        let c: [AnswerPick.Candidate] = [
            .init(answer: "7", score: 0.9), .init(answer: "6", score: 0.3), .init(answer: "6.0", score: 0.35),
            .init(answer: nil, score: 1.0), .init(answer: "7", score: 0.1),
        ]
        #expect(AnswerPick.naive.choose(c) == 0)
        // Classes {7: 0.9+0.1 = 1.0 (2 votes)}, {6, 6.0: 0.65 (2 votes)}: majority tie → first seen (7).
        #expect(AnswerPick.majority.choose(c) == 0)
        #expect(AnswerPick.weighted.choose(c) == 0)
        let d = c + [.init(answer: "\\frac{12}{2}", score: 0.5)]  // the 6-class now has 3 votes and 1.15
        #expect(AnswerPick.majority.choose(d) == 5 && AnswerPick.weighted.choose(d) == 5)
        let e: [AnswerPick.Candidate] = [.init(answer: "7", score: 0.9), .init(answer: "7", score: 0.8),
                                         .init(answer: "6", score: 0.3), .init(answer: "6", score: 0.2), .init(answer: "6", score: 0.1)]
        #expect(AnswerPick.majority.choose(e) == 2)  // 3 votes beat 2
        #expect(AnswerPick.weighted.choose(e) == 0)  // 1.7 beats 0.6
        #expect(AnswerPick.weighted.choose([.init(answer: nil, score: 0.2), .init(answer: nil, score: 0.4)]) == 1)
    }

    @Test func stepSplitKeepsDelimiters() {
        #expect(StepText.split("a\n\nb\n\nc", delimiter: "\n\n") == ["a\n\n", "b\n\n", "c"])
        #expect(StepText.split("a\n\n", delimiter: "\n\n") == ["a\n\n"])
        #expect(StepText.split("", delimiter: "\n\n") == [""])
    }

    @Test func scorerIsIncrementalAndRejectsSpecsWithoutStepScores() async throws {
        var tree = SearchTree(prompt: "Q: ")
        let a = tree.add(parent: 0, step: "2 + 3 = 5\n\n", finish: .stop, tokens: 5, terminal: false)
        let b = tree.add(parent: a, step: "5 * 2 = 11\n\n", finish: .stop, tokens: 6, terminal: false)
        let c = tree.add(parent: a, step: "5 * 2 = 10\n\n", finish: .stop, tokens: 6, terminal: true)
        let scorer = StepScorer(reward: MathStepsReward(), aggregation: .min)
        #expect(scorer.scope == .step)
        try await scorer.score([a, b], in: &tree, question: "q")
        #expect(tree[a].score == 1 && tree[b].score == 0)
        #expect(scorer.calls == 2)
        try await scorer.score([a, b, c], in: &tree, question: "q")
        #expect(scorer.calls == 3)  // only c was new
        #expect(scorer.solutionScore(b, in: tree) == 0 && scorer.solutionScore(c, in: tree) == 1)
        #expect(StepScorer(reward: MathReward()).scope == .prefix)
    }
}

/// Every method on the real model with the real rule-based step scorer: accounting adds up, each node
/// is scored once, results are reproducible and independent of the decode batch.
@Suite(.serialized) struct SearchMethodTests {
    func problem(_ m: GGUFLanguageModel) -> SearchProblem {
        let q = "Ana has 4 pens and buys 3 more. How many pens does she have? Give the answer as \\boxed{N}."
        return SearchProblem(id: "t1", question: q, prompt: m.renderChat([.user(q)], addGenerationPrompt: true), reference: "7")
    }

    func config() -> SearchConfig {
        var c = SearchConfig()
        c.n = 4; c.beamWidth = 2; c.maxTokens = 48; c.stepTokens = 16; c.maxSteps = 2; c.seed = 5
        return c
    }

    @Test(arguments: ["best_of_n", "beam", "dvts", "rebase", "mcts"])
    func accountingAndDeterminism(method name: String) async throws {
        let m = try SearchTestModel.get()
        let method = SearchRecord.methods()[name]!
        let scorer = StepScorer(reward: MathStepsReward(), aggregation: .last)
        let r = try await method.search(problem(m), generator: LocalGenerator(model: m, maxBatch: 16), scorer: scorer, config: config())
        let nodes = r.tree.nodes.dropFirst()
        // Live = still linked (best-of-N re-expresses each sampled solution as a chain of step nodes).
        let live = nodes.filter { r.tree[$0.parent!].children.contains($0.id) }
        // Generated tokens count every sampled step, pruned ones included.
        #expect(r.stats.generatedTokens == live.reduce(0) { $0 + $1.tokens })
        #expect(r.stats.generatedTokens > 0)
        // Every live node scored exactly once.
        #expect(live.allSatisfy { $0.score != nil })
        #expect(r.stats.prmCalls == live.count)
        #expect(!r.completions.isEmpty)
        #expect(r.completions.allSatisfy { $0.tokens <= 48 })
        // Prefix reuse shows once a step extends an earlier one (a node at depth ≥ 2 reuses its parent's KV). With
        // seed 5, mcts's first 4 steps all end the solution (depth 1 only: one root prefill, prefill == context).
        if name != "best_of_n" && r.tree.nodes.contains(where: { $0.depth >= 2 }) {
            #expect(r.stats.prefillTokens < r.stats.contextTokens)
            #expect(Double(r.stats.prefillTokens) <= 1.1 * Double(r.stats.uniquePrefixTokens))
        }
        // Same seed → same search, whatever the batch.
        let again = try await method.search(problem(m), generator: LocalGenerator(model: m, maxBatch: 3),
                                            scorer: StepScorer(reward: MathStepsReward(), aggregation: .last), config: config())
        #expect(again.completions == r.completions)
        #expect(again.pred == r.pred)
    }

    @Test func beamKeepsTopBeamsAndShrinks() async throws {
        let m = try SearchTestModel.get()
        var c = config()
        c.n = 6; c.beamWidth = 3; c.maxSteps = 3
        let r = try await BeamSearch().search(problem(m), generator: LocalGenerator(model: m), scorer: StepScorer(reward: MathStepsReward()), config: c)
        // Round 1 samples N children of the root; later rounds at most M children per kept beam.
        #expect(r.tree[0].children.count == 6)
        for n in r.tree.nodes.dropFirst() where !n.children.isEmpty { #expect(n.children.count <= 3) }
        #expect(r.completions.count <= 6)
    }
}
