/// Why an answer string could not be turned into a `MathExpr`.
public enum MathParseError: Error, Sendable, Equatable {
    case syntax(String)
    /// A hard limit (length, nesting, size, exponent) was hit; the verdict is "undecided".
    case limit(String)
}

/// Recursive-descent parser for LaTeX and plain-text math answers, scanning UTF-8
/// bytes directly (no tokenizer pass, no regex), so cost is linear in the input and
/// nesting is bounded by `maxDepth` — a hostile `((((…` cannot overflow the stack.
///
/// `latex` selects how letter runs are read: in math mode `xy` is x·y (TeX); in plain
/// text (a gold like `9 (apples)`, a sentence after "the answer is") words of two or more
/// letters that are not function names are units or prose and are skipped.
public struct MathParser {
    var b: [UInt8]
    var p = 0
    let latex: Bool
    var depth = 0
    let maxDepth: Int
    let maxExponentDigits: Int
    /// Inside a `\begin{…matrix}`, `&` and `\\` are separators.
    var inMatrix = 0
    /// Inside (), [], \{\} commas separate items, so `(2,251,252)` is a triple, not 2251252.
    var inBrackets = 0
    /// Inside `\{…\}` a colon or bar starts set-builder notation, not a ratio or |x|.
    var inSetBraces = 0
    /// The relation just read was `\approx`: its right side is a rounding, dropped.
    var approxTail = false
    /// Grammar steps taken (see `parse(_:latex:options:work:)`).
    var steps = 0

    public static func parse(_ text: String, latex: Bool, options: MathVerifyOptions = .init()) throws(MathParseError) -> MathExpr {
        var work = 0
        return try parse(text, latex: latex, options: options, work: &work)
    }

    /// As `parse`, adding the work done to `work`: bytes read plus grammar steps (every
    /// nesting level entered), a count that does not depend on the machine's speed.
    static func parse(_ text: String, latex: Bool, options: MathVerifyOptions, work: inout Int) throws(MathParseError) -> MathExpr {
        work += text.utf8.count
        if text.utf8.count > options.maxAnswerBytes {
            throw .limit("answer longer than \(options.maxAnswerBytes) bytes")
        }
        var bytes = Self.normalizeUnicode(text)
        if latex { Self.stripTrailingUnit(&bytes) }
        var parser = MathParser(b: bytes, latex: latex, maxDepth: options.maxDepth,
                                maxExponentDigits: options.maxExponentDigits)
        defer { work += parser.steps }
        let e = try parser.parseAll()
        if e.size > options.maxNodes { throw .limit("expression has more than \(options.maxNodes) nodes") }
        return e
    }

    /// Unit words (two letters or more) that may end a math-mode answer: `5 cm`, `12 ft^2`.
    /// Single letters (m, s, t) are not stripped: in math mode they are variables.
    static let unitWords: Set<String> = [
        "cm", "mm", "km", "ft", "feet", "foot", "inch", "inches", "yd", "yard", "yards", "mi", "mile", "miles", "hr", "hrs",
        "hour", "hours", "min", "mins", "minute", "minutes", "sec", "secs", "second", "seconds", "kg", "mg", "lb", "lbs", "oz",
        "gal", "mph", "kmh", "kmph", "am", "pm", "st", "nd", "rd", "th", "cents", "cent", "dollars", "dollar", "units", "unit",
        "sq", "ml", "cc", "deg", "degrees", "degree", "meter", "meters", "metre", "metres", "gram", "grams", "liter", "liters",
        "litre", "litres", "day", "days", "week", "weeks", "year", "years", "yr", "yrs", "kph", "mps",
    ]

    static func stripTrailingUnit(_ b: inout [UInt8]) {
        var e = b.count
        while e > 0, b[e - 1] == 32 || b[e - 1] == 46 { e -= 1 }
        var pe = e
        // optional ^2 / ^{2}
        if pe >= 2, isDigit(b[pe - 1]), b[pe - 2] == 94 { pe -= 2 } else if pe >= 4, b[pe - 1] == 125, isDigit(b[pe - 2]), b[pe - 3] == 123, b[pe - 4] == 94 { pe -= 4 }
        var s = pe
        while s > 0, isLetter(b[s - 1]) { s -= 1 }
        guard pe - s >= 2, s > 0 else { return }
        let prev = b[s - 1]
        guard isDigit(prev) || prev == 125 || prev == 32 else { return }
        let w = String(decoding: b[s..<pe], as: UTF8.self).lowercased()
        guard unitWords.contains(w) else { return }
        b.removeSubrange(s..<b.count)
    }

    init(b: [UInt8], latex: Bool, maxDepth: Int, maxExponentDigits: Int) {
        self.b = b
        self.latex = latex
        self.maxDepth = maxDepth
        self.maxExponentDigits = maxExponentDigits
    }

    /// Maps the Unicode math symbols models write (≤, ×, π, √, °, −) onto their LaTeX
    /// spelling so the byte scanner only needs to know ASCII.
    static func normalizeUnicode(_ s: String) -> [UInt8] {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return Array(s.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for u in s.unicodeScalars {
            if u.isASCII { out.append(UInt8(u.value)); continue }
            let rep: String
            switch u {
            case "≤", "⩽": rep = "\\le "
            case "≥", "⩾": rep = "\\ge "
            case "≠": rep = "\\ne "
            case "×": rep = "\\times "
            case "÷": rep = "\\div "
            case "·", "⋅": rep = "\\cdot "
            case "π": rep = "\\pi "
            case "√": rep = "\\sqrt"
            case "∞": rep = "\\infty "
            case "°": rep = "^\\circ "
            case "−", "–", "—": rep = "-"
            case "∪": rep = "\\cup "
            case "±": rep = "\\pm "
            case "∈": rep = "\\in "
            case "\u{00A0}", "\u{2009}", "\u{202F}", "\u{200B}", "’", "‘", "“", "”": rep = " "
            case "€", "£", "¥", "₹", "₽", "¢": rep = " "  // currency marks around a number are units
            case "∫": rep = " \\int "
            case "∑": rep = " \\sum "
            case "∏": rep = " \\prod "
            case "∂": rep = " \\partial "
            case "∇": rep = " \\nabla "
            case "∠": rep = " \\angle "
            case "…", "⋯": rep = " \\cdots "
            case "²": rep = "^2 "
            case "³": rep = "^3 "
            default:
                if let g = greekNames[u] { rep = " \\\(g) " }
                // Letters of prose (words in another script) read like English words; any other
                // symbol has no reading here and fails the parse instead of vanishing.
                else if u.properties.isAlphabetic { rep = " " }
                else { rep = " \\unsupportedsymbol " }
            }
            out.append(contentsOf: rep.utf8)
        }
        return out
    }

    static let greekNames: [Unicode.Scalar: String] = {
        let names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
                     "nu", "xi", "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
        var m: [Unicode.Scalar: String] = [:]
        for (k, n) in names.enumerated() {
            m[Unicode.Scalar(0x03B1 + UInt32(k))!] = n
            if n != "varsigma" { m[Unicode.Scalar(0x0391 + UInt32(k))!] = n.prefix(1).uppercased() + n.dropFirst() }
        }
        m["ϕ"] = "phi"
        m["ϵ"] = "epsilon"
        return m
    }()

    /// Operations the verifier does not evaluate. Skipped like a unit or prose word they would
    /// leave their arguments behind (`gcd(4,6)` read as the pair (4,6), `5 mod 3` as 15), so
    /// they fail the parse. `alwaysOperatorWords` fail anywhere; `appliedOperatorWords` are
    /// also units or ordinary words (`5 min`) and fail only when applied to an argument.
    static let alwaysOperatorWords: Set<String> = [
        "gcd", "lcm", "max", "mod", "bmod", "pmod", "det", "lim", "limsup", "liminf", "sup", "sum", "prod", "int", "integral",
        "argmax", "argmin", "derivative", "not", "no", "none", "neither", "nor", "except", "between", "squared", "cubed",
        "plus", "minus", "half", "twice", "choose", "floor", "ceil", "abs", "round", "gcf", "hcf",
    ]
    static let appliedOperatorWords: Set<String> = [
        "min", "deg", "re", "im", "tr", "sign", "sgn", "arg", "dim", "ker", "rank", "span", "diag", "var", "cov", "mean",
        "median", "card", "ord", "lcd",
    ]

    /// Whether the word at [s, e) names an operation that must not be skipped.
    func isOperatorWord(_ w: String, followedAt e: Int) -> Bool {
        let l = w.lowercased()
        if Self.alwaysOperatorWords.contains(l) { return true }
        guard Self.appliedOperatorWords.contains(l) else { return false }
        var j = e
        while j < b.count, b[j] == 32 { j += 1 }
        guard j < b.count else { return false }
        return b[j] == 40 || b[j] == 123 || b[j] == 95 || b[j] == 92 || b[j] == 94
    }

    // MARK: - scanning helpers

    var atEnd: Bool { p >= b.count }
    func peek(_ o: Int = 0) -> UInt8 { p + o < b.count ? b[p + o] : 0 }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    func fail(_ m: String) -> MathParseError { .syntax(m) }

    /// Reads `\name` at p without consuming; returns the name (letters, or one symbol char).
    func commandAt(_ i: Int) -> (name: Substring, end: Int)? {
        guard i < b.count, b[i] == 92, i + 1 < b.count else { return nil }
        var j = i + 1
        if Self.isLetter(b[j]) {
            while j < b.count, Self.isLetter(b[j]) { j += 1 }
        } else {
            j += 1
        }
        return (Substring(decoding: b[(i + 1)..<j], as: UTF8.self), j)
    }

    static let spacingCommands: Set<Substring> = [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr",
        "displaystyle", "textstyle", "quad", "qquad", ",", "!", ";", ":", " ", "$", "limits", "middle", "unicode",
        "hfill", "nonumber", "notag",
    ]
    static let textCommands: Set<Substring> = ["text", "mbox", "textbf", "textit", "textrm", "textnormal", "mathrm", "operatorname", "textsf", "texttt", "emph", "hbox"]

    /// Skips whitespace and everything that carries no value: spacing commands, `$`,
    /// `\text{units}`, plain-text words, empty `()` left by them.
    mutating func skipSpace() {
        while p < b.count {
            let c = b[p]
            if c == 32 || c == 9 || c == 10 || c == 13 || c == 36 || c == 126 { p += 1; continue }
            if c == 92, let (name, end) = commandAt(p) {
                if name == "left", end < b.count, b[end] == 124 { break }  // \left| opens an absolute value
                if Self.spacingCommands.contains(name) { p = end; continue }
                if name == "hspace" || name == "vspace" { p = end; _ = rawGroup(); continue }
                if Self.textCommands.contains(name), let content = peekTextContent(after: end) {
                    let t = content.text
                    let word = UTF8Text.trimmed(t, newlines: false)
                    if name == "operatorname" || isOperatorWord(word, followedAt: content.end) { break }
                    if !Self.textHasValue(t) {
                        p = content.end
                        skipUnitPower()
                        continue
                    }
                }
                break
            }
            if !latex && Self.isLetter(c) {
                var j = p
                while j < b.count, Self.isLetter(b[j]) { j += 1 }
                let word = Substring(decoding: b[p..<j], as: UTF8.self)
                if j - p >= 2, !Self.knownWord(word.lowercased()), word.lowercased() != "or", word.lowercased() != "and",
                   !isOperatorWord(String(word), followedAt: j) {
                    p = j
                    continue
                }
                break
            }
            if c == 40 {  // "( )" emptied by skipped words
                var j = p + 1
                while j < b.count, b[j] == 32 { j += 1 }
                if j < b.count, b[j] == 41 { p = j + 1; continue }
                if !latex, j < b.count, Self.isLetter(b[j]) {
                    var k = j
                    while k < b.count, Self.isLetter(b[k]) || b[k] == 32 { k += 1 }
                    let inner = String(decoding: b[j..<k], as: UTF8.self).lowercased()
                    let words = inner.split(separator: " ")
                    if k < b.count, b[k] == 41, words.allSatisfy({ $0.count >= 2 && !Self.knownWord(String($0)) }) { p = k + 1; continue }
                }
            }
            break
        }
    }

    /// `^{2}` / `^3` right after a skipped unit (`\mathrm{km}^{2}`) belongs to the unit.
    mutating func skipUnitPower() {
        var j = p
        while j < b.count, b[j] == 32 { j += 1 }
        guard j < b.count, b[j] == 94 else { return }
        j += 1
        if j < b.count, Self.isDigit(b[j]) { p = j + 1; return }
        if j + 2 < b.count, b[j] == 123, Self.isDigit(b[j + 1]), b[j + 2] == 125 { p = j + 3 }
    }

    /// Content of a `\text{…}`-like argument starting at `i`, without consuming.
    func peekTextContent(after i: Int) -> (text: String, end: Int)? {
        var j = i
        while j < b.count, b[j] == 32 { j += 1 }
        guard j < b.count, b[j] == 123 else { return nil }
        var d = 0
        var k = j
        while k < b.count {
            if b[k] == 123 { d += 1 } else if b[k] == 125 { d -= 1; if d == 0 { break } }
            k += 1
        }
        guard k < b.count else { return nil }
        return (String(decoding: b[(j + 1)..<k], as: UTF8.self), k + 1)
    }

    /// Whether `\text{t}` means something: a number, a separator word, a function or constant name.
    static func textHasValue(_ t: String) -> Bool {
        let s = UTF8Text.trimmed(t, newlines: false).lowercased()
        if s.isEmpty { return false }
        if s == "or" || s == "and" || s == "," { return true }
        if knownWord(s) || s == "e" || s == "i" { return true }
        // A single letter in \mathrm/\text is a unit (h, s, m) unless it is e or i.
        return s.utf8.contains { isDigit($0) }
    }

    static let functionWords: [String: MathFunction] = [
        "sin": .sin, "cos": .cos, "tan": .tan, "sec": .sec, "csc": .csc, "cot": .cot,
        "arcsin": .asin, "arccos": .acos, "arctan": .atan, "arccot": .acot, "arcsec": .asec, "arccsc": .acsc,
        "sinh": .sinh, "cosh": .cosh, "tanh": .tanh, "ln": .ln, "log": .log10, "exp": .exp, "sqrt": .sqrt,
        "lg": .log10, "tg": .tan, "ctg": .cot,
    ]
    /// `functionWords` longest first (so "sinh" wins over "sin"), sorted once rather than per word.
    static let functionWordsLongestFirst: [(key: String, value: MathFunction)] =
        functionWords.sorted { $0.key.count != $1.key.count ? $0.key.count > $1.key.count : $0.key < $1.key }

    static func knownWord(_ w: String) -> Bool {
        functionWords[w] != nil || w == "pi" || w == "inf" || w == "infty" || w == "infinity" || w == "oo"
    }

    /// A `{…}` group's raw bytes range (without braces), consuming it.
    mutating func rawGroup() -> Range<Int>? {
        while p < b.count, b[p] == 32 { p += 1 }
        guard p < b.count, b[p] == 123 else { return nil }
        var d = 0
        let start = p
        while p < b.count {
            if b[p] == 92 { p += 2; continue }
            if b[p] == 123 { d += 1 } else if b[p] == 125 { d -= 1; if d == 0 { p += 1; return (start + 1)..<(p - 1) } }
            p += 1
        }
        return nil
    }

    mutating func enter() throws(MathParseError) {
        steps += 1
        depth += 1
        if depth > maxDepth { throw .limit("nesting deeper than \(maxDepth)") }
    }

    /// Whether the next thing is a list separator word ("or", "and", `\text{ or }`).
    mutating func atSeparatorWord() -> Int? {
        let save = p
        defer { p = save }
        while p < b.count, b[p] == 32 { p += 1 }
        if p < b.count, Self.isLetter(b[p]) {
            var j = p
            while j < b.count, Self.isLetter(b[j]) { j += 1 }
            let w = String(decoding: b[p..<j], as: UTF8.self).lowercased()
            if (w == "or" || w == "and") && (j >= b.count || !Self.isLetter(b[j])) { return j }
        }
        if let (name, end) = commandAt(p), Self.textCommands.contains(name), let c = peekTextContent(after: end) {
            let t = UTF8Text.trimmed(c.text, newlines: false).lowercased()
            if t == "or" || t == "and" || t == "," || t == ", or" || t == ", and" { return c.end }
        }
        return nil
    }

    // MARK: - grammar

    mutating func parseAll() throws(MathParseError) -> MathExpr {
        let e = try parseList(closers: [])
        skipSpace()
        // A sentence-final period is not part of the answer.
        while p < b.count, b[p] == 46 || b[p] == 59 || b[p] == 44 { p += 1; skipSpace() }
        if p < b.count {
            throw fail("unexpected '\(String(decoding: b[p..<min(b.count, p + 12)], as: UTF8.self))'")
        }
        return e
    }

    /// `a, b; c or d`: several answers become a set (math-verify reads them as a FiniteSet).
    mutating func parseList(closers: Set<UInt8>) throws(MathParseError) -> MathExpr {
        var items: [MathExpr] = []
        while true {
            skipSpace()
            if atEnd || closers.contains(peek()) || isCloseCommand() {
                if items.isEmpty { throw fail("empty expression") }
                break
            }
            items.append(try parseRelation())
            skipSpace()
            if let end = atSeparatorWord() { p = end; continue }
            if peek() == 44 || peek() == 59 {
                // A trailing comma/period before the end is punctuation, not a separator.
                let save = p
                p += 1
                skipSpace()
                if atEnd || closers.contains(peek()) { p = save; break }
                if let end = atSeparatorWord() { p = end }
                continue
            }
            break
        }
        if items.count == 1 { return items[0] }
        // "x = 1 or x = 2": equations on the same lone variable become the set of their values.
        return .set(items)
    }

    func isCloseCommand() -> Bool {
        if let (name, _) = commandAt(p) { return name == "}" || name == "rbrace" || name == "end" || name == "\\" || name == "right" }
        return false
    }

    mutating func relationOp() -> RelationOp?? {
        skipSpace()
        let c = peek()
        switch c {
        case 61: p += 1; return .some(.eq)
        case 60:
            if peek(1) == 61 { p += 2; return .some(.le) }
            p += 1; return .some(.lt)
        case 62:
            if peek(1) == 61 { p += 2; return .some(.ge) }
            p += 1; return .some(.gt)
        case 33 where peek(1) == 61: p += 2; return .some(.ne)
        case 92:
            guard let (name, end) = commandAt(p) else { return nil }
            let op: RelationOp?
            switch name {
            case "le", "leq", "leqslant", "leqq": op = .le
            case "ge", "geq", "geqslant", "geqq": op = .ge
            case "lt": op = .lt
            case "gt": op = .gt
            case "ne", "neq": op = .ne
            case "approx", "simeq": op = .eq; approxTail = true
            case "equiv", "cong": op = .eq
            case "in": p = end; return .some(nil)  // membership: the right side is the answer
            default: return nil
            }
            p = end
            return .some(op)
        default: return nil
        }
    }

    /// `A \cup B \cup …` (unions of intervals and sets).
    mutating func parseUnion() throws(MathParseError) -> MathExpr {
        var parts = [try parseSum()]
        while true {
            skipSpace()
            guard let (name, end) = commandAt(p), name == "cup" else { break }
            p = end
            parts.append(try parseSum())
        }
        return parts.count == 1 ? parts[0] : .union(parts)
    }

    /// `7:32` (or `\colon`) is the ratio 7/32; inside `\{…\}` a colon is set-builder notation.
    mutating func parseRatio() throws(MathParseError) -> MathExpr {
        let a = try parseUnion()
        guard inSetBraces == 0, atRatioColon() else { return a }
        let b2 = try parseUnion()
        if atRatioColon() { throw fail("ratio of more than two terms is not supported") }
        return .mul([a, .pow(b2, .int(-1))])
    }

    mutating func atRatioColon() -> Bool {
        skipSpace()
        if peek() == 58, peek(1) != 61 { p += 1; return true }
        if let (name, end) = commandAt(p), name == "colon" { p = end; return true }
        return false
    }

    /// One side of a relation. A side written in notation this parser does not know
    /// (`\angle ABC`, `\operatorname{area}(T)`, `\int_0^1 x\,dx`) does not sink an equation
    /// chain when a later side parses: the chain states that value (nil marks the skipped side).
    /// Only a side followed by a top-level `=` is skipped; on its own it still fails.
    mutating func parseSide() throws(MathParseError) -> MathExpr? {
        let save = p
        do throws(MathParseError) {
            return try parseRatio()
        } catch {
            guard case .syntax = error, let eq = nextTopLevelEquals(from: save) else { throw error }
            p = eq
            return nil
        }
    }

    /// Offset of the next `=` outside any bracket (`(`, `[`, `{`, `\{`) before a list
    /// separator or the end of the enclosing group. A side with a top-level `+` or `-`
    /// (`y^{\prime}+ry=0`) is an expression of several terms, not a named quantity: an
    /// equation, whose constant side is not its value, so nil.
    func nextTopLevelEquals(from start: Int) -> Int? {
        var d = 0
        var i = start
        var seen = false
        while i < b.count {
            let c = b[i]
            if c == 92 {
                if i + 1 < b.count, b[i + 1] == 123 { d += 1; i += 2; continue }
                if i + 1 < b.count, b[i + 1] == 125 { d -= 1; if d < 0 { return nil }; i += 2; continue }
                i += 1
                if i < b.count, !Self.isLetter(b[i]) { i += 1; continue }  // \, \; \!
                while i < b.count, Self.isLetter(b[i]) { i += 1 }
                continue
            }
            if c == 40 || c == 91 || c == 123 { d += 1 }
            else if c == 41 || c == 93 || c == 125 { d -= 1; if d < 0 { return nil } }
            else if d == 0, c == 44 || c == 59 { return nil }
            else if d == 0, c == 43 || c == 45, seen { return nil }
            else if d == 0, c == 61 {
                let prev = i > 0 ? b[i - 1] : 0
                if prev != 60 && prev != 62 && prev != 33 { return i }
            }
            if c != 32 { seen = true }
            i += 1
        }
        return nil
    }

    mutating func parseRelation() throws(MathParseError) -> MathExpr {
        let first = try parseSide()
        var sides: [MathExpr?] = [first]
        var ops: [RelationOp?] = []
        while let op = relationOp() {
            if approxTail {
                // "\frac13 \approx 0.333": a rounded tail after the exact value is not the answer.
                approxTail = false
                _ = try parseSide()
                continue
            }
            ops.append(op)
            sides.append(try parseSide())
        }
        if sides.contains(where: { $0 == nil }) {
            // Something = … = value: keep the value, only when every link is an equality.
            guard ops.allSatisfy({ $0 == .eq }), let last = sides.last, let value = last else {
                throw fail("unsupported notation in a relation")
            }
            return value
        }
        let parts = sides.map { $0! }
        if ops.isEmpty { return parts[0] }
        if ops.contains(where: { $0 == nil }) { return parts[parts.count - 1] }
        let o = ops.map { $0! }
        if o.count == 1 { return .relation(o[0], parts[0], parts[1]) }
        // "x = 2+3 = 5": a chain of equalities states its last value.
        if o.allSatisfy({ $0 == .eq }) { return parts[parts.count - 1] }
        var rels: [MathExpr] = []
        for i in 0..<o.count { rels.append(.relation(o[i], parts[i], parts[i + 1])) }
        return .chain(rels)
    }

    mutating func parseSum() throws(MathParseError) -> MathExpr {
        try enter()
        defer { depth -= 1 }
        var terms: [MathExpr] = []
        var pm: [(Bool, MathExpr)] = []  // (isMinusPlus, term) for ± parts
        skipSpace()
        if let (name, end) = commandAt(p), name == "pm" || name == "mp" {
            p = end
            let t = try parseTerm()
            pm.append((name == "mp", t))
        } else {
            terms.append(try parseTerm())
        }
        while true {
            skipSpace()
            let c = peek()
            if c == 43 { p += 1; terms.append(try parseTerm()); continue }
            if c == 45 { p += 1; terms.append(.neg(try parseTerm())); continue }
            if let (name, end) = commandAt(p), name == "pm" || name == "mp" {
                p = end
                pm.append((name == "mp", try parseTerm()))
                continue
            }
            break
        }
        var base: MathExpr = terms.isEmpty ? .int(0) : (terms.count == 1 ? terms[0] : .add(terms))
        for (minusPlus, t) in pm { base = .plusMinus(base, minusPlus ? .neg(t) : t) }
        return base
    }

    /// Whether an implicit multiplication can start here (`2x`, `2(x+1)`, `x\sqrt2`).
    mutating func startsImplicitFactor() -> Bool {
        skipSpace()
        guard p < b.count else { return false }
        let c = b[p]
        if atSeparatorWord() != nil { return false }
        if Self.isDigit(c) || Self.isLetter(c) || c == 40 || c == 123 { return true }
        // `\left[ … \right]` after a factor is a bracketed factor, not an interval.
        if c == 91, p >= 5, b[(p - 5)..<p].elementsEqual("\\left".utf8) { return true }
        if c == 46, Self.isDigit(peek(1)) { return true }
        if c == 92, let (name, _) = commandAt(p) {
            if name.count == 1 { return name == "{" }
            return !Self.nonFactorCommands.contains(name)
        }
        return false
    }

    static let nonFactorCommands: Set<Substring> = [
        "cdot", "times", "div", "pm", "mp", "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "leqslant", "geqslant",
        "approx", "equiv", "in", "cup", "cap", "end", "right", "rbrace", "circ", "text", "mbox", "textbf", "quad", "qquad",
        "to", "rightarrow", "Rightarrow", "implies", "setminus", "mid", "rfloor", "rceil", "rangle", "simeq", "cong", "leqq", "geqq",
        "degree", "percent", "colon",
    ]

    mutating func parseTerm() throws(MathParseError) -> MathExpr {
        var factors = [try parseUnary()]
        while true {
            skipSpace()
            let c = peek()
            if c == 42 || c == 47 {
                p += 1
                // "6.6 \mathrm{mi} / \mathrm{hr}": the units are skipped, so is their operator.
                if operandMissing() { break }
                factors.append(c == 42 ? try parseUnary() : .pow(try parseUnary(), .int(-1)))
                continue
            }
            if let (name, end) = commandAt(p) {
                if name == "cdot" || name == "times" || name == "ast" || name == "div" {
                    p = end
                    if operandMissing() { break }
                    factors.append(name == "div" ? .pow(try parseUnary(), .int(-1)) : try parseUnary())
                    continue
                }
            }
            // Mixed number 1\frac{4}{5} = 9/5 (only when the term ends there, as math-verify reads it).
            if factors.count == 1, let mixed = try mixedNumber(factors[0]) { factors[0] = mixed; continue }
            if startsImplicitFactor() {
                let save = p
                factors.append(try parsePower())
                if p == save { break }
                continue
            }
            break
        }
        return factors.count == 1 ? factors[0] : .mul(factors)
    }

    mutating func operandMissing() -> Bool {
        skipSpace()
        return atEnd || peek() == 125 || peek() == 41 || peek() == 93 || peek() == 44 || isCloseCommand() || atSeparatorWord() != nil
    }

    mutating func mixedNumber(_ whole: MathExpr) throws(MathParseError) -> MathExpr? {
        var neg = false
        var w = whole
        if case .neg(let inner) = w { neg = true; w = inner }
        guard case .number(let n, false) = w, n.isInteger, n.signum >= 0 else { return nil }
        let save = p
        skipSpace()
        guard let (name, _) = commandAt(p), name == "frac" || name == "dfrac" || name == "tfrac" else { p = save; return nil }
        let f = try parseCommand()
        guard case .mul(let parts) = f, parts.count == 2, case .number(let a, false) = parts[0], case .pow(.number(let bq, false), _) = parts[1],
              a.isInteger, bq.isInteger, !startsImplicitFactor() else { p = save; return nil }
        let sum = MathExpr.add([.number(n, isFloat: false), f])
        _ = a; _ = bq
        return neg ? .neg(sum) : sum
    }

    mutating func parseUnary() throws(MathParseError) -> MathExpr {
        skipSpace()
        if peek() == 45 { p += 1; try enter(); defer { depth -= 1 }; return .neg(try parseUnary()) }
        if peek() == 43 { p += 1; try enter(); defer { depth -= 1 }; return try parseUnary() }
        return try parsePower()
    }

    /// Consumes a degree mark (`^\circ`, `^{\circ}`, `\degree`) if present; degrees are read
    /// as plain numbers, as math-verify does (30° matches 30).
    mutating func skipDegree() -> Bool {
        let save = p
        skipSpace()
        if peek() == 94 {
            p += 1
            skipSpace()
            if let (name, end) = commandAt(p), name == "circ" { p = end; return true }
            if peek() == 123 {
                p += 1
                skipSpace()
                if let (name, end) = commandAt(p), name == "circ" {
                    p = end
                    skipSpace()
                    if peek() == 125 { p += 1; return true }
                }
            }
        } else if let (name, end) = commandAt(p), name == "circ" || name == "degree" {
            p = end
            return true
        }
        p = save
        return false
    }

    mutating func parsePower() throws(MathParseError) -> MathExpr {
        try enter()
        defer { depth -= 1 }
        let base = try parsePostfix()
        if skipDegree() { return try parsePostfixOps(base) }
        skipSpace()
        if peek() == 94 || (peek() == 42 && peek(1) == 42) {
            p += peek() == 94 ? 1 : 2
            let ex = try parseExponent()
            return try parsePostfixOps(.pow(base, ex))
        }
        return base
    }

    /// The argument of `^`: a braced group, a number, one letter, a command, or a signed one.
    mutating func parseExponent() throws(MathParseError) -> MathExpr {
        skipSpace()
        let c = peek()
        if c == 123 { return try parseBraceGroup() }
        if c == 45 { p += 1; return .neg(try parseExponent()) }
        if c == 43 { p += 1; return try parseExponent() }
        if Self.isDigit(c) {
            // `2^10` is read as 2¹⁰ (as math-verify does), not TeX's 2¹0.
            return try parseNumber()
        }
        if Self.isLetter(c) { p += 1; return symbolOrConstant(String(UnicodeScalar(Self.lower(c)))) }
        if c == 40 { return try parsePrimary() }
        if c == 92 { return try parsePostfix() }
        throw fail("bad exponent")
    }

    mutating func parsePostfix() throws(MathParseError) -> MathExpr {
        try parsePostfixOps(try parsePrimary())
    }

    mutating func parsePostfixOps(_ e0: MathExpr) throws(MathParseError) -> MathExpr {
        var e = e0
        while true {
            let save = p
            skipSpace()
            let c = peek()
            if c == 33 && peek(1) != 61 { p += 1; e = .function(.factorial, [e]); continue }
            if c == 37 { p += 1; e = .percent(e); continue }
            if let (name, end) = commandAt(p) {
                if name == "%" { p = end; e = .percent(e); continue }
                if name == "percent" { p = end; e = .percent(e); continue }
            }
            if !latex, Self.isLetter(c) {
                var j = p
                while j < b.count, Self.isLetter(b[j]) { j += 1 }
                let w = String(decoding: b[p..<j], as: UTF8.self).lowercased()
                if w == "percent" || w == "pct" || w == "percentage" { p = j; e = .percent(e); continue }
            }
            if c == 39 {
                // y' is its own name (a derivative), not y; 5' (feet, arc minutes) is a unit mark.
                p += 1
                if case .symbol(let n) = e { e = .symbol(n + "'"); continue }
                if case .number = e { continue }
                throw fail("derivative mark ' is not supported")
            }
            p = save
            return e
        }
    }

    mutating func parseBraceGroup() throws(MathParseError) -> MathExpr {
        guard peek() == 123 else { throw fail("expected '{'") }
        p += 1
        try enter()
        defer { depth -= 1 }
        let e = try parseList(closers: [125])
        skipSpace()
        guard peek() == 125 else { throw fail("missing '}'") }
        p += 1
        return e
    }

    /// Argument of `\frac`, `\sqrt`, …: `{…}`, or a single digit/letter/command (`\frac12`).
    mutating func parseArg() throws(MathParseError) -> MathExpr {
        skipSpace()
        let c = peek()
        if c == 123 { return try parseBraceGroup() }
        if Self.isDigit(c) { p += 1; return .int(Int(c - 48)) }
        if Self.isLetter(c) { p += 1; return symbolOrConstant(String(UnicodeScalar(Self.lower(c)))) }
        if c == 92 { return try parsePrimary() }
        throw fail("missing argument")
    }

    func symbolOrConstant(_ s: String) -> MathExpr {
        switch s {
        case "e": return .constant(.e)
        case "i": return .constant(.i)
        default: return .symbol(s)
        }
    }

    mutating func parseNumber() throws(MathParseError) -> MathExpr {
        let start = p
        var digits: [UInt8] = []
        var isFloat = false
        var intDigits = 0
        while p < b.count, Self.isDigit(b[p]) { digits.append(b[p]); p += 1; intDigits += 1 }
        // Thousands separators: 7,425,000 / 1{,}000 / 1\,000 / 1 000, only in groups of exactly 3.
        if intDigits >= 1 && intDigits <= 3 && digits[0] != 48 && inBrackets == 0 {
            while true {
                var q = p
                var sepOK = false
                if q < b.count, b[q] == 44 { q += 1; sepOK = true } else if q + 2 < b.count, b[q] == 123, b[q + 1] == 44, b[q + 2] == 125 {
                    q += 3; sepOK = true
                } else if q + 1 < b.count, b[q] == 92, b[q + 1] == 44 || b[q + 1] == 33 { q += 2; sepOK = true } else if q < b.count, b[q] == 32 { q += 1; sepOK = true }
                guard sepOK, q + 3 <= b.count, Self.isDigit(b[q]), Self.isDigit(b[q + 1]), Self.isDigit(b[q + 2]),
                      q + 3 == b.count || !Self.isDigit(b[q + 3]) else { break }
                // "1, 234" with a space after the comma is a list, not a number.
                digits.append(contentsOf: b[q..<(q + 3)])
                p = q + 3
            }
        }
        // "0,245" cannot be a thousands grouping: it is a decimal comma (unambiguous).
        if !latex, intDigits == 1, digits[0] == 48, p + 1 < b.count, b[p] == 44, Self.isDigit(b[p + 1]), inBrackets == 0 {
            b[p] = 46
        }
        // "1000,99": four or more digits with no grouping cannot be followed by a thousands group
        // of two digits, and a list would not omit its space: a decimal comma.
        if intDigits >= 4, digits.count == intDigits, inBrackets == 0, p + 2 < b.count + 1, p < b.count, b[p] == 44 {
            var q = p + 1
            while q < b.count, Self.isDigit(b[q]) { q += 1 }
            let frac = q - p - 1
            if (frac == 1 || frac == 2), q == b.count || (b[q] != 44 && b[q] != 46) { b[p] = 46 }
        }
        if p + 1 < b.count, b[p] == 46, Self.isDigit(b[p + 1]) {
            isFloat = true
            digits.append(46)
            p += 1
            while p < b.count, Self.isDigit(b[p]) { digits.append(b[p]); p += 1 }
        } else if p < b.count, b[p] == 46, p == start {
            throw fail("bad number")
        } else if p + 1 < b.count, b[p] == 46, [42, 47, 43, 45, 41].contains(b[p + 1]) {
            p += 1  // "1./3": a trailing decimal point before an operator
            isFloat = true
        }
        if digits.isEmpty, p < b.count, b[p] == 46 { throw fail("bad number") }
        // Plain-text scientific notation 1.5e-3 (in LaTeX `e` is Euler's number).
        if !latex, p + 1 < b.count, b[p] == 101 || b[p] == 69 {
            var q = p + 1
            if q < b.count, b[q] == 43 || b[q] == 45 { q += 1 }
            if q < b.count, Self.isDigit(b[q]) {
                let expStart = p
                p = q
                while p < b.count, Self.isDigit(b[p]) { p += 1 }
                if p - q > maxExponentDigits { throw .limit("exponent has more than \(maxExponentDigits) digits") }
                digits.append(contentsOf: b[expStart..<p])
                isFloat = true
            }
        }
        let s = Substring(decoding: digits, as: UTF8.self)
        if digits.count > 4096 { throw .limit("number longer than 4096 digits") }
        guard let r = Rational(decimal: s) else { throw .limit("number out of range: \(s.prefix(40))") }
        return .number(r, isFloat: isFloat)
    }

    /// `.4` (leading dot decimals).
    mutating func parseLeadingDotNumber() throws(MathParseError) -> MathExpr {
        p += 1
        let s = p
        while p < b.count, Self.isDigit(b[p]) { p += 1 }
        guard let r = Rational(decimal: Substring("." + String(decoding: b[s..<p], as: UTF8.self))) else { throw fail("bad number") }
        return .number(r, isFloat: true)
    }

    static let greek: Set<Substring> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
        "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
    ]
    static let transparent: Set<Substring> = [
        "mathbf", "mathit", "boldsymbol", "bm", "boxed", "fbox", "mathsf", "mathcal", "mathnormal", "underline", "pmb",
        "bf", "rm", "it",
    ]
    static let decorations: Set<Substring> = [
        "vec", "overline", "bar", "hat", "tilde", "widehat", "widetilde", "overrightarrow", "overleftrightarrow", "dot", "ddot",
    ]

    mutating func parsePrimary() throws(MathParseError) -> MathExpr {
        try enter()
        defer { depth -= 1 }
        skipSpace()
        guard p < b.count else { throw fail("unexpected end") }
        let c = b[p]
        if Self.isDigit(c) { return try parseNumber() }
        if c == 46, Self.isDigit(peek(1)) { return try parseLeadingDotNumber() }
        if Self.isLetter(c) { return try parseLetters() }
        if c == 40 || c == 91 { return try parseBracketed() }
        if c == 123 { return try parseBraceGroup() }
        if c == 124 {
            p += 1
            let inner = try parseSum()
            skipSpace()
            guard peek() == 124 else { throw fail("missing closing '|'") }
            p += 1
            return .function(.abs, [inner])
        }
        if c == 92 { return try parseCommand() }
        throw fail("unexpected '\(String(UnicodeScalar(c)))'")
    }

    mutating func parseLetters() throws(MathParseError) -> MathExpr {
        var j = p
        while j < b.count, Self.isLetter(b[j]) { j += 1 }
        let word = String(decoding: b[p..<j], as: UTF8.self)
        let lower = word.lowercased()
        // Function names typed without a backslash ("sqrt(2)", "sin x").
        for (name, fn) in Self.functionWordsLongestFirst where lower.hasPrefix(name) {
            if latex && name.count < lower.count && fn != .sqrt { continue }
            if !latex && name.count < lower.count { continue }
            p += name.count
            return try parseFunctionApplication(fn)
        }
        if !latex {
            if lower == "pi" { p = j; return .constant(.pi) }
            if lower == "inf" || lower == "infinity" || lower == "oo" || lower == "infty" { p = j; return .constant(.infinity) }
            if j - p >= 2 {
                if isOperatorWord(word, followedAt: j) { throw fail("unsupported operation '\(word)'") }
                throw fail("unexpected word '\(word)'")
            }
        }
        // In math mode each letter is its own variable (TeX reads `xy` as x·y).
        p += 1
        // Variables are case-insensitive, as in math-verify (`C` and `c` are one constant).
        var name = String(UnicodeScalar(c: Self.lower(b[p - 1])))
        if let sub = try parseSubscript() { name += "_" + sub.lowercased(); return .symbol(name) }
        if name == "f" || name == "g" || name == "h", let app = try functionApplication(name) { return app }
        return symbolOrConstant(name)
    }

    /// `f(x)`, `g(2)`, `h{\left(t \right)}`: the value of a function nobody defined here. It is
    /// kept as one opaque symbol named by its argument, so `f(x)` equals `f(x)` and labels an
    /// equation (`f(x) = 1`), but is never the product f·x.
    mutating func functionApplication(_ name: String) throws(MathParseError) -> MathExpr? {
        var q = p
        while q < b.count, b[q] == 39 { q += 1 }  // f'(x)
        let primes = q - p
        var k = q
        while k < b.count, b[k] == 32 { k += 1 }
        let opens: Bool
        if k < b.count, b[k] == 40 { opens = true }
        else if let (c, e) = commandAt(k), c == "left", e < b.count, b[e] == 40 { opens = true }
        else if k + 1 < b.count, b[k] == 123, let (c, e) = commandAt(k + 1), c == "left", e < b.count, b[e] == 40 { opens = true }
        else { opens = false }
        guard opens else { return nil }
        p = k
        let arg = try parsePrimary()
        return .symbol(name + String(repeating: "'", count: primes) + "(" + Self.key(arg) + ")")
    }

    /// A stable spelling of an expression, for naming opaque symbols built from it.
    static func key(_ e: MathExpr) -> String {
        String(describing: e).replacingOccurrences(of: "RewardVerifiers.", with: "")
    }

    /// `_1`, `_{n+1}` after a name: part of the name (x_1 is its own variable).
    mutating func parseSubscript() throws(MathParseError) -> String? {
        guard peek() == 95 else { return nil }
        p += 1
        if peek() == 123, let r = rawGroup() {
            return String(decoding: b[r], as: UTF8.self).replacingOccurrences(of: " ", with: "")
        }
        guard p < b.count else { throw fail("empty subscript") }
        if Self.isDigit(b[p]) || Self.isLetter(b[p]) { p += 1; return String(UnicodeScalar(c: b[p - 1])) }
        if let (name, end) = commandAt(p) { p = end; return String(name) }
        throw fail("bad subscript")
    }

    /// `(…)` / `[…]`: grouping, tuple, or interval depending on the items and the closer.
    mutating func parseBracketed() throws(MathParseError) -> MathExpr {
        let open = b[p]
        p += 1
        inBrackets += 1
        defer { inBrackets -= 1 }
        var items: [MathExpr] = []
        skipSpace()
        while true {
            skipSpace()
            if peek() == 41 || peek() == 93 { break }
            items.append(try parseRelation())
            skipSpace()
            if peek() == 44 || peek() == 59 { p += 1; continue }
            if let end = atSeparatorWord() { p = end; continue }
            break
        }
        skipSpace()
        let close = peek()
        guard close == 41 || close == 93 else { throw fail("missing closing bracket") }
        p += 1
        if items.isEmpty { throw fail("empty brackets") }
        if items.count == 1 {
            if open == close - 1 || (open == 91 && close == 93) { return items[0] }
            throw fail("one-element interval")
        }
        if items.count == 2 && !(open == 40 && close == 41) {
            return .interval(items[0], items[1], leftClosed: open == 91, rightClosed: close == 93)
        }
        if open == 40 && close == 41 { return .tuple(items) }
        if open == 91 && close == 93 { return .tuple(items) }
        throw fail("mismatched brackets")
    }

    mutating func parseFunctionApplication(_ fn: MathFunction) throws(MathParseError) -> MathExpr {
        skipSpace()
        if fn == .sqrt {
            // \sqrt[n]{x}
            if peek() == 91 {
                p += 1
                let n = try parseSum()
                skipSpace()
                guard peek() == 93 else { throw fail("missing ']' in root") }
                p += 1
                let x = try parseArg()
                return .function(.root, [n, x])
            }
            if peek() == 40 { return .function(.sqrt, [try parsePrimary()]) }
            return .function(.sqrt, [try parseArg()])
        }
        // \log_2 x, \log_{10}(x)
        if fn == .log10, peek() == 95 {
            p += 1
            let base = try parseArg()
            let x = try parseFunctionArgument()
            return .function(.logBase, [base, x])
        }
        // \sin^2 x = (\sin x)^2; \sin^{-1} is arcsin.
        if peek() == 94 {
            p += 1
            let ex = try parseExponent()
            if case .neg(.number(let r, _)) = ex, r == .one, let inv = Self.inverse(fn) {
                return .function(inv, [try parseFunctionArgument()])
            }
            return .pow(.function(fn, [try parseFunctionArgument()]), ex)
        }
        return .function(fn, [try parseFunctionArgument()])
    }

    static func inverse(_ f: MathFunction) -> MathFunction? {
        switch f {
        case .sin: return .asin
        case .cos: return .acos
        case .tan: return .atan
        default: return nil
        }
    }

    /// `\sin(x)`, `\sin{x}`, or `\sin 2x` (an implicit product of powers, no operators).
    mutating func parseFunctionArgument() throws(MathParseError) -> MathExpr {
        skipSpace()
        if peek() == 40 || peek() == 123 { return try parsePrimary() }
        var fs = [try parsePower()]
        while true {
            skipSpace()
            let c = peek()
            guard Self.isDigit(c) || (Self.isLetter(c) && atSeparatorWord() == nil) else { break }
            fs.append(try parsePower())
        }
        return fs.count == 1 ? fs[0] : .mul(fs)
    }

    mutating func parseCommand() throws(MathParseError) -> MathExpr {
        guard let (name, end) = commandAt(p) else { throw fail("bad command") }
        p = end
        switch name {
        case "frac", "dfrac", "tfrac", "cfrac":
            let n = try parseArg()
            let d = try parseArg()
            if let deriv = try derivative(n, d) { return deriv }
            return .mul([n, .pow(d, .int(-1))])
        case "sqrt": return try parseFunctionApplication(.sqrt)
        case "pi": return .constant(.pi)
        case "infty", "infin", "infinity": return .constant(.infinity)
        case "emptyset", "varnothing", "empty": return .set([])
        case "mathbb":
            guard let r = rawGroup() else { throw fail("bad \\mathbb") }
            let s = UTF8Text.trimmed(String(decoding: b[r], as: UTF8.self), newlines: false)
            if s == "R" { return .interval(.neg(.constant(.infinity)), .constant(.infinity), leftClosed: false, rightClosed: false) }
            throw fail("unsupported \\mathbb{\(s)}")
        case "ln": return try parseFunctionApplication(.ln)
        case "log", "lg": return try parseFunctionApplication(.log10)
        case "exp": return try parseFunctionApplication(.exp)
        case "binom", "dbinom", "tbinom", "choose":
            let n = try parseArg()
            let k = try parseArg()
            return .function(.binomial, [n, k])
        case "lfloor", "lceil":
            let inner = try parseSum()
            skipSpace()
            guard let (close, e2) = commandAt(p), close == (name == "lfloor" ? "rfloor" : "rceil") else { throw fail("missing \\r\(name.dropFirst())") }
            p = e2
            return .function(name == "lfloor" ? .floor : .ceil, [inner])
        case "{", "lbrace":
            inBrackets += 1
            inSetBraces += 1
            defer { inBrackets -= 1; inSetBraces -= 1 }
            var items: [MathExpr] = []
            skipSpace()
            while true {
                skipSpace()
                if let (n2, e2) = commandAt(p), n2 == "}" || n2 == "rbrace" { p = e2; return .set(items) }
                if atEnd { throw fail("missing \\}") }
                items.append(try parseRelation())
                skipSpace()
                if peek() == 44 || peek() == 59 { p += 1; continue }
                if let e2 = atSeparatorWord() { p = e2; continue }
                if peek() == 124 || peek() == 58 || commandAt(p)?.name == "mid" || commandAt(p)?.name == "colon" {
                    throw fail("set-builder notation is not supported")
                }
            }
        case "left", "lvert", "vert", "lVert":
            if name == "left" { p += 1 }  // the '|'
            let inner = try parseSum()
            skipSpace()
            if let (close, e2) = commandAt(p), close == "right" || close == "rvert" || close == "vert" || close == "rVert" {
                p = e2
                if close == "right" { guard peek() == 124 else { throw fail("missing \\right|") }; p += 1 }
            } else if peek() == 124 { p += 1 } else { throw fail("missing closing |") }
            return .function(.abs, [inner])
        case "begin": return try parseEnvironment()
        case "%": throw fail("stray %")
        case "circ", "degree": throw fail("stray degree sign")
        default:
            if let fn = Self.functionWords[String(name)] { return try parseFunctionApplication(fn) }
            if Self.textCommands.contains(name) {
                guard let r = rawGroup() else { throw fail("bad \\\(name)") }
                let inner = String(decoding: b[r], as: UTF8.self)
                let t = UTF8Text.trimmed(inner, newlines: false)
                if let fn = Self.functionWords[t] { return try parseFunctionApplication(fn) }
                if name == "operatorname" { throw fail("unsupported \\operatorname{\(t)}") }
                if t == "e" { return .constant(.e) }
                if t == "i" { return .constant(.i) }
                var sub = MathParser(b: Array(inner.utf8), latex: false, maxDepth: maxDepth - depth, maxExponentDigits: maxExponentDigits)
                return try sub.parseAll()
            }
            if Self.transparent.contains(name) { return try parseArg() }
            if Self.decorations.contains(name) {
                // \bar z (conjugate, mean), \dot x (derivative), \vec v: a different quantity
                // from the bare letter, kept as an opaque symbol of the decorated text.
                let inner: String
                if let r = rawGroup() { inner = String(decoding: b[r], as: UTF8.self) }
                else { let a = try parseArg(); inner = Self.key(a) }
                return .symbol(name + "(" + inner.replacingOccurrences(of: " ", with: "").lowercased() + ")")
            }
            if name == "unsupportedsymbol" { throw fail("unsupported Unicode symbol") }
            if Self.greek.contains(name) {
                let n = name.lowercased()
                if let sub = try parseSubscript() { return .symbol(n + "_" + sub) }
                return .symbol(n)
            }
            throw fail("unsupported command \\\(name)")
        }
    }

    /// `\frac{dy}{dx}` / `\frac{d}{dx} y` is a derivative, not (d·y)/(d·x) = y/x: an opaque
    /// symbol named by what is differentiated and by what, so both spellings agree.
    mutating func derivative(_ n: MathExpr, _ d: MathExpr) throws(MathParseError) -> MathExpr? {
        func startsWithD(_ e: MathExpr) -> [MathExpr]? {
            if case .symbol("d") = e { return [] }
            if case .mul(let fs) = e, case .symbol("d") = fs.first { return Array(fs.dropFirst()) }
            return nil
        }
        guard let wrt = startsWithD(d), !wrt.isEmpty, let num = startsWithD(n) else { return nil }
        let of: MathExpr = num.isEmpty ? try parsePower() : (num.count == 1 ? num[0] : .mul(num))
        return .symbol("d(" + Self.key(of) + ")/d(" + Self.key(wrt.count == 1 ? wrt[0] : .mul(wrt)) + ")")
    }

    /// A derivation in `aligned`: its last row states the result (`x & = 9`).
    mutating func parseAlignedLastRow(_ env: String) throws(MathParseError) -> MathExpr {
        let endTag = Array("\\end{\(env)}".utf8)
        var j = p
        while j + endTag.count <= b.count, !b[j..<(j + endTag.count)].elementsEqual(endTag) { j += 1 }
        guard j + endTag.count <= b.count else { throw fail("missing \\end{\(env)}") }
        let body = String(decoding: b[p..<j], as: UTF8.self)
        p = j + endTag.count
        let rows = body.components(separatedBy: "\\\\").map { $0.replacingOccurrences(of: "&", with: " ").trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let last = rows.last(where: { !$0.isEmpty }) else { throw fail("empty \(env)") }
        var sub = MathParser(b: Array(last.utf8), latex: true, maxDepth: maxDepth - depth, maxExponentDigits: maxExponentDigits)
        return try sub.parseAll()
    }

    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` (also bmatrix, matrix, array).
    mutating func parseEnvironment() throws(MathParseError) -> MathExpr {
        guard let r = rawGroup() else { throw fail("bad \\begin") }
        let env = String(decoding: b[r], as: UTF8.self)
        if ["aligned", "align", "align*", "gather", "gathered", "split", "eqnarray", "eqnarray*", "array*"].contains(env) {
            return try parseAlignedLastRow(env)
        }
        guard ["pmatrix", "bmatrix", "matrix", "Bmatrix", "array", "smallmatrix"].contains(env) else {
            throw fail("unsupported environment \(env)")
        }
        if env == "array" { _ = rawGroup() }
        inMatrix += 1
        defer { inMatrix -= 1 }
        var rows: [[MathExpr]] = [[]]
        while true {
            skipSpace()
            if let (name, end) = commandAt(p) {
                if name == "end" {
                    p = end
                    _ = rawGroup()
                    break
                }
                if name == "\\" {
                    p = end
                    rows.append([])
                    continue
                }
            }
            if atEnd { throw fail("missing \\end{\(env)}") }
            if peek() == 38 { p += 1; continue }
            rows[rows.count - 1].append(try parseSum())
        }
        rows.removeAll { $0.isEmpty }
        guard let w = rows.first?.count, w > 0, rows.allSatisfy({ $0.count == w }) else { throw fail("ragged matrix") }
        return .matrix(rows)
    }
}

extension UnicodeScalar {
    init(c: UInt8) { self.init(c) }
}

import Foundation
