import Foundation
import Testing
import RewardEngine

/// The windowed sampler (sorts only the tokens near the best) against a full-sort reference over a
/// vocabulary-sized logits vector: the same draws for the same seed, filter by filter.
struct SamplerFilterTests {
    /// Full sort of every candidate, then top-k → top-p → min-p → temperature → draw (the textbook chain).
    /// `sorted`: every index, by (logit desc, id asc) — computed once per logits vector.
    static func reference(_ logits: [Float], _ sorted: [Int], _ o: GenerationOptions, _ rng: inout SeededGenerator) -> Int32 {
        let mx = logits.max()!
        let cutoff = mx - 40 * max(o.temperature, 1e-3)
        var cand = Array(sorted.prefix { logits[$0] >= cutoff })
        if o.topK > 0 && cand.count > o.topK { cand.removeLast(cand.count - o.topK) }
        let e = cand.map { exp(Double(logits[$0]) - Double(mx)) }
        let z = e.reduce(0, +)
        var keep = cand.count
        if o.topP < 1 {
            var acc = 0.0
            for i in e.indices {
                acc += e[i] / z
                if acc >= Double(o.topP) { keep = i + 1; break }
            }
        }
        if o.minP > 0, let cut = e[..<keep].firstIndex(where: { $0 < e[0] * Double(o.minP) }) { keep = max(1, cut) }
        let t = Double(o.temperature)
        let w = cand[..<keep].map { exp((Double(logits[$0]) - Double(logits[cand[0]])) / t) }
        var u = rng.nextUnit() * w.reduce(0, +)
        for i in w.indices {
            u -= w[i]
            if u < 0 { return Int32(cand[i]) }
        }
        return Int32(cand[keep - 1])
    }

    static func vocabLogits(seed: UInt64, n: Int = 49152, spread: Float) -> [Float] {
        var g = SeededGenerator(seed: seed)
        // A few strong tokens over a broad tail, like a real next-token distribution.
        var l = (0..<n).map { _ in Float(g.nextUnit() * g.nextUnit()) * spread - spread / 2 }
        for k in 0..<20 { l[Int(g.next() % UInt64(n))] = spread / 2 + Float(k % 5) }
        return l
    }

    @Test(arguments: [
        GenerationOptions(temperature: 0.7, topP: 0.95, seed: 1),
        GenerationOptions(temperature: 1.0, topP: 0.5, seed: 2),
        GenerationOptions(temperature: 1.3, topK: 40, seed: 3),
        GenerationOptions(temperature: 0.8, topK: 50, topP: 0.9, seed: 4),
        GenerationOptions(temperature: 1.0, minP: 0.05, seed: 5),
        GenerationOptions(temperature: 1.0, topP: 0.999, seed: 6),
    ])
    func filtersMatchFullSortReference(options: GenerationOptions) {
        for (k, spread) in [Float(6), 12, 30].enumerated() {
            let logits = Self.vocabLogits(seed: options.seed &+ UInt64(k), spread: spread)
            let sorted = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            var s = Sampler(options: options)
            var rng = SeededGenerator(seed: options.seed)
            for i in 0..<60 {
                let got = s.sample(logits, history: [])
                let want = Self.reference(logits, sorted, options, &rng)
                #expect(got == want, "draw \(i), spread \(spread)")
                if got != want { return }
            }
        }
    }

    /// Plain temperature sampling (no filters) follows the softmax over a full vocabulary.
    /// Top-p alone runs the bucketed nucleus (no sort of the nucleus): flat and peaked vocabularies, low
    /// and high temperatures, and runs of tied logits (ties order by id, as in the reference). Not covered:
    /// a flat vocabulary of a few huge tie groups, where the cut lands inside a group of thousands and the
    /// reference's own rounding decides it (the windowed sorter before this one differed there as well).
    @Test func bucketedNucleusMatchesFullSortReference() {
        for (o, spread) in [(GenerationOptions(temperature: 0.8, topP: 0.95, seed: 21), Float(2)),
                            (GenerationOptions(temperature: 0.2, topP: 0.9, seed: 22), 6),
                            (GenerationOptions(temperature: 1.5, topP: 0.7, seed: 23), 60),
                            (GenerationOptions(temperature: 0.8, topP: 0.3, seed: 24), 12)] {
            for ties in spread >= 60 ? [false, true] : [false] {
                var logits = Self.vocabLogits(seed: o.seed, spread: spread)
                // Quantized logits: thousands of exact ties across the nucleus.
                if ties { logits = logits.map { ($0 * 4).rounded() / 4 } }
                let sorted = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
                var s = Sampler(options: o)
                var rng = SeededGenerator(seed: o.seed)
                for i in 0..<100 {
                    let got = s.sample(logits, history: [])
                    let want = Self.reference(logits, sorted, o, &rng)
                    #expect(got == want, "T \(o.temperature) p \(o.topP) spread \(spread) ties \(ties) draw \(i)")
                    if got != want { break }
                }
            }
        }
    }

    @Test func unfilteredDrawFollowsSoftmaxOnLargeVocab() {
        var l = [Float](repeating: -30, count: 49152)
        l[7] = 2; l[49151] = 1; l[30000] = 0; l[12345] = -1
        var s = Sampler(options: GenerationOptions(temperature: 1, seed: 9))
        var counts: [Int32: Int] = [:]
        let n = 4000
        for _ in 0..<n { counts[s.sample(l, history: []), default: 0] += 1 }
        let z = [2.0, 1, 0, -1].map { exp($0) }.reduce(0, +) + 49148 * exp(-30.0)
        for (id, v) in [(Int32(7), 2.0), (49151, 1), (30000, 0), (12345, -1)] {
            #expect(abs(Double(counts[id, default: 0]) / Double(n) - exp(v) / z) < 0.03)  // > 3.9 σ at n = 4000
        }
        // Masked tokens (−∞) are never drawn.
        l = [Float](repeating: -.infinity, count: 1000)
        l[999] = 0; l[3] = 0
        #expect(Set((0..<200).map { _ in s.sample(l, history: []) }) == [3, 999])
    }

    @Test func stopStringSpanningPiecesAndScalars() {
        var m = StopStringMatcher(stops: ["\n\nQ:", "é!"])
        var out = ""
        for p in ["Answer: 4", "\n", "\nQ", ":", " next"] {
            let r = m.append(p)
            out += r.release
            if r.stopped { break }
        }
        #expect(out == "Answer: 4")
        #expect(m.text == "Answer: 4")
        var e = StopStringMatcher(stops: ["é!"])
        #expect(e.append("caf").release == "caf")
        #expect(e.append("é").release == "")
        let r = e.append("!x")
        #expect(r.stopped && r.release == "" && e.text == "caf")
    }
}
