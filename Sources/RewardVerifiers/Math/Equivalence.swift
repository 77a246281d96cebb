/// Decides whether two parsed answers are mathematically the same.
///
/// Structure first (sets unordered, tuples ordered, intervals with endpoint openness,
/// unions unordered, matrices by shape), then scalars by value:
/// - Without variables, both sides are evaluated. Exact rationals compare exactly; when
///   either side was written with a decimal point both are rounded to `floatRounding`
///   decimals (math-verify's rule); values that are irrational (π, √2, sin 1) compare with
///   `relativeTolerance`.
/// - With variables (which must be the same on both sides: `x+1` is not `y+1`), both are
///   evaluated at `evaluationPoints` pseudo-random rational points. For rational functions
///   with rational coefficients (+ − × ÷, integer powers) evaluation is exact, so
///   equivalent expressions always agree, and different ones of total degree ≤ d collide
///   at one point with probability ≤ d/|S| (Schwartz–Zippel, |S| ≈ 10⁴ candidate values),
///   i.e. ≤ (d/10⁴)^k over k points. Expressions with transcendental parts are compared in
///   double precision with `relativeTolerance`, a numerical rather than exact guarantee.
struct Equivalence {
    let options: MathVerifyOptions

    func equal(_ gold: MathExpr, _ pred: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        try budget.tick()
        let g = try normalize(gold, &budget), p = try normalize(pred, &budget)
        switch (g, p) {
        case (.relation(let op, let l, let r), _) where !isRelation(p):
            // Gold `x = 3` against a bare `3`: compare the value assigned to the lone variable.
            if op == .eq, case .symbol = l { return try equal(r, p, &budget) }
            if op == .eq, case .symbol = r { return try equal(l, p, &budget) }
            // A labelled answer `(p,q) = (3,2)`, `AB = 4`, `|AB| = 1`, `V_1:V_2 = 11:21`: the value.
            if op == .eq, isLabel(l), !isLabel(r) { return try equal(r, p, &budget) }
            if isSetLike(p), let iv = try solutionSet(g, &budget) { return try equal(iv, p, &budget) }
            return false
        case (_, .relation(let op, let l, let r)) where !isRelation(g):
            if isSetLike(g), let iv = try solutionSet(p, &budget) { return try equal(g, iv, &budget) }
            // A bare gold against `… = value`: the stated value counts (math-verify's reading),
            // unless the right side is a lone variable (`3 = x`).
            guard op == .eq else { return false }
            if case .symbol = r, !(isSymbol(l)) { return false }
            return try equal(g, r, &budget)
        case (.relation(let o1, let l1, let r1), .relation(let o2, let l2, let r2)):
            return try relationsEqual(o1, l1, r1, o2, l2, r2, &budget)
        case (.chain(let a), .chain(let b)):
            return try ordered(a, b, &budget)
        case (.chain, _):
            if isSetLike(p), let iv = try solutionSet(g, &budget) { return try equal(iv, p, &budget) }
            return false
        case (_, .chain):
            if isSetLike(g), let iv = try solutionSet(p, &budget) { return try equal(g, iv, &budget) }
            return false
        case (.set(let a), _) where isSetLike(p) && !isSetExpr(p) && a.allSatisfy(isRelation):
            // `x < -1 or x > 3` against `(-∞,-1) ∪ (3,∞)`.
            if let u = try unionOfSolutions(a, &budget) { return try equal(u, p, &budget) }
            return false
        case (_, .set(let b)) where isSetLike(g) && !isSetExpr(g) && b.allSatisfy(isRelation):
            if let u = try unionOfSolutions(b, &budget) { return try equal(g, u, &budget) }
            return false
        case (.set(let a), .set(let b)) where labelledValues(a) != nil && !b.contains(where: isRelation):
            // `AB=4, CD=5` against `4, 5`: the labels name the values (and the reverse below).
            return try sameSet(labelledValues(a)!, b, &budget)
        case (.set(let a), .set(let b)) where labelledValues(b) != nil && !a.contains(where: isRelation):
            return try sameSet(a, labelledValues(b)!, &budget)
        case (.set(let a), .set(let b)):
            return try sameSet(a, b, &budget)
        case (.tuple(let a), .tuple(let b)):
            return try ordered(a, b, &budget)
        case (.tuple(let a), .set(let b)) where a.count >= 3, (.set(let b), .tuple(let a)) where a.count >= 3:
            return try unordered(a, b, &budget)
        case (.tuple(let a), .interval(let lo, let hi, false, false)) where a.count == 2,
             (.interval(let lo, let hi, false, false), .tuple(let a)) where a.count == 2:
            // `(1, 2)` is both a point and an open interval; math-verify reads it as the interval.
            return try ordered(a, [lo, hi], &budget)
        case (.interval(let a1, let b1, let lc1, let rc1), .interval(let a2, let b2, let lc2, let rc2)):
            guard lc1 == lc2 && rc1 == rc2 else { return false }
            guard try equal(a1, a2, &budget) else { return false }
            return try equal(b1, b2, &budget)
        case (.union(let a), .union(let b)):
            return try unordered(a, b, &budget)
        case (.matrix(let a), .matrix(let b)):
            guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return false }
            for (ra, rb) in zip(a, b) { if try !ordered(ra, rb, &budget) { return false } }
            return true
        default:
            guard g.isScalar && p.isScalar else { return false }
            return try scalarEqualWithPercent(g, p, &budget)
        }
    }

    /// Names only, no numbers: `x`, `AB` (a·b), `|AB|`, `(p, q)`, `V_1:V_2`, `f(x)`, `\overline{AB}`.
    func isLabel(_ e: MathExpr) -> Bool {
        switch e {
        case .symbol: return true
        case .mul(let xs), .tuple(let xs): return !xs.isEmpty && xs.allSatisfy(isLabel)
        case .pow(let x, .number(let r, _)): return r == Rational(-1) && isLabel(x)
        case .pow(let x, .neg(.number(let r, _))): return r == .one && isLabel(x)
        case .function(.abs, let xs): return xs.count == 1 && isLabel(xs[0])
        default: return false
        }
    }

    /// The values of a list of labelled equations (`x_1 = 2, x_2 = 3`), nil if it is not one.
    func labelledValues(_ items: [MathExpr]) -> [MathExpr]? {
        var out: [MathExpr] = []
        for x in items {
            guard case .relation(.eq, let l, let r) = x, isLabel(l), !isLabel(r), !isRelation(r) else { return nil }
            out.append(r)
        }
        return out.isEmpty ? nil : out
    }

    func isSetExpr(_ e: MathExpr) -> Bool { if case .set = e { return true }; return false }

    func isSymbol(_ e: MathExpr) -> Bool { if case .symbol = e { return true }; return false }

    func isRelation(_ e: MathExpr) -> Bool {
        if case .relation = e { return true }
        if case .chain = e { return true }
        return false
    }

    func isSetLike(_ e: MathExpr) -> Bool {
        switch e {
        case .interval, .union, .set: return true
        case .tuple(let a): return a.count == 2
        default: return false
        }
    }

    /// `a ± b` becomes the set {a+b, a−b}; one-element sets become their element
    /// (math-verify compares `{5}` and `5` as equal).
    func normalize(_ e: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> MathExpr {
        switch e {
        case .set(let a) where a.count == 1: return try normalize(a[0], &budget)
        case .set(let a) where a.count > 1:
            // "x = -1, 0, 1" lists the values of x.
            if case .relation(.eq, .symbol(let s), let v) = a[0], a.dropFirst().allSatisfy({ !isRelation($0) }) {
                return try normalize(.relation(.eq, .symbol(s), .set([v] + a.dropFirst())), &budget)
            }
            var flat: [MathExpr] = []
            for x in a {
                let n = try normalize(x, &budget)
                if case .set(let inner) = n { flat.append(contentsOf: inner) } else { flat.append(n) }
            }
            // Duplicates collapse, as in a FiniteSet: "$\frac{4}{10}$ or $\frac{2}{5}$" is one answer.
            guard flat.count <= 16 else { return .set(flat) }
            var out: [MathExpr] = []
            for x in flat {
                var dup = false
                for y in out where x.isScalar && y.isScalar { if try scalarEqual(x, y, &budget) { dup = true; break } }
                if !dup { out.append(x) }
            }
            return out.count == 1 ? out[0] : .set(out)
        case .relation(let op, let l, let r) where containsPlusMinus(r) || isSetExpr(r):
            return .relation(op, l, try normalize(r, &budget))
        case .mul(let xs) where xs.contains(where: { if case .matrix = $0 { return true }; return false }):
            // c·M: scale every entry (a fraction in front of a matrix is common in answers).
            let ms = xs.filter { if case .matrix = $0 { return true }; return false }
            guard ms.count == 1, case .matrix(let rows) = ms[0] else { return e }
            let cs = xs.filter { if case .matrix = $0 { return false }; return true }
            guard cs.allSatisfy({ $0.isScalar }) else { return e }
            return .matrix(rows.map { $0.map { .mul(cs + [$0]) } })
        default:
            if containsPlusMinus(e) {
                let vs = try expandPlusMinus(e, &budget)
                return vs.count == 1 ? vs[0] : .set(vs)
            }
            return e
        }
    }

    func containsPlusMinus(_ e: MathExpr) -> Bool {
        switch e {
        case .plusMinus: return true
        case .add(let a), .mul(let a), .function(_, let a): return a.contains { containsPlusMinus($0) }
        case .neg(let a), .percent(let a): return containsPlusMinus(a)
        case .pow(let a, let b): return containsPlusMinus(a) || containsPlusMinus(b)
        case .relation(_, let a, let b): return containsPlusMinus(b) && !containsPlusMinus(a)
        default: return false
        }
    }

    /// All sign choices of the ± in `e` (at most 2^4 variants; more is a limit).
    func expandPlusMinus(_ e: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> [MathExpr] {
        try budget.tick()
        switch e {
        case .plusMinus(let a, let b):
            var out: [MathExpr] = []
            for x in try expandPlusMinus(a, &budget) {
                for y in try expandPlusMinus(b, &budget) {
                    out.append(.add([x, y]))
                    out.append(.add([x, .neg(y)]))
                }
            }
            if out.count > 16 { throw .limit("too many ± combinations") }
            return out
        case .add(let xs): return try combine(xs, &budget).map { .add($0) }
        case .mul(let xs): return try combine(xs, &budget).map { .mul($0) }
        case .function(let f, let xs): return try combine(xs, &budget).map { .function(f, $0) }
        case .neg(let a): return try expandPlusMinus(a, &budget).map { .neg($0) }
        case .percent(let a): return try expandPlusMinus(a, &budget).map { .percent($0) }
        case .pow(let a, let b): return try combine([a, b], &budget).map { .pow($0[0], $0[1]) }
        case .relation(let op, let l, let r): return try expandPlusMinus(r, &budget).map { .relation(op, l, $0) }
        default: return [e]
        }
    }

    func combine(_ xs: [MathExpr], _ budget: inout EvalBudget) throws(EvalError) -> [[MathExpr]] {
        var acc: [[MathExpr]] = [[]]
        for x in xs {
            let vs = try expandPlusMinus(x, &budget)
            acc = acc.flatMap { pre in vs.map { pre + [$0] } }
            if acc.count > 16 { throw .limit("too many ± combinations") }
        }
        return acc
    }

    /// The set of values an inequality in one variable allows, as an interval or a union:
    /// `x ≤ 2`, `1 < x < 2`, and absolute values of a linear expression, `|x−1| ≥ 2` →
    /// (−∞,−1] ∪ [3,∞), `1 < |x| < 2` → (−2,−1) ∪ (1,2). Nil for anything else.
    func solutionSet(_ e: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> MathExpr? {
        if let iv = intervalOf(e) { return iv }
        switch e {
        case .relation(let op, let l, let r):
            if case .function(.abs, _) = r, !(isAbs(l)) { return try solutionSet(.relation(op.flipped, r, l), &budget) }
            guard case .function(.abs, let u) = l, u.count == 1, let c = try constant(r, &budget), let (a, b0) = try linear(u[0], &budget) else { return nil }
            // |u| op c on u, then u = a·x + b0 mapped back to x.
            switch op {
            case .lt, .le:
                guard c.signum > 0 else { return nil }
                return map(-c, c, op == .le, op == .le, a, b0)
            case .gt, .ge:
                guard c.signum >= 0 else { return nil }
                let inf = Rational?.none
                return .union([mapRay(nil, -c, closedHi: op == .ge, a, b0, inf), mapRay(c, nil, closedHi: op == .ge, a, b0, inf)])
            default: return nil
            }
        case .chain(let rs) where rs.count == 2:
            guard case .relation(let o1, let lo, let m1) = rs[0], case .relation(let o2, let m2, let hi) = rs[1], m1 == m2,
                  case .function(.abs, let u) = m1, u.count == 1, (o1 == .lt || o1 == .le), (o2 == .lt || o2 == .le),
                  let cl = try constant(lo, &budget), let ch = try constant(hi, &budget), cl.signum >= 0, cl < ch,
                  let (a, b0) = try linear(u[0], &budget) else { return nil }
            // lo < |u| < hi: u in (−hi, −lo) ∪ (lo, hi).
            return .union([map(-ch, -cl, o2 == .le, o1 == .le, a, b0), map(cl, ch, o1 == .le, o2 == .le, a, b0)])
        default: return nil
        }
    }

    func isAbs(_ e: MathExpr) -> Bool { if case .function(.abs, _) = e { return true }; return false }

    /// `x < -1 or x > 3`: the union of the relations' solution sets (all in one variable).
    func unionOfSolutions(_ rs: [MathExpr], _ budget: inout EvalBudget) throws(EvalError) -> MathExpr? {
        guard rs.count >= 2, Set(rs.map { $0.symbols }).count == 1 else { return nil }
        var parts: [MathExpr] = []
        for r in rs {
            guard let s = try solutionSet(r, &budget) else { return nil }
            if case .union(let xs) = s { parts += xs } else { parts.append(s) }
        }
        return .union(parts)
    }

    /// The exact value of a variable-free expression.
    func constant(_ e: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> Rational? {
        guard e.symbols.isEmpty else { return nil }
        do {
            if case .exact(let r) = try Evaluator(env: [:]).eval(e, &budget) { return r }
        } catch .undefined { return nil } catch .unsupported { return nil }
        return nil
    }

    /// u = a·x + b in a single variable x, with a ≠ 0 (checked exactly at three points).
    func linear(_ u: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> (Rational, Rational)? {
        let names = u.symbols
        guard names.count == 1, let x = names.first else { return nil }
        func at(_ v: Int, _ budget: inout EvalBudget) throws(EvalError) -> Rational? {
            do {
                if case .exact(let r) = try Evaluator(env: [x: Rational(v)]).eval(u, &budget) { return r }
            } catch .undefined { return nil } catch .unsupported { return nil }
            return nil
        }
        guard let f0 = try at(0, &budget), let f1 = try at(1, &budget), let f3 = try at(3, &budget) else { return nil }
        let a = f1 - f0
        guard a.signum != 0, f3 == f0 + a * Rational(3) else { return nil }
        return (a, f0)
    }

    /// The x-interval where lo (<|≤) a·x + b (<|≤) hi.
    func map(_ lo: Rational, _ hi: Rational, _ lc: Bool, _ rc: Bool, _ a: Rational, _ b: Rational) -> MathExpr {
        let x1 = ((lo - b) / a)!, x2 = ((hi - b) / a)!
        let n1 = MathExpr.number(x1, isFloat: false), n2 = MathExpr.number(x2, isFloat: false)
        return a.signum > 0 ? .interval(n1, n2, leftClosed: lc, rightClosed: rc) : .interval(n2, n1, leftClosed: rc, rightClosed: lc)
    }

    /// A ray u < hi (lo nil) or u > lo (hi nil), mapped to x.
    func mapRay(_ lo: Rational?, _ hi: Rational?, closedHi: Bool, _ a: Rational, _ b: Rational, _ unused: Rational?) -> MathExpr {
        let inf = MathExpr.constant(.infinity), ninf = MathExpr.neg(.constant(.infinity))
        if let hi {
            let x = MathExpr.number(((hi - b) / a)!, isFloat: false)
            return a.signum > 0 ? .interval(ninf, x, leftClosed: false, rightClosed: closedHi) : .interval(x, inf, leftClosed: closedHi, rightClosed: false)
        }
        let x = MathExpr.number(((lo! - b) / a)!, isFloat: false)
        return a.signum > 0 ? .interval(x, inf, leftClosed: closedHi, rightClosed: false) : .interval(ninf, x, leftClosed: false, rightClosed: closedHi)
    }

    /// `x ≤ 2` → (−∞, 2]; `1 < x < 2` → (1, 2). Only for a lone variable.
    func intervalOf(_ e: MathExpr) -> MathExpr? {
        let inf = MathExpr.constant(.infinity), ninf = MathExpr.neg(.constant(.infinity))
        switch e {
        case .relation(let op, let l, let r):
            if case .symbol = l {
                switch op {
                case .lt: return .interval(ninf, r, leftClosed: false, rightClosed: false)
                case .le: return .interval(ninf, r, leftClosed: false, rightClosed: true)
                case .gt: return .interval(r, inf, leftClosed: false, rightClosed: false)
                case .ge: return .interval(r, inf, leftClosed: true, rightClosed: false)
                default: return nil
                }
            }
            if case .symbol = r { return intervalOf(.relation(op.flipped, r, l)) }
            return nil
        case .chain(let rs) where rs.count == 2:
            guard case .relation(let o1, let a, let x1) = rs[0], case .relation(let o2, let x2, let b) = rs[1], x1 == x2,
                  case .symbol = x1 else { return nil }
            if (o1 == .lt || o1 == .le) && (o2 == .lt || o2 == .le) {
                return .interval(a, b, leftClosed: o1 == .le, rightClosed: o2 == .le)
            }
            if (o1 == .gt || o1 == .ge) && (o2 == .gt || o2 == .ge) {
                return .interval(b, a, leftClosed: o2 == .ge, rightClosed: o1 == .ge)
            }
            return nil
        default: return nil
        }
    }

    func relationsEqual(_ o1: RelationOp, _ l1: MathExpr, _ r1: MathExpr, _ o2: RelationOp, _ l2: MathExpr, _ r2: MathExpr,
                        _ budget: inout EvalBudget) throws(EvalError) -> Bool
    {
        // Write both as (difference) op 0 with op one of =, ≠, <, ≤.
        func canon(_ o: RelationOp, _ l: MathExpr, _ r: MathExpr) -> (RelationOp, MathExpr) {
            switch o {
            case .gt: return (.lt, .add([r, .neg(l)]))
            case .ge: return (.le, .add([r, .neg(l)]))
            default: return (o, .add([l, .neg(r)]))
            }
        }
        if o1 == .eq && o2 == .eq, case .symbol(let a) = l1, case .symbol(let b) = l2 {
            if a == b { return try equal(r1, r2, &budget) }
        }
        let (c1, d1) = canon(o1, l1, r1), (c2, d2) = canon(o2, l2, r2)
        guard c1 == c2 else { return false }
        if try scalarEqual(d1, d2, &budget) { return true }
        // Equations are the same up to a nonzero factor (x+y=1 ⇔ 2x+2y=2); inequalities up to a positive one.
        return try proportional(d1, d2, positiveOnly: c1 != .eq && c1 != .ne, &budget)
    }

    func ordered(_ a: [MathExpr], _ b: [MathExpr], _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) { if try !equal(x, y, &budget) { return false } }
        return true
    }

    /// Multiset equality: each gold element matched to a distinct predicted one.
    func unordered(_ a: [MathExpr], _ b: [MathExpr], _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        guard a.count == b.count else { return false }
        var used = [Bool](repeating: false, count: b.count)
        outer: for x in a {
            for (j, y) in b.enumerated() where !used[j] {
                if try equal(x, y, &budget) { used[j] = true; continue outer }
            }
            return false
        }
        return true
    }

    /// Set equality (duplicates collapse, as in a FiniteSet): every element of each side
    /// has an equal element on the other.
    func sameSet(_ a: [MathExpr], _ b: [MathExpr], _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        if a.count == b.count, try unordered(a, b, &budget) { return true }
        for x in a {
            var found = false
            for y in b { if try equal(x, y, &budget) { found = true; break } }
            if !found { return false }
        }
        for y in b {
            var found = false
            for x in a { if try equal(x, y, &budget) { found = true; break } }
            if !found { return false }
        }
        return true
    }

    /// With `.lenient` percent, `p%` also matches p itself (math-verify's default).
    func scalarEqualWithPercent(_ g: MathExpr, _ p: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        if try scalarEqual(stripPercent(g, keepValue: options.percent != .ignore), stripPercent(p, keepValue: options.percent != .ignore), &budget) {
            return true
        }
        guard options.percent == .lenient else { return false }
        let gs = stripPercent(g, keepValue: false), ps = stripPercent(p, keepValue: false)
        if gs == g && ps == p { return false }
        return try scalarEqual(gs, ps, &budget)
    }

    /// keepValue: `p%` → p/100; otherwise `p%` → p. A negated percent `-9\%` keeps its value
    /// in lenient mode (math-verify does not match -9% with -9).
    func stripPercent(_ e: MathExpr, keepValue: Bool) -> MathExpr {
        switch e {
        case .percent(let a): return keepValue ? .mul([a, .number(Rational(1, 100)!, isFloat: false)]) : a
        case .neg(let a) where keepValue || options.percent == .ignore: return .neg(stripPercent(a, keepValue: keepValue))
        default: return e
        }
    }

    func scalarEqual(_ a: MathExpr, _ b: MathExpr, _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        if a == b { return true }
        let sa = a.symbols, sb = b.symbols
        guard sa == sb else { return false }
        let floatMode = a.containsFloat || b.containsFloat
        if sa.isEmpty {
            let ev = Evaluator(env: [:])
            let x: Num, y: Num
            do {
                x = try ev.eval(a, &budget)
                y = try ev.eval(b, &budget)
            } catch .undefined { return false } catch .unsupported { return false }
            return numEqual(x, y, floatMode: floatMode)
        }
        var agreed = 0
        var rng = SplitMix64(seed: options.seed)
        let names = sa.sorted()
        var attempts = 0
        var narrow = false
        while agreed < options.evaluationPoints && attempts < options.evaluationPoints * 3 {
            attempts += 1
            var env: [String: Rational] = [:]
            for n in names { env[n] = rng.nextRational(narrow: narrow) }
            let ev = Evaluator(env: env)
            let x: Num, y: Num
            do {
                x = try ev.eval(a, &budget)
                y = try ev.eval(b, &budget)
            } catch .undefined { continue } catch .unsupported { return false }
            // Overflow at this point (e^{huge}) says nothing: try another point.
            if !x.complex.isFinite || !y.complex.isFinite { narrow = true; continue }
            if !numEqual(x, y, floatMode: floatMode) { return false }
            agreed += 1
        }
        return agreed > 0
    }

    /// d1 = c·d2 for a constant c ≠ 0 (c > 0 when `positiveOnly`), checked at random points.
    func proportional(_ d1: MathExpr, _ d2: MathExpr, positiveOnly: Bool, _ budget: inout EvalBudget) throws(EvalError) -> Bool {
        let names = d1.symbols.union(d2.symbols).sorted()
        guard !names.isEmpty else { return false }
        var rng = SplitMix64(seed: options.seed ^ 0x9E37)
        var ratio: Num?
        var agreed = 0
        for _ in 0..<(options.evaluationPoints * 3) where agreed < options.evaluationPoints {
            var env: [String: Rational] = [:]
            for n in names { env[n] = rng.nextRational() }
            let ev = Evaluator(env: env)
            let x: Num, y: Num
            do {
                x = try ev.eval(d1, &budget)
                y = try ev.eval(d2, &budget)
            } catch .undefined { continue } catch .unsupported { return false }
            let q: Num
            switch (x, y) {
            case (.exact(let u), .exact(let v)):
                guard let r = u / v else { continue }
                q = .exact(r)
            default:
                if y.complex.magnitude == 0 { continue }
                q = .approx(x.complex / y.complex)
            }
            if let r = ratio {
                if !numEqual(r, q, floatMode: false) { return false }
            } else {
                let c = q.complex
                if c.magnitude == 0 || (positiveOnly && !(c.re > 0 && c.im == 0)) { return false }
                ratio = q
            }
            agreed += 1
        }
        return agreed >= 2
    }

    func numEqual(_ x: Num, _ y: Num, floatMode: Bool) -> Bool {
        if case .exact(let u) = x, case .exact(let v) = y {
            if u == v { return true }
            return floatMode && u.rounded(digits: options.floatRounding) == v.rounded(digits: options.floatRounding)
        }
        let a = x.complex, b = y.complex
        if a.re.isNaN || a.im.isNaN || b.re.isNaN || b.im.isNaN { return false }
        if a.re.isInfinite || b.re.isInfinite { return a.re == b.re && a.im == b.im }
        if floatMode {
            // Round to the configured decimals; beyond ~1e9 doubles cannot hold 6 decimals,
            // so fall back to relative precision there.
            let scale = Foundation.pow(10.0, Double(options.floatRounding))
            func close(_ p: Double, _ q: Double) -> Bool {
                let m = max(Swift.abs(p), Swift.abs(q))
                if m * scale > 1e15 { return Swift.abs(p - q) <= 1e-12 * m }
                return (p * scale).rounded() == (q * scale).rounded()
            }
            return close(a.re, b.re) && close(a.im, b.im)
        }
        let d = (a - b).magnitude
        return d <= options.relativeTolerance * max(1, a.magnitude, b.magnitude)
    }
}

/// Small deterministic generator (SplitMix64) for evaluation points: reproducible verdicts.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A positive rational n/d with n in 7...257, d in 11...61: in [0.11, 23.4], positive so
    /// √x and log x stay real and exponentials stay finite, with ~10⁴ distinct values for
    /// the Schwartz–Zippel bound.
    /// `narrow`: values in [0.45, 1.67] after an overflow (e^{x/(y z)} at small y, z).
    mutating func nextRational(narrow: Bool = false) -> Rational {
        if narrow {
            let n = Int(next() % 101) + 50
            let d = Int(next() % 21) + 90
            return Rational(BigInt(n), BigInt(d))!
        }
        let n = Int(next() % 251) + 7
        let d = Int(next() % 51) + 11
        return Rational(BigInt(n), BigInt(d))!
    }
}

import BigInt
import Foundation
