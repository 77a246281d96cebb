import Foundation
import Testing
@testable import RewardEngine

/// Generation prefill through the int8 kernel (`GGUFLanguageModel.PrefillPrecision.int8`, the default): every
/// row is computed as a decode step, so a sequence's logits do not depend on how its tokens reached the KV
/// cache — prefilled in one pass, appended after a cached prefix, or decoded one at a time — bit for bit.
@Suite(.serialized) struct GenerationPrefillTests {
    /// A prompt long enough for split-K attention chunks (≥ 128 keys) and for more than one 256-row
    /// attention plan in one pass.
    static func longPrompt(_ m: GGUFLanguageModel) -> [Int32] {
        let text = String(repeating: "The quick brown fox jumps over the lazy dog while the farmer counts his sheep. ", count: 24)
        let t = m.tokenize(text, parseSpecial: false)
        return Array(t.prefix(300))
    }

    /// Next-token logits after feeding `parts` in turn: the first by `add`, the others by `extend`.
    static func logits(_ m: GGUFLanguageModel, _ parts: [[Int32]]) throws -> [Float] {
        let b = SequenceBatch(model: m, reserve: 0)
        let id = try b.add(prompt: parts[0])
        for p in parts.dropFirst() { try b.extend(id, tokens: p) }
        return Array(try b.logits(id))
    }

    @Test func prefillInOnePassEqualsPrefixThenAppendBitForBit() throws {
        let m = try TestModel.get()
        #expect(m.prefillPrecision == .int8)
        let p = Self.longPrompt(m)
        #expect(p.count == 300)
        let whole = try Self.logits(m, [p])
        // Split points: tiny prefix, inside the first attention chunk, across the 128-key and 256-row boundaries.
        for k in [1, 7, 127, 200, 299] {
            let split = try Self.logits(m, [Array(p[..<k]), Array(p[k...])])
            #expect(split == whole, "prefill(A+B) != prefill(A) + append(B) at split \(k)")
        }
        let three = try Self.logits(m, [Array(p[..<50]), Array(p[50..<140]), Array(p[140...])])
        #expect(three == whole)
    }

    /// Decoding known tokens one at a time (`step`) gives the same logits as prefilling them.
    @Test func prefillEqualsTokenByTokenDecodeBitForBit() throws {
        let m = try TestModel.get()
        let p = Array(Self.longPrompt(m).prefix(150))
        let b = SequenceBatch(model: m, reserve: p.count)
        let decoded = try b.add(prompt: Array(p[..<3]))
        for t in p[3...] { try b.step([(decoded, t)]) }
        let stepped = Array(try b.logits(decoded))
        #expect(stepped == (try Self.logits(m, [p])))
        // In a batched step with another sequence too.
        let other = try b.add(prompt: Array(p[..<20]))
        let c = try b.add(prompt: Array(p[..<149]))
        try b.step([(other, p[20]), (c, p[149])])
        #expect(Array(try b.logits(c)) == stepped)
    }

    /// Scoring stays f32 exact: the int8 prefill changes generation only. Its logits differ from the f32
    /// scoring logits at the same position (different arithmetic), yet agree closely.
    @Test func scoringPathIsNotInt8() async throws {
        let m = try TestModel.get()
        let p = Array(Self.longPrompt(m).prefix(40))
        let gen = try Self.logits(m, [p])
        // Scoring's log p(argmax | prefix) comes from f32 sgemm: close to the int8 prefill's, not equal.
        let best = gen.indices.max { gen[$0] < gen[$1] }!
        let mx = Double(gen[best])
        let genLogprob = mx - (log(gen.reduce(0.0) { $0 + exp(Double($1) - mx) }) + mx)
        let scored = try await m.logprobs(context: p, continuation: [Int32(best)])
        #expect(abs(scored.tokenLogprobs[0] - genLogprob) < 0.05)
        // The exact-precision model's prefill is f32.
        let e = try TestModel.exact()
        #expect(e.prefillPrecision == .exact)
    }
}
