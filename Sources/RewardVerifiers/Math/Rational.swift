import BigInt

/// An exact rational number num/den with den > 0 and gcd(num, den) = 1.
/// Exactness is what lets `0.1 + 0.2` equal `3/10` and keeps big integer answers
/// (AIME, combinatorics) from losing digits in Double.
public struct Rational: Sendable, Hashable, Comparable, CustomStringConvertible {
    public private(set) var num: BigInt
    public private(set) var den: BigInt

    public static let zero = Rational(0)
    public static let one = Rational(1)

    public init(_ n: Int) { num = BigInt(n); den = 1 }
    public init(_ n: BigInt) { num = n; den = 1 }

    /// Returns nil when `d` is zero.
    public init?(_ n: BigInt, _ d: BigInt) {
        if d.isZero { return nil }
        self.init(unchecked: n, d)
    }

    init(unchecked n: BigInt, _ d: BigInt) {
        var n = n, d = d
        if d.signum() < 0 { n.negate(); d.negate() }
        let g = n.greatestCommonDivisor(with: d)
        if g != 1, !g.isZero { n /= g; d /= g }
        num = n
        den = d
    }

    /// Parses `123`, `-4.50`, `.4`, `1.5e-3` (plain digits, optional decimal point and exponent).
    /// Exponents beyond ±`maxExponent` are refused so "1e999999999" cannot allocate gigabytes.
    public init?(decimal text: Substring, maxExponent: Int = 4000) {
        if let r = Self.smallDecimal(text) { self = r; return }
        var s = text
        var neg = false
        if s.first == "-" { neg = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]), abs(x) <= maxExponent else { return nil }
            exp = x
            s = s[..<e]
        }
        var digits = Substring()
        var fracLen = 0
        if let dot = s.firstIndex(of: ".") {
            let intPart = s[..<dot], frac = s[s.index(after: dot)...]
            guard !(intPart.isEmpty && frac.isEmpty) else { return nil }
            digits = Substring(String(intPart) + String(frac))
            fracLen = frac.count
        } else {
            digits = s
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = BigInt(digits) else { return nil }
        let shift = exp - fracLen
        var r = shift >= 0 ? Rational(n * BigInt(10).power(shift)) : Rational(unchecked: n, BigInt(10).power(-shift))
        if neg { r.num.negate() }
        self = r
    }

    /// `[+-]digits[.digits]` with at most 18 digits, read from the bytes in one pass; nil for
    /// anything else (exponents, long numbers, malformed text), which the general parser handles.
    /// Most numbers in answers are like this, and parsing them through Substring and BigInt
    /// text conversion was a tenth of the verifier's time.
    static func smallDecimal(_ text: Substring) -> Rational? {
        var v: Int64 = 0, digits = 0, frac = 0, neg = false, seenDot = false, first = true
        for b in text.utf8 {
            defer { first = false }
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 18 else { return nil }
                v = v * 10 + Int64(b - 48)
                digits += 1
                if seenDot { frac += 1 }
            case UInt8(ascii: "."):
                guard !seenDot else { return nil }
                seenDot = true
            case UInt8(ascii: "-") where first: neg = true
            case UInt8(ascii: "+") where first: break
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        var d: Int64 = 1
        for _ in 0..<frac { d *= 10 }
        if d == 1 { return Rational(Int(neg ? -v : v)) }
        // Reduced in Int64: BigInt's gcd costs more than the rest of parsing a short number.
        var a = v, c = d
        while c != 0 { (a, c) = (c, a % c) }
        if a > 1 { v /= a; d /= a }
        var r = Rational(Int(neg ? -v : v))
        r.den = BigInt(d)
        return r
    }

    public var isZero: Bool { num.isZero }
    public var isInteger: Bool { den == 1 }
    public var signum: Int { Int(num.signum()) }
    /// Size of the representation in bits, for limits.
    public var bitSize: Int { num.magnitude.bitWidth + den.magnitude.bitWidth }

    public var description: String { den == 1 ? num.description : "\(num)/\(den)" }

    public var doubleValue: Double {
        let nb = num.magnitude.bitWidth, db = den.magnitude.bitWidth
        if nb <= 60 && db <= 60 { return Double(Int64(num)) / Double(Int64(den)) }
        // Scale both to ~60 significant bits so huge numerators/denominators do not overflow to inf/inf.
        let ns = max(0, nb - 60), ds = max(0, db - 60)
        let n = Double(Int64(num >> ns)), d = Double(Int64(den >> ds))
        let e = ns - ds
        return Double(sign: .plus, exponent: e, significand: 1) * n / d
    }

    public static func + (a: Rational, b: Rational) -> Rational {
        if a.den == b.den { return Rational(unchecked: a.num + b.num, a.den) }
        return Rational(unchecked: a.num * b.den + b.num * a.den, a.den * b.den)
    }
    public static func - (a: Rational, b: Rational) -> Rational { a + (-b) }
    public static prefix func - (a: Rational) -> Rational {
        var r = a
        r.num.negate()
        return r
    }
    public static func * (a: Rational, b: Rational) -> Rational {
        if a.den == 1 && b.den == 1 { var r = a; r.num = a.num * b.num; return r }
        return Rational(unchecked: a.num * b.num, a.den * b.den)
    }
    /// nil on division by zero.
    public static func / (a: Rational, b: Rational) -> Rational? {
        if b.isZero { return nil }
        return Rational(unchecked: a.num * b.den, a.den * b.num)
    }

    public static func < (a: Rational, b: Rational) -> Bool { a.num * b.den < b.num * a.den }

    /// Integer power; the caller bounds `e` (see `Evaluator`).
    public func power(_ e: Int) -> Rational? {
        if e == 0 { return .one }
        if e > 0 { return Rational(unchecked: num.power(e), den.power(e)) }
        if isZero { return nil }
        return Rational(unchecked: den.power(-e), num.power(-e))
    }

    /// Exact k-th root when num and den are perfect k-th powers (k ≤ 64), else nil.
    public func root(_ k: Int) -> Rational? {
        guard k >= 1, k <= 64 else { return nil }
        if k == 1 { return self }
        if num.signum() < 0 {
            guard k % 2 == 1, let r = (-self).root(k) else { return nil }
            return -r
        }
        guard let n = Self.intRoot(num, k), let d = Self.intRoot(den, k) else { return nil }
        return Rational(unchecked: n, d)
    }

    static func intRoot(_ x: BigInt, _ k: Int) -> BigInt? {
        if x.isZero || x == 1 { return x }
        if k == 2 {
            let r = x.squareRoot()
            return r * r == x ? r : nil
        }
        // Newton from a Double estimate, then verify exactly.
        let guess = Foundation.pow(Rational(x).doubleValue, 1.0 / Double(k)).rounded()
        guard guess.isFinite, guess < 9e15 else { return nil }
        for cand in [guess - 1, guess, guess + 1] where cand >= 0 {
            let c = BigInt(Int64(cand))
            if c.power(k) == x { return c }
        }
        return nil
    }

    /// Rounds to `digits` decimal places, half away from zero; used for math-verify-style
    /// float comparison ("round both to 6 decimals").
    public func rounded(digits: Int) -> BigInt {
        let scale = BigInt(10).power(digits)
        let scaled = num * scale
        let twice = scaled * 2
        let q = (twice.magnitude + den.magnitude) / (2 * den.magnitude)
        return num.signum() < 0 ? -BigInt(q) : BigInt(q)
    }
}

import Foundation
