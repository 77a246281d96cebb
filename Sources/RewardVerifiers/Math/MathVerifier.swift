import RewardCore
/// Math answer verification: extract the final answer from a response, parse both
/// answers, and decide equivalence — bounded in work by `MathVerifyOptions`' limits
/// (input bytes, answer bytes, AST nodes, nesting, exact-arithmetic bits, evaluation
/// steps), so every call returns quickly; a limit hit is an undecided verdict.
public struct MathVerifier: Sendable {
    public let options: MathVerifyOptions
    let extractor: AnswerExtractor
    /// Repeated gold answers are parsed once (see GoldParseCache; shared by copies of this verifier).
    let goldCache: GoldParseCache

    /// `goldCacheCapacity` 0 turns the gold-parse cache off (benchmarks compare both).
    public init(options: MathVerifyOptions = .init(), goldCacheCapacity: Int = 4096) {
        self.options = options
        self.extractor = AnswerExtractor(priority: options.extractionPriority)
        self.goldCache = GoldParseCache(capacity: goldCacheCapacity)
    }

    /// Compares a gold answer (first) with a prediction, which may be a whole response.
    public func verify(gold: String, prediction: String) -> MathVerdict {
        verifyCounted(gold: gold, prediction: prediction).verdict
    }

    /// The verdict and the work it took: input bytes scanned, parser steps and evaluation
    /// steps. Tests bound this count instead of wall time, which a shared machine makes flaky.
    func verifyCounted(gold: String, prediction: String) -> (verdict: MathVerdict, work: Int) {
        var work = gold.utf8.count + prediction.utf8.count
        let v = verifyCounting(gold: gold, prediction: prediction, work: &work)
        return (v, work)
    }

    func verifyCounting(gold rawGold: String, prediction rawPrediction: String, work: inout Int) -> MathVerdict {
        let gold = Self.unescapeDoubled(rawGold), prediction = Self.unescapeDoubled(rawPrediction)
        if gold.utf8.count > options.maxInputBytes {
            return MathVerdict(correct: false, undecided: true, reason: "gold longer than \(options.maxInputBytes) bytes")
        }
        if prediction.utf8.count > options.maxInputBytes {
            return MathVerdict(correct: false, undecided: true, reason: "prediction longer than \(options.maxInputBytes) bytes")
        }
        let g = goldCache.parse(gold) { extractGold(gold, work: &work) }
        guard let ga = g.answer else {
            return MathVerdict(correct: false, reason: "no answer found in gold")
        }
        guard let pa = predictionAnswer(prediction, work: &work) else {
            return MathVerdict(correct: false, goldAnswer: ga.text, reason: "no answer found in prediction")
        }
        var verdict = MathVerdict(correct: false, predAnswer: pa.text, goldAnswer: ga.text)
        let pe: Result<MathExpr, MathParseError>
        do throws(MathParseError) { pe = .success(try MathParser.parse(pa.text, latex: pa.latex, options: options, work: &work)) } catch { pe = .failure(error) }
        let ge: Result<MathExpr, MathParseError> = g.expr.map { .success($0) } ?? .failure(g.error ?? .syntax("unparsed"))
        switch (ge, pe) {
        case (.success(let ge), .success(let pe)):
            var budget = EvalBudget(options)
            defer { work += budget.steps }
            do {
                verdict.correct = try Equivalence(options: options).equal(ge, pe, &budget)
            } catch .limit(let m) {
                verdict.undecided = true
                verdict.reason = m
            } catch {
                verdict.reason = "not comparable"
            }
        case (.failure(let e), _), (_, .failure(let e)):
            if case .limit(let m) = e {
                verdict.undecided = true
                verdict.reason = m
                return verdict
            }
            // Unparseable on one side (names, prose, set-builder): equal normalized text still counts.
            verdict.correct = Self.textKey(ga.text) == Self.textKey(pa.text)
            if !verdict.correct {
                if case .failure(.syntax(let m)) = pe { verdict.reason = "cannot parse prediction answer: \(m)" }
                else if case .failure(.syntax(let m)) = ge { verdict.reason = "cannot parse gold answer: \(m)" }
            }
        }
        return verdict
    }

    /// A prediction that is only math (`10, 11, 12`, `x = 2`, `3/4`), without markup or
    /// prose words, is the answer itself: extracting "the last number" would cut it.
    static func pureMath(_ s: String, _ o: MathVerifyOptions, work: inout Int) -> ExtractedAnswer? {
        guard s.utf8.count <= 256 else { return nil }
        let b = Array(s.utf8)
        guard b.count <= 256, !b.isEmpty, !b.contains(10), !b.contains(36), !b.contains(92) else { return nil }
        var i = 0
        while i < b.count {
            if MathParser.isLetter(b[i]) {
                var j = i
                while j < b.count, MathParser.isLetter(b[j]) { j += 1 }
                if j - i >= 2, !MathParser.knownWord(String(decoding: b[i..<j], as: UTF8.self).lowercased()) { return nil }
                i = j
            } else { i += 1 }
        }
        let t = UTF8Text.trimmed(s, newlines: false)
        guard (try? MathParser.parse(t, latex: false, options: o, work: &work)) != nil else {
            // Math with an ellipsis or an operator symbol we do not evaluate (`1, 2, ..., 10`,
            // `∑ 5`) is not searched for its last number: it stays whole and fails as text.
            if UTF8Text.contains(t, "..") || t.unicodeScalars.contains(where: { Self.unsupportedSymbols.contains($0) }) {
                return ExtractedAnswer(text: t, latex: false, source: .whole, end: b.count)
            }
            return nil
        }
        return ExtractedAnswer(text: t, latex: false, source: .whole, end: b.count)
    }

    static let unsupportedSymbols: Set<Unicode.Scalar> = ["…", "⋯", "∫", "∑", "∏", "∂", "∇", "∮", "∀", "∃", "⊂", "⊆", "∩", "∖"]

    /// The normalized final answer of a response, or nil when there is none.
    public func extractAnswer(from response: String) -> String? {
        guard response.utf8.count <= options.maxInputBytes else { return nil }
        var work = 0
        return predictionAnswer(response, work: &work)?.text
    }

    /// RLVR prompts often ask for `<answer>…</answer>`: when the response has such a tag,
    /// its last one holds the answer and is read like a gold answer (a bare `\frac34` or
    /// `42` is the answer itself; markup inside it is extracted). Otherwise the response is
    /// searched as math-verify does.
    func predictionAnswer(_ prediction: String, work: inout Int) -> ExtractedAnswer? {
        if let open = prediction.utf8LastRange(of: "<answer>"),
           let close = prediction.utf8Range(of: "</answer>", from: open.upperBound) {
            let region = prediction.utf8Slice(open.upperBound..<close.lowerBound)
            if let a = extractGold(region, work: &work).answer { return a }
        }
        return Self.pureMath(prediction, options, work: &work) ?? Self.bareLatex(prediction) ?? extractor.extract(prediction)
    }

    /// A prediction that is only LaTeX without `$` (`\frac{10}{9}`, `-\frac{10}{9}`,
    /// `2\sqrt{3}`) is the answer itself. Searching it for "the last number" would cut it
    /// to its last digit, so it is parsed whole — and if it does not parse, it stays whole
    /// and fails as text rather than being trimmed to a fragment that might match.
    static func bareLatex(_ s: String) -> ExtractedAnswer? {
        guard s.utf8.count <= 512 else { return nil }
        let b = Array(s.utf8)
        guard b.contains(92), !b.contains(36), !b.contains(10), !UTF8Text.contains(s, "\\boxed"), !UTF8Text.contains(s, "\\fbox"),
              !UTF8Text.contains(s, "\\("), !UTF8Text.contains(s, "\\[") else { return nil }
        // Prose words (three letters or more, not a command name) mean a sentence: extract from it.
        var i = 0
        while i < b.count {
            if b[i] == 92 {
                i += 1
                let n = i
                while i < b.count, MathParser.isLetter(b[i]) { i += 1 }
                // `\operatorname{lcm}`, `\text{ cm}`: a command's text argument is not prose.
                if i < b.count, b[i] == 123, MathParser.textCommands.contains(Substring(decoding: b[n..<i], as: UTF8.self)),
                   let e = AnswerExtractor.closeBrace(b, i) {
                    i = e + 1
                }
                continue
            }
            if MathParser.isLetter(b[i]) {
                var j = i
                while j < b.count, MathParser.isLetter(b[j]) { j += 1 }
                if j - i >= 3, !MathParser.knownWord(String(decoding: b[i..<j], as: UTF8.self).lowercased()) { return nil }
                i = j
            } else { i += 1 }
        }
        let t = UTF8Text.trimmed(s, newlines: false)
        return t.isEmpty ? nil : ExtractedAnswer(text: t, latex: true, source: .whole, end: b.count)
    }

    /// Text that went through JSON encoding twice spells every backslash `\\` (`\\frac{1}{2}`,
    /// `\\left(`). When no command is written with a single backslash, the doubling is undone;
    /// real `\\` row breaks only occur next to single-backslash commands (`\begin`).
    static func unescapeDoubled(_ s: String) -> String {
        let doubled = s.utf8.withContiguousStorageIfAvailable { u -> Bool in
            var i = 1
            while i < u.count { if u[i] == 92 { if u[i - 1] == 92 { return true }; i += 1 } else { i += 2 } }
            return false
        } ?? s.contains("\\\\")
        guard doubled else { return s }
        let b = Array(s.utf8)
        var doubledCommand = false
        var i = 0
        while i + 1 < b.count {
            guard b[i] == 92 else { i += 1; continue }
            if b[i + 1] == 92 {
                if i + 2 < b.count, MathParser.isLetter(b[i + 2]) || b[i + 2] == 40 || b[i + 2] == 91 || b[i + 2] == 123 || b[i + 2] == 125 {
                    doubledCommand = true
                }
                i += 2
                continue
            }
            if MathParser.isLetter(b[i + 1]) { return s }  // a single-backslash command: not double-encoded
            i += 2
        }
        return doubledCommand ? s.replacingOccurrences(of: "\\\\", with: "\\") : s
    }

    /// "at least 5", "more than 5", "5 or more": a range of values in words, which must not be
    /// read as the number in it (the words would be skipped like units).
    static func statesBound(_ s: String) -> Bool {
        // Every phrase has a space between two words: most golds (numbers, LaTeX) exit here.
        guard s.utf8.contains(32), s.utf8.contains(where: { MathParser.isLetter($0) }) else { return false }
        let t = " " + s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ") + " "
        for phrase in [" at least ", " at most ", " more than ", " less than ", " fewer than ", " greater than ", " smaller than ",
                       " or more ", " or less ", " or fewer ", " no more ", " no less ", " up to ", " exceeds ", " exceeding "] where t.contains(phrase) {
            return true
        }
        return false
    }

    /// Plain prose around an answer ("9 apples in total"): words, no TeX markup, no ellipsis,
    /// no operation names. Only such a gold may fall back to extracting a number from it; a
    /// formula that did not parse (`\int_0^1 x\,dx`, `\{x \mid x>0\}`, `1, 2, ..., 10`,
    /// `gcd(4,6)`) fails closed instead of being read as a fragment of itself.
    static func isProse(_ s: String) -> Bool {
        let b = Array(s.utf8)
        if b.contains(where: { $0 == 92 || $0 == 94 || $0 == 95 || $0 == 123 || $0 == 125 || $0 == 124 }) || UTF8Text.contains(s, "..") { return false }
        var i = 0
        var words = 0
        while i < b.count {
            guard MathParser.isLetter(b[i]) else { i += 1; continue }
            var j = i
            while j < b.count, MathParser.isLetter(b[j]) { j += 1 }
            let w = String(decoding: b[i..<j], as: UTF8.self).lowercased()
            if MathParser.alwaysOperatorWords.contains(w) || (j < b.count && b[j] == 40 && j - i >= 2) { return false }
            if j - i >= 2, !MathParser.knownWord(w) { words += 1 }
            i = j
        }
        return words > 0
    }

    /// Whether two answers (already extracted) are equivalent; symmetric use for grouping
    /// answers in majority voting. Limits hit count as "not equivalent".
    public func equivalent(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count <= options.maxAnswerBytes, b.utf8.count <= options.maxAnswerBytes else { return false }
        // `$…$` or any TeX markup means math mode (`$xy$` is x·y; plain `xy` is a word).
        let la = a.contains("$") || AnswerExtractor.looksLatex(Array(a.utf8)), lb = b.contains("$") || AnswerExtractor.looksLatex(Array(b.utf8))
        guard let x = try? MathParser.parse(Self.stripDelimiters(a), latex: la, options: options),
              let y = try? MathParser.parse(Self.stripDelimiters(b), latex: lb, options: options)
        else { return Self.textKey(a) == Self.textKey(b) }
        var budget = EvalBudget(options)
        return (try? Equivalence(options: options).equal(x, y, &budget)) ?? false
    }

    /// Parses an answer string (for callers that want the AST).
    public func parse(answer: String) throws(MathParseError) -> MathExpr {
        try MathParser.parse(Self.stripDelimiters(answer), latex: answer.contains("$") || AnswerExtractor.looksLatex(Array(answer.utf8)), options: options)
    }

    struct GoldParse {
        var answer: ExtractedAnswer?
        var expr: MathExpr?
        var error: MathParseError?
    }

    /// A gold is usually a bare answer (`3/4`, `\frac34`, `9 (apples)`); when it carries
    /// markup (`\boxed`, `$…$`, `####`) or is a full solution, it is extracted like a response.
    func extractGold(_ gold: String, work: inout Int) -> GoldParse {
        let trimmed = UTF8Text.trimmed(gold)
        let b = Array(trimmed.utf8)
        let hasMarkup = b.contains(36) || UTF8Text.contains(trimmed, "\\boxed") || UTF8Text.contains(trimmed, "\\fbox")
            || UTF8Text.contains(trimmed, "####") || UTF8Text.contains(trimmed, "\\(") || UTF8Text.contains(trimmed, "\\[")
        if !hasMarkup, !trimmed.isEmpty {
            let whole = ExtractedAnswer(text: trimmed, latex: AnswerExtractor.looksLatex(b), source: .whole, end: b.count)
            if Self.statesBound(trimmed) { return GoldParse(answer: whole, error: .syntax("the gold states a bound, not a value")) }
            do throws(MathParseError) {
                return GoldParse(answer: whole, expr: try MathParser.parse(trimmed, latex: whole.latex, options: options, work: &work))
            } catch {
                if case .limit = error { return GoldParse(answer: whole, error: error) }
                // A sentence: fall through to extraction, keeping the text if nothing better is found.
                if Self.isProse(trimmed), let a = extractor.extract(trimmed), a.text != trimmed {
                    if let e = try? MathParser.parse(a.text, latex: a.latex, options: options, work: &work) { return GoldParse(answer: a, expr: e) }
                }
                return GoldParse(answer: whole, error: error)
            }
        }
        guard let a = extractor.extract(trimmed) else { return GoldParse() }
        do throws(MathParseError) {
            return GoldParse(answer: a, expr: try MathParser.parse(a.text, latex: a.latex, options: options, work: &work))
        } catch {
            return GoldParse(answer: a, error: error)
        }
    }

    static func stripDelimiters(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        while t.count >= 2, t.hasPrefix("$"), t.hasSuffix("$") { t = String(t.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces) }
        return t
    }

    /// Text used when one side cannot be parsed: case, spaces, `$`, braces, parentheses
    /// and `\text{}` wrappers removed, so `\text{(A)}` equals `A`.
    static func textKey(_ s: String) -> String {
        var t = s.lowercased()
        for w in ["\\text", "\\mathrm", "\\textbf", "\\mbox", "\\left", "\\right", "\\!", "\\,", "\\;", "\\ "] {
            t = t.replacingOccurrences(of: w, with: "")
        }
        t.removeAll { " $(){}\n\t.".contains($0) }
        return t
    }
}

import Foundation
