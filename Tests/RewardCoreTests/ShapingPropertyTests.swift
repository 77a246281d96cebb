import Foundation
import PropertyBased
import Testing
@testable import RewardCore

/// Invariants of composition and RL-time shaping, on random inputs.
@Suite struct ShapingPropertyTests {
    static let rewards = Gen.double(in: -5...5).array(of: 1...12)

    @Test func minFormIsBelowEveryFutureStep() async {
        await propertyCheck(count: 300, input: Self.rewards) { r in
            let g = StepCredit.minForm(r)
            for t in 0..<r.count { for k in t..<r.count { #expect(g[t] <= r[k]) } }
            #expect(g.last == r.last)
        }
    }

    @Test func softMinApproachesMinAndStaysInRange() async {
        await propertyCheck(count: 200, input: Self.rewards) { r in
            let soft = StepCredit.softMinForm(r, temperature: 1e-3)
            let hard = StepCredit.minForm(r)
            for t in 0..<r.count {
                #expect(abs(soft[t] - hard[t]) < 1e-2)
                let warm = StepCredit.softMinForm(r, temperature: 2)[t]
                #expect(warm >= hard[t] - 1e-9 && warm <= r[t...].max()! + 1e-9)
            }
        }
    }

    @Test func deltaTelescopesToFirstMinusLast() async {
        await propertyCheck(count: 300, input: Self.rewards) { r in
            let d = StepShaping.delta(r)
            #expect(abs(d.reduce(0, +) - (r.first! - r.last!)) < 1e-9)
            #expect(abs(StepShaping.delta(r, keepLast: true).reduce(0, +) - r.first!) < 1e-9)
        }
    }

    @Test func clipNeverPositive() async {
        await propertyCheck(count: 200, input: Self.rewards, Gen.double(in: -1...1)) { r, eta in
            let clipped = StepShaping.clip(r, eta: eta)
            #expect(clipped.count == r.count)
            #expect(clipped.max()! <= 0)
            // Each value is exactly min(r − η, 0): a clip returning all zeros would fail here.
            for (c, x) in zip(clipped, r) { #expect(c == Swift.min(x - eta, 0)) }
        }
        #expect(StepShaping.clip([0.9, 0.2, -0.5], eta: 0.3) == [0, 0.2 - 0.3, -0.8])
    }

    @Test func groupNormalizedRewardsHaveMeanZero() async {
        let gen = Gen.double(in: -10...10).array(of: 1...40)
        await propertyCheck(count: 300, input: gen, Gen.int(in: 1...5)) { r, k in
            let groups = r.indices.map { Optional("g\($0 % k)") }
            let a = GroupNormalization().advantages(rewards: r, groups: groups)
            for g in Set(groups) {
                let idx = groups.indices.filter { groups[$0] == g }
                let mean = idx.map { a[$0] }.reduce(0, +) / Double(idx.count)
                #expect(abs(mean) < 1e-9)
            }
            let finite = a.allSatisfy { $0.isFinite }
            #expect(finite)
        }
    }

    @Test func degenerateGroupsGiveZero() {
        let a = GroupNormalization().advantages(rewards: [1, 1, 1, 5, 2], groups: ["a", "a", "a", "b", nil])
        #expect(a == [0, 0, 0, 0, 0])
        let b = GroupNormalization().advantages(rewards: [0, 1], groups: ["g", "g"])
        // Unbiased std of {0,1} is √0.5.
        #expect(abs(b[1] - 0.5 / (0.5.squareRoot() + 1e-6)) < 1e-12)
    }

    struct Const: SampleReward {
        var value: Double
        var kind: String { "const" }
        func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult { RewardResult(reward: value) }
    }

    @Test func zeroWeightDropsAComponent() async throws {
        let gen = Gen.double(in: -3...3).array(of: 1...5)
        await propertyCheck(count: 100, input: gen, gen, Gen.double(in: -100...100)) { ws, vs, extra in
            let n = min(ws.count, vs.count)
            let parts = (0..<n).map { CompositeReward.Part(name: "c\($0)", function: Const(value: vs[$0]), weight: ws[$0]) }
            let without = CompositeReward(parts: parts)
            let with = CompositeReward(parts: parts + [.init(name: "zero", function: Const(value: extra), weight: 0)])
            let s = [Sample(response: "x")]
            let a = try! await without.score(s)[0].reward
            let b = try! await with.score(s)[0].reward
            #expect(a == b)
        }
    }

    @Test func aggregations() {
        let r = [0.9, 0.5, 0.8]
        #expect(StepAggregation.min.apply(r) == 0.5)
        #expect(abs(StepAggregation.product.apply(r)! - 0.36) < 1e-12)
        #expect(abs(StepAggregation.mean.apply(r)! - 2.2 / 3) < 1e-12)
        #expect(StepAggregation.last.apply(r) == 0.8)
        #expect(abs(StepAggregation.geomean.apply(r)! - pow(0.36, 1.0 / 3)) < 1e-12)
        #expect(StepAggregation.min.apply([]) == nil)
        #expect(abs(PreferenceAsReward.apply(reward: 2, reference: 2) - 0.5) < 1e-12)
        #expect(PreferenceAsReward.apply(reward: 10, reference: 0) > 0.99)
    }
}
