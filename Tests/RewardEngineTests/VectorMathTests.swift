import Testing
@testable import RewardEngine

/// The SIMD helpers that replace the standard library's lane-by-lane clamp/max must give the same lanes,
/// NaN and infinities included (exp8 and the sampler depend on the NaN → lower-bound behaviour).
@Suite("VectorMath")
struct VectorMathTests {
    typealias V8 = VectorMath.V8

    @Test func clamp8AndMax8MatchTheStandardLibrary() {
        let specials: [Float] = [.nan, -.infinity, .infinity, -87.5, -87, 0, -0.0, 1e-30, 87.999, 88, 88.5, 3e38, -3e38]
        var g = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var x = V8(), y = V8()
            for k in 0..<8 {
                x[k] = round < 20 ? specials[(round * 8 + k) % specials.count] : Float.random(in: -200...200, using: &g)
                y[k] = specials[(round + 3 * k) % specials.count]
            }
            let lo = V8(repeating: -87), hi = V8(repeating: 88)
            let want = x.clamped(lowerBound: lo, upperBound: hi), got = VectorMath.clamp8(x, lo, hi)
            let wantMax = pointwiseMax(x, y), gotMax = VectorMath.max8(x, y)
            for k in 0..<8 {
                #expect(want[k].bitPattern == got[k].bitPattern || (want[k] == 0 && got[k] == 0), "clamp \(x[k])")
                // pointwiseMax prefers the non-NaN lane; max8 keeps `a` unless b > a: same unless a is NaN
                // (never so where it is used: the running max starts at −∞ and only takes non-NaN lanes).
                if !x[k].isNaN {
                    #expect(wantMax[k] == gotMax[k] || (wantMax[k].isNaN && gotMax[k].isNaN), "max \(x[k]) \(y[k])")
                }
            }
            #expect(VectorMath.exp8(x)[0].isFinite || x[0] > 88)
        }
    }
}
