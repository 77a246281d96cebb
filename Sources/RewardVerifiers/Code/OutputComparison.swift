import Foundation
import RewardCore

/// How a program's stdout is compared with the expected output (in the parent, never in the jail).
public enum OutputComparison: String, Sendable, CaseIterable {
    /// LiveCodeBench `grade_stdio`: strip all, split lines, strip each; equal line counts; each line
    /// equal, or equal token by token as exact decimals.
    case lcb
    /// SandboxFusion: like lcb but case-insensitive, one trailing empty line dropped, floats equal
    /// within relative 1e-5.
    case sandboxfusion
    /// Equal after removing trailing newlines.
    case exact

    public func matches(_ output: String, _ expected: String) -> Bool {
        switch self {
        case .exact:
            return OutputComparison.dropTrailingNewlines(output) == OutputComparison.dropTrailingNewlines(expected)
        case .lcb:
            let a = OutputComparison.lines(output.trimmed), b = OutputComparison.lines(expected.trimmed)
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { x, y in x == y || OutputComparison.tokensEqual(x, y, tolerance: nil) }
        case .sandboxfusion:
            var a = OutputComparison.lines(output.lowercased()), b = OutputComparison.lines(expected.lowercased())
            if a.last == "" { a.removeLast() }
            if b.last == "" { b.removeLast() }
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { x, y in x == y || OutputComparison.tokensEqual(x, y, tolerance: 1e-5) }
        }
    }

    static func dropTrailingNewlines(_ s: String) -> Substring {
        var t = Substring(s)
        while t.last == "\n" || t.last == "\r\n" { t.removeLast() }
        return t
    }

    static func lines(_ s: String) -> [String] {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmed }
    }

    static func tokensEqual(_ a: String, _ b: String, tolerance: Double?) -> Bool {
        let x = a.split(whereSeparator: { $0 == " " || $0 == "\t" }), y = b.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            if let tol = tolerance {
                guard let u = Double(p), let v = Double(q), u.isFinite, v.isFinite else { return false }
                if abs(u - v) / max(abs(v), 1e-10) > tol { return false }
            } else {
                guard let u = exactDecimal(p), let v = exactDecimal(q), u == v else { return false }
            }
        }
        return true
    }

    /// A token that is a plain decimal number (no tolerance: 0.1 and 0.10 are equal, 0.1 and 0.1000001 are not).
    static func exactDecimal(_ s: Substring) -> Decimal? {
        var sawDigit = false, sawDot = false, sawExp = false, prevExp = false
        for (i, ch) in s.enumerated() {
            switch ch {
            case "0"..."9": sawDigit = true; prevExp = false
            case "+", "-": if !(i == 0 || prevExp) { return nil }; prevExp = false
            case ".": if sawDot || sawExp { return nil }; sawDot = true
            case "e", "E": if sawExp || !sawDigit { return nil }; sawExp = true; prevExp = true
            default: return nil
            }
        }
        guard sawDigit, !prevExp else { return nil }
        return Decimal(string: String(s), locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension JSONValue {
    /// Call-based comparison: the JSON-parsed expected value against the program's JSON result
    /// (tuples arrive as lists); numbers compare by value, so 3 equals 3.0 as in Python.
    static func callResultMatches(_ got: JSONValue, _ want: JSONValue) -> Bool {
        switch (got, want) {
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { callResultMatches($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { m in b[m.key].map { callResultMatches(m.value, $0) } ?? false }
        case (.bool(let a), .bool(let b)): return a == b
        case (.bool, .number), (.number, .bool): return false
        default: return got == want
        }
    }
}
