import Foundation
import PropertyBased
import Testing
@testable import RewardVerifiers

/// Issue 16: notation the verifier does not model (integrals, sums, limits, set-builder,
/// operator names, ellipses, derivative marks, unknown symbols) fails closed — the verdict is
/// false with a reason, never true — on either side and wherever the answer was found.
@Suite struct MathFalsePositiveTests {
    let v = MathVerifier()

    func expectClosed(_ construct: String, _ unrelated: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (g, p) in [(construct, unrelated), (unrelated, construct)] {
            let r = v.verify(gold: g, prediction: p)
            #expect(!r.correct, "gold \(g) vs pred \(p) verified true", sourceLocation: sourceLocation)
        }
    }

    @Test func reportedCasesFailClosed() {
        let r1 = v.verify(gold: "\\int_0^1 x\\,dx", prediction: "0")
        #expect(!r1.correct)
        #expect(r1.reason?.contains("\\int") == true, "\(String(describing: r1.reason))")
        let r2 = v.verify(gold: "\\{x \\mid x>0\\}", prediction: "x = 0")
        #expect(!r2.correct)
        #expect(r2.reason?.contains("set-builder") == true, "\(String(describing: r2.reason))")
    }

    @Test func everySkippedConstructFailsClosed() {
        expectClosed("$\\int_0^1 x\\,dx$", "1")
        expectClosed("\\int_0^1 x\\,dx", "0")
        expectClosed("$\\{x : x > 0\\}$", "0")
        expectClosed("$\\sum_{k=1}^{10} k$", "10")
        expectClosed("$\\prod_{i=1}^{3} i$", "3")
        expectClosed("$\\lim_{x \\to 0} \\frac{\\sin x}{x}$", "0")
        // Operator names written as text would otherwise be skipped like a unit, leaving their arguments.
        expectClosed("$\\gcd(4,6)$", "$(4,6)$")
        expectClosed("$\\operatorname{lcm}(2,3)$", "$(2,3)$")
        expectClosed("$\\mathrm{gcd}(4,6)$", "$(4,6)$")
        expectClosed("$\\text{max}(3,5)$", "$(3,5)$")
        expectClosed("gcd(4,6)", "(4,6)")
        expectClosed("5 mod 3", "15")
        // (as a gold: a response "not 5" is searched for its answer like any prose, as math-verify does)
        #expect(!v.verify(gold: "not 5", prediction: "5").correct)
        // A bound in words is a range, not the number in it.
        for bound in ["at least 5", "more than 5", "5 or more", "less than 5", "at most 5 apples"] {
            #expect(!v.verify(gold: bound, prediction: "5").correct, "\(bound)")
        }
        // Ellipses: the list is not its last element.
        expectClosed("$1, 2, \\ldots, 10$", "10")
        expectClosed("1, 2, ..., 10", "10")
        expectClosed("$1 + 2 + \\cdots + 10$", "13")
        // Decorations that change meaning: conjugate/mean, derivatives, primes.
        expectClosed("$\\overline{z}$", "$z$")
        expectClosed("$\\bar{x}$", "$x$")
        expectClosed("$\\dot{x}$", "$x$")
        expectClosed("$y'$", "$y$")
        expectClosed("$f'(x)$", "$x f$")
        expectClosed("$\\frac{d}{dx} x^2$", "$x$")
        // Function application is not a product.
        expectClosed("$f(x)$", "$x f$")
        // Unicode symbols that have no ASCII reading here are not dropped.
        expectClosed("2α", "2")
        expectClosed("∫ x dx", "x")
        expectClosed("∑ 5", "5")
        // A bare LaTeX prediction is not cut to its last digit.
        expectClosed("9", "\\frac{10}{9}")
        expectClosed("0", "\\int_0^1 x\\,dx")
    }

    /// Supported look-alikes still work, so the rules above are not blanket refusals.
    @Test func supportedNeighboursStillVerify() {
        #expect(v.verify(gold: "3", prediction: "$\\log_2 8$").correct)
        #expect(v.verify(gold: "$\\bar{x}$", prediction: "$\\bar{x}$").correct)
        #expect(v.verify(gold: "$f(x)$", prediction: "$f(x)$").correct)
        #expect(v.verify(gold: "$2f(x)$", prediction: "$f(x) + f(x)$").correct)
        #expect(v.verify(gold: "$y'$", prediction: "$y'$").correct)
        #expect(v.verify(gold: "$2\\alpha$", prediction: "2α").correct)
        #expect(v.verify(gold: "$x(x+1)$", prediction: "$x^2+x$").correct)
        #expect(v.verify(gold: "5", prediction: "5 apples").correct)
        #expect(v.verify(gold: "$\\frac{10}{9}$", prediction: "\\frac{10}{9}").correct)
    }

    /// Templates of constructs the verifier does not evaluate; `a`, `b` are small integers and
    /// `x` a letter, so the "unrelated" answers below are exactly the fragments a skipping
    /// parser would have left behind.
    static func construct(_ k: Int, _ a: Int, _ b: Int, _ x: String) -> String {
        switch k % 14 {
        case 0: return "\\int_{\(a)}^{\(b)} \(x)\\,d\(x)"
        case 1: return "\\sum_{\(x)=\(a)}^{\(b)} \(x)"
        case 2: return "\\prod_{\(x)=\(a)}^{\(b)} \(x)"
        case 3: return "\\lim_{\(x) \\to \(a)} \(b)\(x)"
        case 4: return "\\{\(x) \\mid \(x) > \(a)\\}"
        case 5: return "\\{\(x) : \(x) < \(b)\\}"
        case 6: return "\\gcd(\(a), \(b))"
        case 7: return "\\operatorname{lcm}(\(a), \(b))"
        case 8: return "\\max(\(a), \(b))"
        case 9: return "\(a), \(a + 1), \\ldots, \(b)"
        case 10: return "\\frac{d}{d\(x)} \(x)^{\(b)}"
        case 11: return "\\overline{\(x)} + \(a)"
        case 12: return "\(x)' + \(b)"
        default: return "\\mathrm{det}(\(a))"
        }
    }

    @Test func unsupportedConstructsNeverVerifyAgainstUnrelatedAnswers() async {
        let letters = ["x", "t", "n", "k"]
        await propertyCheck(count: 400, input: Gen.int(in: 0...13), Gen.int(in: 0...20), Gen.int(in: 0...20), Gen.int(in: 0...3), Gen.int(in: 0...5)) { k, a, b, li, wrap in
            let x = letters[li]
            let c = Self.construct(k, a, b, x)
            let wrapped: String
            switch wrap {
            case 0: wrapped = "$\(c)$"
            case 1: wrapped = c
            case 2: wrapped = "The answer is $\(c)$."
            case 3: wrapped = "\\boxed{\(c)}"
            case 4: wrapped = "Final Answer: $\(c)$"
            default: wrapped = "\\[\(c)\\]"
            }
            let unrelated = ["\(a)", "\(b)", "0", "1", "\(x)", "$\(x) = \(a)$", "$(\(a), \(b))$", "$\(b)\(x)$", "$\(x)^{\(b)}$",
                             "$\(x) + \(a)$", "$\(a) + \(b)$"]
            for u in unrelated {
                let r1 = v.verify(gold: wrapped, prediction: u)
                #expect(!r1.correct, "gold \(wrapped) | pred \(u)")
                let r2 = v.verify(gold: u, prediction: wrapped)
                #expect(!r2.correct, "gold \(u) | pred \(wrapped)")
            }
        }
    }
}
