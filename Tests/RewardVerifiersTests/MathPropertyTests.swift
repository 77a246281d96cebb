import Foundation
import PropertyBased
import Testing
@testable import RewardVerifiers

/// Random LaTeX fragments for fuzzing: well-formed pieces and hostile ones mixed, so
/// the parser sees unbalanced braces, huge numbers and deep nesting.
enum MathFuzz {
    static let fragments: [String] = [
        "\\frac{", "}", "{", "(", ")", "[", "]", "\\sqrt", "\\sqrt[3]{", "^", "_", "0", "1", "7", "42", ".5", "3.14", ",",
        "x", "y", "e", "i", "\\pi", "\\infty", "\\boxed{", "$", "\\left(", "\\right)", "=", "\\le", "<", "+", "-", "\\cdot",
        "\\times", "/", "\\begin{pmatrix}", "&", "\\\\", "\\end{pmatrix}", "999999999999", "^{99999}", "!", "\\%", "%",
        "\\text{ cm}", "\\pm", "\\{", "\\}", "\\cup", "\\sin", "\\log_2", "\\ln", " ", "1,000", "e7", "\\dfrac12", "|",
        "The answer is ", "#### ", "Final Answer: ", "\\(", "\\)", "\\[", "\\]", "^\\circ", "\\mathrm{", "\\binom{",
    ]

    static func text(_ idx: [Int]) -> String { idx.map { fragments[$0 % fragments.count] }.joined() }
}

@Suite struct MathPropertyTests {
    let v = MathVerifier()

    @Test func everyParsedAnswerEqualsItself() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...10_000).array(of: 1...12)) { idx in
            let s = MathFuzz.text(idx)
            if (try? v.parse(answer: s)) != nil {
                let r = v.verify(gold: "$\(s)$", prediction: "$\(s)$")
                #expect(r.correct || r.undecided, "\(s)")
            }
        }
    }

    @Test func rationalEqualsItsDecimal() async {
        await propertyCheck(count: 300, input: Gen.int(in: -100_000...100_000), Gen.int(in: 1...9999)) { p, q in
            let d = Double(p) / Double(q)
            let dec = String(format: "%.10f", d)
            #expect(v.equivalent("\\frac{\(p)}{\(q)}", dec), "\(p)/\(q) vs \(dec)")
            #expect(v.equivalent("\(p)/\(q)", "\\frac{\(p * 3)}{\(q * 3)}"))
            if p != 0 { #expect(!v.equivalent("\\frac{\(p)}{\(q)}", "\\frac{\(p + 1)}{\(q)}")) }
        }
    }

    @Test func setOrderDoesNotMatter() async {
        await propertyCheck(count: 200, input: Gen.int(in: -50...50).array(of: 1...8)) { xs in
            let a = "\\{" + xs.map(String.init).joined(separator: ", ") + "\\}"
            let b = "\\{" + xs.reversed().map(String.init).joined(separator: ",") + "\\}"
            #expect(v.equivalent(a, b))
        }
    }

    @Test func polynomialExpansions() async {
        await propertyCheck(count: 150, input: Gen.int(in: -9...9), Gen.int(in: -9...9)) { a, b in
            // (x+a)(x+b) = x^2 + (a+b)x + ab
            let lhs = "(x+\(a))(x+\(b))"
            let rhs = "x^2+\(a + b)x+\(a * b)".replacingOccurrences(of: "+-", with: "-")
            #expect(v.equivalent(lhs, rhs), "\(lhs) vs \(rhs)")
            #expect(!v.equivalent(lhs, rhs + "+1"))
        }
    }

    /// Bounded fuzz for CI (the long run is scripts/math/fuzz.sh): no crash, and every pair's
    /// counted work (bytes + parser steps + evaluation steps) stays within a linear bound of
    /// its input plus the evaluation budget — a count, so the test cannot flake under load.
    @Test func fuzzNeverHangs() async {
        let worst = Mutex(0)
        await propertyCheck(count: 1500, input: Gen.int(in: 0...10_000).array(of: 0...60), Gen.int(in: 0...10_000).array(of: 0...20)) { a, b in
            let g = MathFuzz.text(b), p = MathFuzz.text(a)
            let (_, work) = v.verifyCounted(gold: g, prediction: p)
            _ = StepArithmeticChecker().check(step: p)
            worst.withLock { $0 = max($0, work) }
            #expect(work <= 8 * (g.utf8.count + p.utf8.count) + v.options.maxEvalSteps + 1000, "work \(work): \(g) | \(p)")
        }
        print("fuzz worst work:", worst.withLock { $0 })
    }
}

/// Minimal lock for the test's shared maximum.
final class Mutex<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func withLock<R>(_ f: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return f(&value) }
}
