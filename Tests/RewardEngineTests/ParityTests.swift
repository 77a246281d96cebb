import Foundation
import Testing
import RewardEngine

/// Agreement with llama.cpp (fixtures written by scripts/engine/make_fixtures.py) and with an
/// independent float64 NumPy computation of block 0.
@Suite("Parity with llama.cpp and float64 reference")
struct ParityTests {
    @Test func teacherForcedTop1AgreementAndLogprobs() async throws {
        let m = try TestModel.get()
        let seqs = try #require(Fixture.json("teacher.json") as? [[String: Any]])
        var positions = 0, agree = 0, agreeWhereRefConfident = 0, refConfident = 0
        var maxDelta = 0.0, sumDelta = 0.0
        for s in seqs {
            let tokens = (s["tokens"] as! [Any]).int32s
            let refTop1 = (s["top1"] as! [Any]).int32s
            let refLP = (s["logprob"] as! [Any]).doubles
            let refTop1LP = (s["top1_logprob"] as! [Any]).doubles
            let ours = try await m.scoreSequence(tokens)
            try #require(ours.count == refTop1.count && refLP.count == refTop1.count && refTop1LP.count == refTop1.count)
            for (i, o) in ours.enumerated() {
                positions += 1
                if o.top1 == refTop1[i] { agree += 1 }
                // Positions where the reference's top choice is clearly ahead should never flip.
                if refTop1LP[i] > -0.5 { refConfident += 1; if o.top1 == refTop1[i] { agreeWhereRefConfident += 1 } }
                let d = abs(o.logprob - refLP[i])
                maxDelta = max(maxDelta, d)
                sumDelta += d
            }
        }
        let rate = Double(agree) / Double(positions)
        print("teacher-forced parity: \(positions) positions, top-1 agreement \(String(format: "%.2f", rate * 100))%, max |Δlogprob| \(String(format: "%.4f", maxDelta)), mean |Δlogprob| \(String(format: "%.4f", sumDelta / Double(positions)))")
        #expect(positions >= 2000)
        // llama.cpp rounds activations to 8 bits and keeps K/V in f16; on these sequences it agrees with the
        // float64 ground truth on only 97.9 % of positions (scripts/engine/reference_f64.py), so ~97 % is the
        // expected agreement between it and an exact implementation — see the float64 test below for ours.
        #expect(rate >= 0.965)
        #expect(agreeWhereRefConfident >= refConfident - 2)
        #expect(sumDelta / Double(positions) < 0.06)
        #expect(maxDelta < 2.0)
    }

    /// Against the float64 forward pass of the whole model (NumPy from gguf-py's dequantized weights).
    @Test func teacherForcedMatchesFloat64Model() async throws {
        let m = try TestModel.get()
        let seqs = try #require(Fixture.json("teacher.json") as? [[String: Any]])
        let ref = try #require(Fixture.json("teacher_f64.json") as? [[String: Any]])
        var positions = 0, agree = 0, refAgree = 0
        var maxDelta = 0.0, sumDelta = 0.0
        // zip stops at the shorter side: every sequence and position must be present on both.
        // The float64 reference covers the first 6 sequences (scripts/engine/reference_f64.py --sequences 6).
        #expect(ref.count == 6 && seqs.count >= ref.count)
        for (s, r) in zip(seqs.prefix(ref.count), ref) {
            let tokens = (s["tokens"] as! [Any]).int32s
            let llamaTop1 = (s["top1"] as! [Any]).int32s
            let top1 = (r["top1"] as! [Any]).int32s
            let lp = (r["logprob"] as! [Any]).doubles
            let ours = try await m.scoreSequence(tokens)
            try #require(ours.count == top1.count && lp.count == top1.count && llamaTop1.count == top1.count)
            for (i, o) in ours.enumerated() {
                positions += 1
                if o.top1 == top1[i] { agree += 1 }
                if llamaTop1[i] == top1[i] { refAgree += 1 }
                let d = abs(o.logprob - lp[i])
                maxDelta = max(maxDelta, d); sumDelta += d
            }
        }
        let rate = Double(agree) / Double(positions)
        print("float64 parity: \(positions) positions, RewardKit top-1 agreement \(String(format: "%.2f", rate * 100))% (llama.cpp: \(String(format: "%.2f", Double(refAgree) / Double(positions) * 100))%), max |Δlogprob| \(String(format: "%.5f", maxDelta)), mean \(String(format: "%.6f", sumDelta / Double(positions)))")
        // Achieved: 1373 positions, 100 % top-1, max |Δ| 5e-5, mean 1.1e-5; bounds ≈ 10× that (the old
        // ones were 80–400× looser and would not have caught a real precision regression).
        #expect(positions == 1373)
        #expect(rate >= 0.999)
        #expect(sumDelta / Double(positions) < 1e-4)
        #expect(maxDelta < 5e-4)
    }

    @Test func greedyGenerationMatchesFirst32Tokens() async throws {
        let m = try TestModel.get()
        let cases = try #require(Fixture.json("greedy.json") as? [[String: Any]])
        var identical = 0
        var commonPrefix = 0
        var maxGap = 0.0, gaps: [Double] = []
        var report: [String] = []
        for c in cases {
            let prompt = (c["prompt_tokens"] as! [Any]).int32s
            let want = (c["tokens"] as! [Any]).int32s
            let g = try await m.generate(prompt: prompt, options: GenerationOptions(maxTokens: 32, stopAtEndOfGeneration: false), onText: nil)
            let got = g[0].tokens
            let n = min(want.count, got.count)
            let firstDiff = (0..<n).first { want[$0] != got[$0] } ?? (want.count == got.count ? nil : n)
            commonPrefix += firstDiff ?? want.count
            if let k = firstDiff, k < want.count {
                report.append("\(c["prompt"]!): diverges at \(k)")
                // Where we part from llama.cpp, its token must be a near-tie for our model too: teacher-force
                // its continuation up to that token and compare our top-1 log-prob with its token's.
                // (Measured: at most 0.16 nats over 14 divergences.)
                let sc = try await m.scoreSequence(prompt + want.prefix(k + 1))
                let last = try #require(sc.last)
                maxGap = max(maxGap, last.top1Logprob - last.logprob)
                gaps.append(last.top1Logprob - last.logprob)
            } else if firstDiff == nil { identical += 1 }
        }
        print("greedy divergence gaps (nats): \(gaps.map { String(format: "%.3f", $0) })")
        #expect(maxGap < 0.5, "largest log-prob gap at a divergence: \(maxGap)")
        print("greedy parity: \(identical)/\(cases.count) identical for 32 tokens, mean common prefix \(Double(commonPrefix) / Double(cases.count)) tokens; \(report)")
        #expect(cases.count == 20)
        // Greedy decoding amplifies any near-tie flip (see the teacher-forced figures); most prompts share
        // a long common prefix with the reference.
        #expect(identical >= 3)
        #expect(Double(commonPrefix) / Double(cases.count) >= 12)
    }

    @Test func layerZeroMatchesFloat64Reference() throws {
        // Exact precision: f32 activations, so only float rounding separates us from float64.
        let m = try TestModel.exact()
        let fx = try #require(Fixture.json("layer0.json") as? [String: Any])
        let tokens = (fx["tokens"] as! [Any]).int32s
        let ref = (fx["residual"] as! [Any]).map { ($0 as! [Any]).doubles }
        let ours = try m.residualStream(tokens: tokens, afterLayers: 1)
        var maxErr = 0.0, maxAbs = 0.0
        #expect(ref.count == tokens.count && ours.count == ref.count)
        #expect(zip(ref, ours).allSatisfy { $0.count == $1.count && $0.count == m.info.hiddenSize })
        for (r, o) in zip(ref, ours) {
            for (a, b) in zip(r, o) { maxErr = max(maxErr, abs(a - Double(b))); maxAbs = max(maxAbs, abs(a)) }
        }
        print("layer-0 vs float64: max abs error \(maxErr) (max |value| \(maxAbs))")
        // Achieved 9.1e-6 on values up to 33; the old bound (1e-3 · 33) was 3600× looser.
        #expect(maxErr < 5e-5)
    }
}
