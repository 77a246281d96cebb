import Foundation
import Testing
import RewardCore
import RewardEngine
@testable import RewardModels
@testable import RewardSearch

/// Incremental `prm` scoring on the real SmolLM2-135M: a node's score read by running only its step on
/// top of its parent's KV equals re-reading the whole path, and the tokens run are each token once.
@Suite(.serialized) struct IncrementalPRMTests {
    static let question = "Tom has 3 apples and buys 5 more. Then he gives 2 away. How many apples does he have?"
    /// A small tree: two first steps, children and grandchildren (the last ones are siblings).
    static let tree: [(parent: Int, step: String)] = [
        (0, "Tom starts with 3 apples.\n\n"), (0, "He buys 5 more, so 3 + 5 = 8.\n\n"),
        (1, "He buys 5 more: 3 + 5 = 8 apples.\n\n"), (2, "Then he gives 2 away: 8 - 2 = 6.\n\n"),
        (3, "Then 8 - 2 = 6.\n\n"), (3, "Then 8 - 2 = 7.\n\n"), (4, "The answer is \\boxed{6}."),
        (5, "  \n\n"),
    ]

    func prm(_ m: GGUFLanguageModel, maxTokens: Int = 512) throws -> ProcessRewardModel {
        let heads = [RewardHead(kind: .mlp, inputSize: m.info.hiddenSize, hiddenSize: 16, seed: 7),
                     RewardHead(kind: .mlp, inputSize: m.info.hiddenSize, hiddenSize: 16, seed: 8)]
        let ckpt = RewardModelCheckpoint(kind: .prm, backboneName: "smollm2", backboneSHA256: "test", pooling: .last,
                                         maxTokens: maxTokens, heads: heads, training: .null, data: .null, metrics: .null)
        return try ProcessRewardModel(checkpoint: ckpt, extractor: FeatureExtractor(model: m, modelSHA256: "test", cache: nil, maxTokens: maxTokens))
    }

    /// Grows the tree a depth at a time, scoring each round's new nodes like a beam search does.
    func scoreByRounds(_ scorer: StepScorer) async throws -> SearchTree {
        var t = SearchTree(prompt: "unused")
        var ids: [Int] = []
        for (p, s) in Self.tree {
            ids.append(t.add(parent: p, step: s, finish: .stop, tokens: 0, terminal: false))
        }
        for depth in 1...4 {
            try await scorer.score(ids.filter { t[$0].depth == depth }, in: &t, question: Self.question)
        }
        return t
    }

    @Test func appendedHiddenStatesEqualOneForwardPass() async throws {
        let m = try SearchTestModel.get()
        let a = m.tokenize("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", parseSpecial: true)
        let b = m.tokenize("Two plus two is four.\n\n", parseSpecial: false), c = m.tokenize("So 4.", parseSpecial: false)
        let full = try await m.hiddenStates(tokens: a + b + c, at: .indices([a.count + b.count - 1, a.count + b.count + c.count - 1]))
        let root = try m.appendHiddenStates([(nil, a, [])])[0].span
        let mid = try m.appendHiddenStates([(root, b, [b.count - 1])])[0]
        let end = try m.appendHiddenStates([(mid.span, c, [c.count - 1]), (root, b + c, [b.count - 1, b.count + c.count - 1])])
        #expect(root.length == a.count && mid.span.length == a.count + b.count && end[0].span.length == a.count + b.count + c.count)
        for (x, y) in [(mid.states[0], full[0]), (end[0].states[0], full[1]), (end[1].states[0], full[0]), (end[1].states[1], full[1])] {
            let diff = zip(x, y).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-3, "max |Δ| \(diff)")
        }
        #expect(throws: EngineError.self) { try m.appendHiddenStates([(root, [], [])]) }
        #expect(throws: EngineError.self) { try m.appendHiddenStates([(root, b, [b.count])]) }
    }

    @Test func appendedLogprobsEqualOneForwardPass() async throws {
        let m = try SearchTestModel.get()
        let a = m.tokenize("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", parseSpecial: true)
        let b = m.tokenize("Two plus two is four.\n\n", parseSpecial: false), c = m.tokenize("So 4.", parseSpecial: false)
        let want = try await m.logprobs(context: a, continuation: b + c).tokenLogprobs
        let root = try m.appendHiddenStates([(nil, a, [])])[0].span
        let mid = try m.appendLogprobs([(root, b)])[0]
        let end = try m.appendLogprobs([(mid.span, c), (root, b + c)])
        let got = mid.logprobs + end[0].logprobs
        #expect(got.count == b.count + c.count && end[1].logprobs.count == got.count)
        for (i, w) in want.enumerated() {
            #expect(abs(got[i] - w) < 1e-4 && abs(end[1].logprobs[i] - w) < 1e-4, "token \(i): \(got[i]) / \(end[1].logprobs[i]) vs \(w)")
        }
    }

    @Test func implicitPRMScoresIncrementally() async throws {
        let m = try SearchTestModel.get()
        // Only one model is pulled here, so policy = reference and every step reward is exactly 0 both ways;
        // the per-token log-probabilities themselves are checked against one forward pass above.
        let iprm = try ImplicitPRM(policy: LikelihoodScorer(model: m), reference: LikelihoodScorer(model: m), beta: 0.5)
        let inc = StepScorer(reward: iprm, aggregation: .last, countTokens: { m.tokenize($0).count })
        let full = StepScorer(reward: iprm, aggregation: .last, incrementalPRM: false, countTokens: { m.tokenize($0).count })
        #expect(inc.incremental != nil)
        let a = try await scoreByRounds(inc), b = try await scoreByRounds(full)
        for id in 1..<a.nodes.count { #expect(abs(a[id].score!) < 1e-12 && abs(b[id].score!) < 1e-12) }
        // Both models run the prompt once and each step once.
        let prompt = m.tokenize(ChatRendering.promptText(m, .text(Self.question)), parseSpecial: true).count
        let steps = Self.tree.reduce(0) { acc, n in
            let t = n.step.trimmed
            return acc + m.tokenize((t.isEmpty ? "(empty)" : t) + "\n\n").count
        }
        #expect(inc.tokens == 2 * (prompt + steps))
    }

    @Test func incrementalEqualsFullRescoringAndRunsEachTokenOnce() async throws {
        let m = try SearchTestModel.get()
        let count: @Sendable (String) -> Int = { m.tokenize($0).count }
        let inc = StepScorer(reward: try prm(m), aggregation: .min, countTokens: count)
        let full = StepScorer(reward: try prm(m), aggregation: .min, incrementalPRM: false, countTokens: count)
        #expect(inc.incremental != nil && full.incremental == nil)
        let a = try await scoreByRounds(inc), b = try await scoreByRounds(full)
        for id in 1..<a.nodes.count {
            let x = try #require(a[id].score), y = try #require(b[id].score)
            #expect(abs(x - y) < 1e-5, "node \(id): incremental \(x) vs full \(y)")
        }
        // Siblings with different steps get different scores (the head reads the step, not just the depth).
        #expect(a[5].score != a[6].score)
        // The prompt once, then each node's own step tokens once (the whitespace step reads as "(empty)").
        var expected = m.tokenize(ChatRendering.promptText(m, .text(Self.question)), parseSpecial: true).count
        for (_, s) in Self.tree {
            let t = s.trimmed
            expected += m.tokenize((t.isEmpty ? "(empty)" : t) + "\n\n").count
        }
        #expect(inc.tokens == expected)
        #expect(inc.calls == Self.tree.count && full.calls == Self.tree.count)
        #expect(full.tokens > expected)
    }

    @Test func deepNodeFirstAndPathsPastMaxTokensMatchFullScoring() async throws {
        let m = try SearchTestModel.get()
        let paths = [["He buys 5 more, so 3 + 5 = 8.", "Then he gives 2 away: 8 - 2 = 6.", "Then 8 - 2 = 6."],
                     ["He buys 5 more, so 3 + 5 = 8."], ["He buys 5 more, so 3 + 5 = 8.", "Then he gives 2 away: 8 - 2 = 6."],
                     ["He buys 5 more, so 3 + 5 = 8."]]
        // 512: the 3-step path is scored before its prefixes exist (its missing steps run at once). Small: only
        // the 1-step path fits in maxTokens; the longer ones are scored the full (truncating) way.
        let root = m.tokenize(ChatRendering.promptText(m, .text(Self.question)), parseSpecial: true).count
        let small = root + m.tokenize(paths[1][0] + "\n\n").count + 2
        for maxTokens in [512, small] {
            let p = try prm(m, maxTokens: maxTokens)
            let inc = try #require(IncrementalStepScores(p))
            let got = try await inc.lastStepScores(prompt: .text(Self.question), paths: paths)
            for (path, g) in zip(paths, got) {
                let want = try await p.stepScores(Sample(prompt: .text(Self.question), response: path.joined(separator: "\n\n"), steps: path)).scores.last!
                #expect(abs(g - want) < 1e-5, "maxTokens \(maxTokens), \(path.count) steps: \(g) vs \(want)")
            }
            #expect(got[1] == got[3])
            await #expect(throws: EngineError.self) { try await inc.lastStepScores(prompt: .text(Self.question), paths: [[]]) }
        }
    }

    /// A budget too small for any step span keeps only the root: every path then runs from the root,
    /// scores are unchanged, and the kept KV does not grow with the tree.
    @Test func spansPastTheByteBudgetAreNotKeptAndScoresAreUnchanged() async throws {
        let m = try SearchTestModel.get()
        let p = try prm(m)
        let unbounded = try #require(IncrementalStepScores(p))
        let tight = try #require(IncrementalStepScores(p, maxBytes: 1))
        let steps = Self.tree.map(\.step)
        let paths = [[steps[0]], [steps[0], steps[2]], [steps[0], steps[2], steps[3]], [steps[1]]]
        let a = try await unbounded.lastStepScores(prompt: .text(Self.question), paths: paths)
        let b = try await tight.lastStepScores(prompt: .text(Self.question), paths: paths)
        let rootBytes = await tight.keptBytes
        let c = try await tight.lastStepScores(prompt: .text(Self.question), paths: paths.map { $0 + ["One more step."] })
        for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-5, "\(x) vs \(y)") }
        #expect(c.count == paths.count)
        #expect(rootBytes > 0)
        #expect(await tight.keptBytes == rootBytes)
        #expect(await rootBytes < unbounded.keptBytes)
    }
}
