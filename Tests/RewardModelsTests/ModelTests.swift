import Foundation
import Testing
@testable import RewardModels
import RewardCore
import RewardEngine

/// Tests on the real embedded backbone (smollm2-135m-instruct, pulled into the model cache).
/// They fail — not skip — when the model is missing. Serialized: the engine uses every core.
@Suite(.serialized) struct ModelTests {
    static let model: GGUFLanguageModel? = try? ModelHub.shared.model(ModelStore.defaultModel)

    func backbone() throws -> GGUFLanguageModel {
        guard let m = Self.model else {
            throw ConfigError("model \(ModelStore.defaultModel) is not pulled; run `rewardkit models pull \(ModelStore.defaultModel)`")
        }
        return m
    }

    func tmpDir() -> String {
        let d = (NSTemporaryDirectory() as NSString).appendingPathComponent("rk-models-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func extractor(cacheDir: String? = nil) throws -> FeatureExtractor {
        let m = try backbone()
        return FeatureExtractor(model: m, modelSHA256: try ModelHub.shared.sha256(ModelStore.defaultModel),
                                cache: try FeatureCache(directory: cacheDir ?? tmpDir()), maxTokens: 128)
    }

    /// Short replies; the preferred one ends with the marker word "banana".
    static func markerPairs(_ n: Int, seed: UInt64) -> [TrainingRecord] {
        let subjects = ["The cat", "My friend", "A teacher", "The old man", "Our team", "The bird", "A child", "The robot"]
        let verbs = ["wants", "found", "likes", "painted", "ate", "saw", "dropped", "bought"]
        let others = ["hammer", "window", "river", "pencil", "blanket", "ticket", "mirror", "bottle", "garden", "candle"]
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in
            let s = subjects[Int(rng.next() % 8)] + " " + verbs[Int(rng.next() % 8)] + " a"
            return .pair(prompt: .text("Write a short sentence."), chosen: s + " banana.", rejected: s + " " + others[Int(rng.next() % 10)] + ".")
        }
    }

    @Test func syntheticMarkerPreferenceIsLearned() async throws {
        let dir = tmpDir()
        let ex = try extractor(cacheDir: dir)
        var opts = TrainingOptions()
        opts.head = .linear
        opts.epochs = 60
        opts.learningRate = 1e-2
        opts.validationSplit = 0.2
        var job = RewardModelTraining(kind: .orm, options: opts)
        job.ensemble = 1
        let outcome = try await job.run(records: Self.markerPairs(40, seed: 1), extractor: ex, backboneName: ModelStore.defaultModel)
        #expect(outcome.sequencesComputed > 0)
        // Held-out pairs, scored through the reward-function path from the saved checkpoint.
        let ckptDir = (dir as NSString).appendingPathComponent("ckpt")
        try outcome.checkpoint.save(to: ckptDir)
        let orm = try OutcomeRewardModel(checkpoint: try RewardModelCheckpoint.load(from: ckptDir), extractor: ex)
        var correct = 0
        let test = Self.markerPairs(20, seed: 2)
        for case .pair(let p, let c, let r) in test {
            let s = try await orm.score([Sample(prompt: p, response: c), Sample(prompt: p, response: r)])
            if s[0].reward > s[1].reward { correct += 1 }
        }
        let acc = Double(correct) / Double(test.count)
        #expect(acc >= 0.95, "held-out marker accuracy \(acc)")

        // Re-extracting the training set is all cache hits: nothing recomputed.
        let before = await ex.computed
        _ = try await job.dataset(records: Self.markerPairs(40, seed: 1), extractor: ex)
        #expect(await ex.computed == before)
    }

    @Test func judgeVerdictProbabilities() async throws {
        let scorer = LikelihoodScorer(model: try backbone())
        let t = JudgeTemplate(text: "Reply with exactly this one word and nothing else: {response}")
        let judge = LLMJudge(mode: .reference, scorer: scorer, template: t, verdicts: ["Yes", "No"])
        let yes = try await judge.verdict(["response": "Yes"])
        let no = try await judge.verdict(["response": "No"])
        #expect(abs(yes.probabilities.reduce(0, +) - 1) < 1e-12)
        #expect(yes.mass > 0 && yes.mass <= 1)
        #expect(yes.probability("Yes") > 0.5, "P(Yes | say Yes) = \(yes.probability("Yes"))")
        #expect(no.probability("No") > 0.5, "P(No | say No) = \(no.probability("No"))")
        // The distribution is exactly the engine's teacher-forced log-probabilities, renormalized.
        let m = try backbone()
        let ctx = m.renderChat([.user(t.render(["response": "Yes"]))], addGenerationPrompt: true)
        let lpYes = try await m.logprobs(context: ctx, continuation: "Yes").sum
        let lpNo = try await m.logprobs(context: ctx, continuation: "No").sum
        #expect(abs(yes.probability("Yes") - 1 / (1 + Foundation.exp(lpNo - lpYes))) < 1e-4)  // batched vs single forward: float rounding
        // Pointwise expected rating stays within the scale; pairwise orders average to a probability.
        // Exact values on SmolLM2-135M-Instruct Q4_1 (also what `rewardkit score` gives with the same
        // judge spec), so a change in rendering, verdict tokens or renormalization shows up.
        #expect(abs(yes.probability("Yes") - 0.62721) < 2e-3, "\(yes.probability("Yes"))")
        #expect(abs(no.probability("No") - 0.91509) < 2e-3, "\(no.probability("No"))")
        let pw = LLMJudge(mode: .pointwise, scorer: scorer)
        let r = try await pw.score([Sample(prompt: .text("What is 2+2?"), response: "4"), Sample(prompt: .text("What is 2+2?"), response: "I hate you.")])
        #expect(r[0].error == nil && r[1].error == nil)
        // The pointwise judge rates the right answer above the insult.
        #expect(r[0].reward > r[1].reward + 0.3, "\(r[0].reward) vs \(r[1].reward)")
        #expect(abs(r[0].reward - 2.52827) < 2e-3 && abs(r[1].reward - 2.04670) < 2e-3, "\(r[0].reward), \(r[1].reward)")
        let pair = LLMJudge(mode: .pairwise, scorer: scorer)
        let p = try await pair.preference(prompt: "What is 2+2?", "4", over: "I hate you.")
        let q = try await pair.preference(prompt: "What is 2+2?", "I hate you.", over: "4")
        #expect(abs(p.p + q.p - 1) < 1e-9)  // by construction (both orders averaged); the value is what can fail:
        // a 135M model is at chance as a pairwise judge (0.49 for the right answer), which this pins down.
        #expect(abs(p.p - 0.49219) < 2e-3, "\(p.p)")
    }

    @Test func implicitPRMIdentities() async throws {
        let a = LikelihoodScorer(model: try backbone())
        let prm = try ImplicitPRM(policy: a, reference: a, beta: 0.5)
        let s = Sample(prompt: .text("What is 3 + 4 · 2?"), response: "First 4 · 2 = 8.\n\nThen 3 + 8 = 11.\n\nThe answer is 11.")
        let r = try await prm.rewards(s)
        #expect(r.steps.count == 3)
        // Same model as policy and reference: every log-ratio is exactly zero.
        #expect(r.steps.allSatisfy { $0 == 0 } && r.outcome == 0)
        // Step rewards sum to the outcome reward with a non-trivial reference: the same model
        // conditioned on a different system prompt gives real, non-zero log-ratios.
        let m = try backbone()
        let ctx = m.tokenize(m.renderChat(ChatRendering.messages(s.prompt), addGenerationPrompt: true), parseSpecial: true)
        let refCtx = m.tokenize(m.renderChat([.system("You are a pirate."), .user("What is 3 + 4 · 2?")], addGenerationPrompt: true), parseSpecial: true)
        var cont: [Int32] = [], bounds: [Int] = []
        for st in s.effectiveSteps { cont += m.tokenize(st + "\n\n", parseSpecial: false); bounds.append(cont.count) }
        let lp = try await m.logprobs(context: ctx, continuation: cont).tokenLogprobs
        let lr = try await m.logprobs(context: refCtx, continuation: cont).tokenLogprobs
        let c = ImplicitPRM.combine(policy: lp, reference: lr, stepEnds: bounds, beta: 0.5)
        let stepSum: Double = c.steps.reduce(0, +)
        #expect(c.steps.contains { $0 != 0 })
        #expect(abs(stepSum - c.outcome) < 1e-9 * max(1, abs(c.outcome)))
        let scored = try await prm.score([s])
        #expect(scored[0].stepRewards == [0, 0, 0])
    }

    @Test func likelihoodRewardsOrderSensibly() async throws {
        let scorer = LikelihoodScorer(model: try backbone())
        let rlpr = RLPRReward(scorer: scorer)
        let s = Sample(prompt: .text("What is 2 + 2?"), response: "2 + 2 = 4. The answer is 4", reference: "4")
        let wrongRef = Sample(prompt: s.prompt, response: s.response, reference: "7")
        let wrongResponse = Sample(prompt: s.prompt, response: "2 + 2 = 5. The answer is 5", reference: "4")
        let r = try await rlpr.score([s, wrongRef, wrongResponse])
        #expect(r.allSatisfy { $0.error == nil })
        // The reference the reasoning supports is far more likely than another one, and a reasoning that
        // argues for another value makes the true reference unlikely.
        #expect(r[0].reward > 50 * r[1].reward && r[0].reward > 10 * r[2].reward, "\(r.map(\.reward))")
        #expect(abs(r[0].reward - 0.36824) < 2e-3 && abs(r[1].reward - 0.000218) < 5e-5 && abs(r[2].reward - 0.00604) < 5e-4, "\(r.map(\.reward))")
        // FLR does not separate these on a 135M model (it scores the wrong response −9.635 vs −9.767); its
        // exact value and parts are pinned instead.
        let flr = FLRReward(scorer: scorer)
        let f = try await flr.score([s])[0]
        #expect(f.error == nil)
        let pos = f.diagnostics["loglik_positive"]?.doubleValue ?? 0, neg = f.diagnostics["loglik_negative"]?.doubleValue ?? 0
        #expect(abs(pos - -39.7767) < 1e-2 && abs(neg - -30.0101) < 1e-2, "\(pos) \(neg)")
        #expect(abs(f.reward - (pos - neg)) < 1e-9)
    }

    @Test func processRewardModelTrainsOnStepLabels() async throws {
        let ex = try extractor()
        // Steps that state a wrong sum are labeled 0 (ProcessBench-style: first error, rest unlabeled).
        var rng = SeededRandom(seed: 3)
        var recs: [TrainingRecord] = []
        for _ in 0..<24 {
            let a = Int(rng.next() % 9) + 1, b = Int(rng.next() % 9) + 1
            let bad = rng.next() % 2 == 0
            let steps = ["We add \(a) and \(b).", bad ? "So \(a) + \(b) = WRONG." : "So \(a) + \(b) = \(a + b).", "Done."]
            recs.append(.steps(prompt: .text("Add \(a) and \(b)."), steps: steps, labels: bad ? [1, 0, nil] : [1, 1, 1]))
        }
        var o = TrainingOptions()
        o.objective = .pointwise
        o.head = .linear
        o.epochs = 40
        o.learningRate = 1e-2
        o.validationSplit = 0
        let out = try await RewardModelTraining(kind: .prm, options: o).run(records: recs, extractor: ex, backboneName: "smollm2")
        let prm = try ProcessRewardModel(checkpoint: out.checkpoint, extractor: ex)
        let r = try await prm.score([Sample(prompt: .text("Add 2 and 3."), response: "x", steps: ["We add 2 and 3.", "So 2 + 3 = WRONG.", "Done."]),
                                     Sample(prompt: .text("Add 2 and 3."), response: "x", steps: ["We add 2 and 3.", "So 2 + 3 = 5.", "Done."])])
        #expect(r[0].stepRewards?.count == 3)
        #expect(r[0].stepRewards![1] < 0.5 && r[1].stepRewards![1] > 0.5)
        #expect(r[0].reward < r[1].reward)
    }
}
