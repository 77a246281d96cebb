import Foundation
import Testing
@testable import RewardVerifiers

/// Hard limits: hostile inputs end with an undecided or false verdict, never a hang or crash.
/// Work is bounded by counted steps (bytes scanned + parser steps + evaluation steps, see
/// `MathVerifier.verifyCounted`), not by wall time, which a shared machine makes flaky; the
/// speed itself is measured by `rewardkit bench verify`.
@Suite struct MathLimitsTests {
    let v = MathVerifier()

    /// The verdict, checking that the work stayed within a linear bound of the input plus the
    /// evaluation budget.
    func counted(_ gold: String, _ pred: String, sourceLocation: SourceLocation = #_sourceLocation) -> MathVerdict {
        let (r, work) = v.verifyCounted(gold: gold, prediction: pred)
        let bound = 8 * (gold.utf8.count + pred.utf8.count) + v.options.maxEvalSteps + 1000
        #expect(work <= bound, "work \(work) > \(bound)", sourceLocation: sourceLocation)
        return r
    }

    @Test func oversizedInputIsUndecided() {
        let r = counted("1", String(repeating: "9", count: 70_000))
        #expect(r.undecided && r.reason?.contains("longer") == true)
    }

    @Test func deepNestingIsBounded() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let r = counted("1", "$\(deep)$")
        #expect(r.undecided || !r.correct)
        let braces = "\\boxed{" + String(repeating: "\\frac{1}{", count: 3000) + "2" + String(repeating: "}", count: 3001)
        let r2 = counted("1", braces)
        #expect(!r2.correct)
    }

    @Test func hugeExponentsDoNotHang() {
        #expect(!counted("$2^{2^{2^{2^{2^{2}}}}}$", "$2^{99999999999}$").correct)
        let r2 = counted("$10^{10^{10}}$", "$10^{10^{10}}+1$")
        #expect(!r2.correct || r2.undecided)
        _ = counted("1e99999999", "1e99999999")
        _ = counted("$99999!$", "$99998!$")
    }

    @Test func manySetElementsUseTheStepBudget() {
        let big = (1...1500).map(String.init).joined(separator: ",")
        let rev = (1...1500).reversed().map(String.init).joined(separator: ",")
        let r = counted("$\(big)$", "$\(rev)$")
        #expect(r.correct || r.undecided)
    }

    /// The evaluation budget is a real cap: a comparison that needs more steps is undecided.
    @Test func stepBudgetIsEnforced() {
        var o = MathVerifyOptions()
        o.maxEvalSteps = 50
        let small = MathVerifier(options: o)
        let big = (1...40).map(String.init).joined(separator: ",")
        let rev = (1...40).reversed().map(String.init).joined(separator: ",")
        let r = small.verify(gold: "$\(big)$", prediction: "$\(rev)$")
        #expect(r.undecided && !r.correct)
        #expect(r.reason?.contains("50 steps") == true, "\(String(describing: r.reason))")
        #expect(v.verify(gold: "$\(big)$", prediction: "$\(rev)$").correct)
    }

    @Test func sixtyFourKilobyteResponseIsLinear() {
        var resp = ""
        while resp.utf8.count < 60_000 { resp += "Step: we compute $3 \\cdot 4 = 12$ and \\boxed{\\frac{1}{2}} so far. " }
        let (r, work) = v.verifyCounted(gold: "1/2", prediction: resp)
        #expect(r.correct)
        // Only the last box is parsed: the work is the scan plus a small constant.
        #expect(work <= resp.utf8.count + 200, "work \(work)")
    }
}
