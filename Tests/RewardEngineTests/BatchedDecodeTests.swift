import CEngineKernels
import Foundation
import Testing
@testable import RewardEngine

/// Batched decoding (`rk_gemm_q8`, `SequenceBatch`, `generate(requests:)`) against decoding each
/// sequence alone: the same logits bit for bit, hence the same tokens for the same seeds.
@Suite(.serialized) struct BatchedDecodeTests {
    // MARK: kernel

    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func gemmEqualsRowByRowDotBitForBit(type: GGMLType) {
        var rng = KernelTests.RNG(s: 11 + UInt64(type.rawValue))
        let rows = 37, cols = 32 * 6, nb = cols / 32
        let w = KernelTests.randomRows(type, rows: rows, cols: cols, rng: &rng)
        for n in [2, 3, 4, 5, 7, 9, 13] {  // 8-sequence microkernel: full, padded (5–7) and mixed groups
            let x = (0..<(n * cols)).map { _ in rng.float(-2, 2) }
            var q = [Int8](repeating: 0, count: n * cols), d = [Float](repeating: 0, count: n * nb), s = d
            rk_quantize_q8(x, Int64(n * cols), &q, &d, &s)
            // Rows 3..<34 (odd range: partial weight-row and activation groups), written with a stride.
            let r0 = 3, r1 = 34, stride = 40
            let seed = (0..<(n * stride)).map { Float($0 % 7) * 0.25 }
            for accumulate in [Int32(0), 1] {
                var batched = seed
                w.withUnsafeBytes {
                    rk_gemm_q8(Int32(type.rawValue), $0.baseAddress!, Int64(nb), q, d, s, Int64(n), &batched, Int64(stride),
                               Int64(r0), Int64(r1), accumulate)
                }
                var alone = seed
                for i in 0..<n {
                    w.withUnsafeBytes { wp in
                        q.withUnsafeBufferPointer { qp in
                            alone.withUnsafeMutableBufferPointer { y in
                                rk_vec_dot_q8(Int32(type.rawValue), wp.baseAddress!, Int64(nb), qp.baseAddress! + i * cols,
                                              Array(d[(i * nb)...]), Array(s[(i * nb)...]), y.baseAddress! + i * stride,
                                              Int64(r0), Int64(r1), accumulate)
                            }
                        }
                    }
                }
                #expect(batched == alone, "type \(type) n \(n) accumulate \(accumulate)")
                // Outside the row range nothing is written.
                for i in 0..<n { #expect(batched[(i * stride + r1 - r0)..<((i + 1) * stride)] == seed[(i * stride + r1 - r0)..<((i + 1) * stride)]) }
            }
        }
    }

    /// Large batches over wide rows (the transposed activation scales no longer fit the kernel's stack
    /// buffer, and many 4×4 groups per weight-row group): still bit-identical to row-by-row dots. (No
    /// portable-body comparison here: forcing the portable path is process-wide and this suite runs
    /// concurrently with model tests; KernelTests compares both bodies with a reference.)
    @Test(arguments: [GGMLType.q4_1, .q8_0])
    func largeBatchGemmStaysBitExact(type: GGMLType) {
        var rng = KernelTests.RNG(s: 77 + UInt64(type.rawValue))
        let rows = 21, cols = 32 * 48, nb = cols / 32
        let w = KernelTests.randomRows(type, rows: rows, cols: cols, rng: &rng)
        for n in [16, 90] {
            let x = (0..<(n * cols)).map { _ in rng.float(-3, 3) }
            var q = [Int8](repeating: 0, count: n * cols), d = [Float](repeating: 0, count: n * nb), s = d
            rk_quantize_q8(x, Int64(n * cols), &q, &d, &s)
            var batched = [Float](repeating: 0, count: n * rows)
            w.withUnsafeBytes { rk_gemm_q8(Int32(type.rawValue), $0.baseAddress!, Int64(nb), q, d, s, Int64(n), &batched, Int64(rows), 0, Int64(rows), 0) }
            var alone = [Float](repeating: 0, count: n * rows)
            for i in 0..<n {
                let qi = Array(q[(i * cols)..<((i + 1) * cols)]), di = Array(d[(i * nb)..<((i + 1) * nb)]), si = Array(s[(i * nb)..<((i + 1) * nb)])
                var y = [Float](repeating: 0, count: rows)
                w.withUnsafeBytes { rk_vec_dot_q8(Int32(type.rawValue), $0.baseAddress!, Int64(nb), qi, di, si, &y, 0, Int64(rows), 0) }
                alone.replaceSubrange((i * rows)..<((i + 1) * rows), with: y)
            }
            #expect(batched == alone, "type \(type) n \(n)")
        }
    }

    /// `SequenceBatch.sample(_:with:)` samples the sequences of a step in parallel: the same tokens as
    /// sampling them one after another with the same samplers, and the samplers advance the same way.
    @Test func parallelStepSamplingEqualsSerial() throws {
        let m = try TestModel.get()
        let b = SequenceBatch(model: m, reserve: 8)
        let first = try b.add(prompt: m.tokenize(Self.prompts[0], parseSpecial: false))
        var ids = [first]
        for _ in 0..<7 { ids.append(try b.fork(first)) }
        let opts = GenerationOptions(temperature: 1.2, topP: 0.95, seed: 5)
        var parallel = (0..<ids.count).map { Sampler(options: opts, stream: $0) }
        var serial = parallel
        for _ in 0..<3 {
            // Sampling may modify logits: the serial pass reads copies taken before the parallel pass.
            let saved = try ids.map { Array(try b.logits($0)) }
            let got = try b.sample(ids, with: &parallel)
            let want = (0..<ids.count).map { i in serial[i].sample(saved[i], history: []) }
            #expect(got == want)
            try b.step((0..<ids.count).map { (ids[$0], got[$0]) })
        }
        #expect(throws: EngineError.self) { try b.sample(ids, with: &serial, histories: [[]]) }
    }

    // MARK: model

    static let prompts = ["The capital of France is", "def fibonacci(n):", "Once upon a time, in a small village,"]

    /// Greedy-decodes `steps` tokens of one prompt alone; returns the tokens and every step's logits.
    static func alone(_ m: GGUFLanguageModel, _ prompt: [Int32], steps: Int) throws -> (tokens: [Int32], logits: [[Float]]) {
        let b = SequenceBatch(model: m, reserve: steps)
        let id = try b.add(prompt: prompt)
        var toks: [Int32] = [], logits: [[Float]] = []
        for _ in 0..<steps {
            let l = try b.logits(id)
            logits.append(Array(l))
            let t = Sampler.argmax(l)
            toks.append(t)
            try b.step([(id, t)])
        }
        return (toks, logits)
    }

    static func checkBatchedEqualsAlone(_ m: GGUFLanguageModel) throws {
        let steps = 12
        // Twelve sequences (more than the old 8-row kernel limit): 3 prompts × 4 copies, one step each.
        let toks = prompts.map { m.tokenize($0, parseSpecial: false) }
        let ref = try toks.map { try alone(m, $0, steps: steps) }
        let b = SequenceBatch(model: m, reserve: steps)
        var ids: [(SequenceBatch.ID, Int)] = []
        for (p, t) in toks.enumerated() {
            let first = try b.add(prompt: t)
            ids.append((first, p))
            for _ in 0..<3 { ids.append((try b.fork(first), p)) }
        }
        for step in 0..<steps {
            var feed: [(id: SequenceBatch.ID, token: Int32)] = []
            for (id, p) in ids {
                let l = try b.logits(id)
                #expect(l.elementsEqual(ref[p].logits[step]), "prompt \(p) step \(step): batched logits differ from alone")
                let t = Sampler.argmax(l)
                #expect(t == ref[p].tokens[step])
                feed.append((id, t))
            }
            try b.step(feed)
        }
    }

    @Test func batchedDecodeEqualsAloneInt8Path() throws {
        try Self.checkBatchedEqualsAlone(try TestModel.get())
    }

    @Test func batchedDecodeEqualsAloneExactF32Path() throws {
        try Self.checkBatchedEqualsAlone(try TestModel.exact())
    }

    /// Sequences join, fork and finish at different steps; each still matches its solo run exactly.
    @Test func continuousBatchingJoinForkFinishMidBatch() throws {
        let m = try TestModel.get()
        let steps = 10
        let toks = Self.prompts.map { m.tokenize($0, parseSpecial: false) }
        let refA = try Self.alone(m, toks[0], steps: steps)
        let refB = try Self.alone(m, toks[1], steps: steps)
        let b = SequenceBatch(model: m, reserve: 32)
        let a = try b.add(prompt: toks[0])
        var live: [SequenceBatch.ID: (ref: [Int32], at: Int)] = [a: (refA.tokens, 0)]
        var forked: SequenceBatch.ID? = nil
        var forkedTokens: [Int32] = []
        for step in 0..<(steps + 4) {
            if step == 3 {   // joins mid-batch
                let joined = try b.add(prompt: toks[1])
                live[joined] = (refB.tokens, 0)
            }
            if step == 5 {
                // A fork of A continues A's greedy path: it must match A's solo run from here on.
                let f = try b.fork(a)
                forked = f
                live[f] = (refA.tokens, live[a]!.at)
            }
            var feed: [(id: SequenceBatch.ID, token: Int32)] = []
            for (id, st) in live.sorted(by: { $0.key < $1.key }) {
                let t = Sampler.argmax(try b.logits(id))
                #expect(t == st.ref[st.at], "sequence \(id.raw) token \(st.at)")
                if id == forked { forkedTokens.append(t) }
                if st.at + 1 == steps {
                    b.remove(id)          // finishes while the others continue
                    live[id] = nil
                } else {
                    live[id] = (st.ref, st.at + 1)
                    feed.append((id, t))
                }
            }
            if feed.isEmpty { break }
            try b.step(feed)
        }
        #expect(live.isEmpty)
        #expect(b.count == 0)
        #expect(forkedTokens == Array(refA.tokens[5...]))
    }

    /// A fork decodes exactly like a fresh sequence fed the same tokens (its copied KV is the parent's).
    @Test func forkedDecodeEqualsFreshDecode() throws {
        let m = try TestModel.get()
        let prompt = m.tokenize(Self.prompts[2], parseSpecial: false)
        let b = SequenceBatch(model: m, reserve: 16)
        let parent = try b.add(prompt: prompt)
        let path: [Int32] = try (0..<4).map { _ in
            let t = Sampler.argmax(try b.logits(parent))
            try b.step([(parent, t)])
            return t
        }
        let child = try b.fork(parent)
        #expect(try b.length(child) == prompt.count + 4)
        let fresh = try b.add(prompt: prompt)
        for t in path { try b.step([(fresh, t)]) }
        // Both advance together with a different token than the parent's greedy choice.
        let alt: Int32 = 42
        try b.step([(child, alt), (fresh, alt)])
        #expect(try b.logits(child).elementsEqual(try b.logits(fresh)))
        try b.step([(parent, alt)])
        #expect(try b.logits(parent).elementsEqual(try b.logits(child)))
    }

    /// `generate(requests:)` gives every sample the tokens it gets when its request runs alone, whatever the
    /// batch size; and `generate(prompt:)` (samples > 1) is the same path.
    @Test func scheduledGenerationIsBatchInvariant() async throws {
        let m = try TestModel.get()
        let reqs = Self.prompts.enumerated().map { i, p in
            GenerationRequest(prompt: m.tokenize(p, parseSpecial: false),
                              options: GenerationOptions(maxTokens: 10 + 3 * i, temperature: 0.9, topP: 0.95, seed: UInt64(100 + i),
                                                         samples: 3, stopAtEndOfGeneration: false))
        }
        let together = try await m.generate(requests: reqs, maxBatch: 9)
        let oneAtATime = try await m.generate(requests: reqs, maxBatch: 1)
        #expect(together == oneAtATime)
        for (i, r) in reqs.enumerated() {
            let single = try await m.generate(prompt: r.prompt, options: r.options, onText: nil)
            #expect(single == together[i])
            #expect(together[i].map(\.tokens.count) == [Int](repeating: 10 + 3 * i, count: 3))
        }
        // Different streams: the three samples of a request are not all the same.
        #expect(Set(together[0].map(\.tokens)).count > 1)
    }

    @Test func sequenceBatchRejectsBadInput() throws {
        let m = try TestModel.get()
        let b = SequenceBatch(model: m)
        #expect(throws: EngineError.self) { try b.add(prompt: []) }
        let id = try b.add(prompt: [1, 2, 3])
        #expect(throws: EngineError.self) { try b.step([(id, Int32(m.config.vocabSize))]) }
        #expect(throws: EngineError.self) { try b.step([(id, 5), (id, 6)]) }
        b.remove(id)
        #expect(throws: EngineError.self) { try b.step([(id, 5)]) }
        #expect(throws: EngineError.self) { try b.fork(id) }
    }
}
