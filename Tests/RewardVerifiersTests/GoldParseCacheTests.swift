import Foundation
import Testing
@testable import RewardVerifiers

/// The gold-parse cache changes cost, never verdicts, and stays bounded.
@Suite struct GoldParseCacheTests {
    @Test func cachedVerdictsEqualFreshOnes() {
        let cases: [(String, String)] = [("3/4", "\\boxed{\\frac{3}{4}}"), ("3/4", "\\boxed{0.75}"), ("3/4", "\\boxed{0.7}"),
                                         ("\\frac{1}{2}", "The answer is 1/2."), ("$x=2$", "\\boxed{2}"), ("#### 72", "so 72"),
                                         ("9 (apples)", "\\boxed{9}"), ("x > 3", "\\boxed{4}"), ("", "\\boxed{1}"), ("Paris", "\\boxed{Paris}")]
        let shared = MathVerifier()
        for round in 0..<3 {  // round 0 fills the cache, rounds 1–2 hit it
            for (g, p) in cases {
                let fresh = MathVerifier().verify(gold: g, prediction: p)
                #expect(shared.verify(gold: g, prediction: p) == fresh, "round \(round): \(g) vs \(p)")
            }
        }
        #expect(shared.goldCache.count == Set(cases.map(\.0)).count)
        // A hit skips the gold's parse: less counted work than the first call.
        let v = MathVerifier()
        let first = v.verifyCounted(gold: "\\frac{12345}{678}", prediction: "\\boxed{1}").work
        let again = v.verifyCounted(gold: "\\frac{12345}{678}", prediction: "\\boxed{1}").work
        #expect(again < first)
    }

    @Test func boundedInEntriesAndKeySize() {
        let cache = GoldParseCache(capacity: 64, maxKeyBytes: 16)
        var made = 0
        // Each key twice: half the lookups hit, so the cache stays in use (see the bypass test).
        for i in 0..<10_000 {
            _ = cache.parse(String(i)) { made += 1; return MathVerifier.GoldParse() }
            _ = cache.parse(String(i)) { made += 1; return MathVerifier.GoldParse() }
        }
        #expect(made == 10_000)
        #expect(cache.count <= 2 * 64)
        // Recent keys are still there; a long key is never kept.
        _ = cache.parse("9999") { made += 1; return MathVerifier.GoldParse() }
        #expect(made == 10_000)
        let long = String(repeating: "1", count: 17)
        _ = cache.parse(long) { MathVerifier.GoldParse() }
        _ = cache.parse(long) { made += 1; return MathVerifier.GoldParse() }
        #expect(made == 10_001)
    }

    @Test func distinctGoldsBypassTheCacheAndRepeatsBringItBack() {
        let cache = GoldParseCache()
        var made = 0
        for i in 0..<20_000 { _ = cache.parse("gold \(i)") { made += 1; return MathVerifier.GoldParse() } }
        #expect(made == 20_000)
        let bypassing = (0..<GoldParseCache.shards).filter { cache.bypassing(shard: $0) }
        #expect(!bypassing.isEmpty)
        // Skipping the cache changes cost only: verdicts on distinct golds stay the same.
        let v = MathVerifier()
        for i in 0..<3000 {
            let g = String(1000 + i), p = "so the answer is \\boxed{\(1000 + i % 7)}"
            #expect(v.verify(gold: g, prediction: p) == MathVerifier(goldCacheCapacity: 0).verify(gold: g, prediction: p))
        }
        // A gold that repeats is cached again once its shard's bypass has run out.
        for _ in 0..<(GoldParseCache.bypassCalls + 2 * GoldParseCache.window) { _ = cache.parse("7") { MathVerifier.GoldParse() } }
        made = 0
        for _ in 0..<100 { _ = cache.parse("7") { made += 1; return MathVerifier.GoldParse() } }
        #expect(made == 0)
    }
}
