/// An answer found in a response: the text to parse, whether it is LaTeX math mode,
/// and where it came from.
public struct ExtractedAnswer: Sendable, Hashable {
    public var text: String
    public var latex: Bool
    public var source: AnswerSource
    /// Byte offset just past the match, for "rightmost wins" within a tier.
    var end: Int
}

/// Finds the final answer in a model response with single forward scans over the UTF-8
/// bytes (no regex backtracking), so cost is linear in the response length.
public struct AnswerExtractor: Sendable {
    public var priority: [[AnswerSource]]

    public init(priority: [[AnswerSource]] = AnswerSource.defaultPriority) { self.priority = priority }

    public func extract(_ text: String) -> ExtractedAnswer? {
        let b = Array(text.utf8)
        for tier in priority {
            var best: ExtractedAnswer?
            for src in tier {
                guard let c = candidate(src, b) else { continue }
                if best == nil || c.end > best!.end { best = c }
            }
            if let best { return best }
        }
        return nil
    }

    func candidate(_ s: AnswerSource, _ b: [UInt8]) -> ExtractedAnswer? {
        switch s {
        case .boxed: return Self.lastBoxed(b)
        case .finalAnswer: return Self.finalAnswer(b)
        case .answerIs: return Self.answerIs(b)
        case .gsm8k: return Self.gsm8k(b)
        case .latexBlock: return Self.lastLatexBlock(b, from: 0, to: b.count)
        case .lastNumber: return Self.lastNumber(b, from: 0, to: b.count)
        case .whole:
            let t = Self.str(b, 0..<b.count)
            return t.isEmpty ? nil : ExtractedAnswer(text: t, latex: Self.looksLatex(b), source: .whole, end: b.count)
        }
    }

    static func looksLatex(_ b: [UInt8]) -> Bool { b.contains(92) || b.contains(94) || b.contains(123) }

    // MARK: byte helpers

    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    /// Start offsets of every case-insensitive occurrence of `word` in b.
    static func occurrences(of word: String, in b: [UInt8], caseInsensitive: Bool = true) -> [Int] {
        let w = Array(word.utf8)
        guard w.count <= b.count else { return [] }
        var out: [Int] = []
        var i = 0
        let first = w[0]
        while i + w.count <= b.count {
            if (caseInsensitive ? lower(b[i]) : b[i]) == first {
                var ok = true
                for k in 1..<w.count where (caseInsensitive ? lower(b[i + k]) : b[i + k]) != w[k] { ok = false; break }
                if ok { out.append(i); i += w.count; continue }
            }
            i += 1
        }
        return out
    }

    /// End of the balanced `{…}` group opening at `i` (index of the closing brace).
    static func closeBrace(_ b: [UInt8], _ i: Int) -> Int? {
        var d = 0
        var k = i
        while k < b.count {
            let c = b[k]
            if c == 92 { k += 2; continue }
            if c == 123 { d += 1 } else if c == 125 { d -= 1; if d == 0 { return k } }
            k += 1
        }
        return nil
    }

    /// ASCII bytes in Foundation's `.whitespacesAndNewlines` (tab, LF, VT, FF, CR, space).
    static func isSpaceOrNewline(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    /// b[r] with surrounding whitespace trimmed as `trimmingCharacters(in: .whitespacesAndNewlines)`
    /// does, on the bytes: only a non-ASCII byte at an edge (NBSP, a thin space) takes the
    /// Foundation path, so the common case builds the String once and bridges nothing.
    static func str(_ b: [UInt8], _ r: Range<Int>) -> String {
        var s = r.lowerBound, e = r.upperBound
        while s < e, isSpaceOrNewline(b[s]) { s += 1 }
        while e > s, isSpaceOrNewline(b[e - 1]) { e -= 1 }
        if s < e, b[s] >= 0x80 || b[e - 1] >= 0x80 {
            return String(decoding: b[s..<e], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return String(decoding: b[s..<e], as: UTF8.self)
    }

    /// As `str`, for Foundation's `.whitespaces` (space and tab; newlines kept).
    static func strTrimmingSpaces(_ b: [UInt8], _ r: Range<Int>) -> String {
        var s = r.lowerBound, e = r.upperBound
        while s < e, b[s] == 32 || b[s] == 9 { s += 1 }
        while e > s, b[e - 1] == 32 || b[e - 1] == 9 { e -= 1 }
        if s < e, b[s] >= 0x80 || b[e - 1] >= 0x80 {
            return String(decoding: b[s..<e], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        return String(decoding: b[s..<e], as: UTF8.self)
    }

    /// Whether b[r] ends with `suffix` (bytes, case-sensitive).
    static func hasSuffix(_ b: [UInt8], _ r: Range<Int>, _ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard r.count >= n else { return false }
        let p = suffix.utf8Start
        for k in 0..<n where b[r.upperBound - n + k] != p[k] { return false }
        return true
    }

    // MARK: sources

    /// Last `\boxed{…}` or `\fbox{…}` with balanced braces; `\boxed 5` takes one token.
    static func lastBoxed(_ b: [UInt8]) -> ExtractedAnswer? {
        let starts = (occurrences(of: "\\boxed", in: b, caseInsensitive: false) + occurrences(of: "\\fbox", in: b, caseInsensitive: false)).sorted()
        // Only the last few are tried: each failed attempt scans to the end, and thousands of
        // unclosed `\boxed{` would otherwise cost quadratic time.
        for s in starts.reversed().prefix(8) {
            var i = s + (b[s + 1] == 98 ? 6 : 5)
            while i < b.count, b[i] == 32 { i += 1 }
            guard i < b.count else { continue }
            if b[i] == 123 {
                guard let e = closeBrace(b, i) else { continue }
                let t = str(b, (i + 1)..<e)
                if t.isEmpty { continue }
                return ExtractedAnswer(text: joinedBoxes(b, lastStart: s, lastText: t, all: starts), latex: true, source: .boxed, end: e + 1)
            }
            if i > s + 6 || b[i] == 92 {
                var j = i
                while j < b.count, b[j] != 32, b[j] != 36, b[j] != 10 { j += 1 }
                if j > i { return ExtractedAnswer(text: str(b, i..<j), latex: true, source: .boxed, end: j) }
            }
        }
        return nil
    }

    /// Boxes written one after another with only separators between them (`\boxed{1}, \boxed{2}`,
    /// `\boxed{3} \quad \boxed{-5}`, `$x=\boxed{2}$ or $x=\boxed{1}$`) are one answer: the list
    /// of their contents. A box separated by prose (an intermediate result) is not joined.
    static func joinedBoxes(_ b: [UInt8], lastStart: Int, lastText: String, all starts: [Int]) -> String {
        var texts = [lastText]
        var next = lastStart
        for s in starts.reversed() where s < next && texts.count < 8 {
            var i = s + (b[s + 1] == 98 ? 6 : 5)
            while i < b.count, b[i] == 32 { i += 1 }
            guard i < b.count, b[i] == 123, let e = closeBrace(b, i), e < next else { break }
            guard separatorsOnly(b, (e + 1)..<next) else { break }
            let t = str(b, (i + 1)..<e)
            guard !t.isEmpty else { break }
            texts.insert(t, at: 0)
            next = s
        }
        return texts.joined(separator: ", ")
    }

    /// `, `, `and`, `or`, `\quad`, `$`, `\text{ or }`, and a short label `x=` before a box.
    static func separatorsOnly(_ b: [UInt8], _ r: Range<Int>) -> Bool {
        guard r.count <= 40 else { return false }
        // Without `\`, braces or non-ASCII bytes the replacements below are single bytes
        // (order-independent), so the gap is tokenized on the bytes.
        if !b[r].contains(where: { $0 == 92 || $0 == 123 || $0 == 125 || $0 >= 0x80 }) {
            var i = r.lowerBound
            while i < r.upperBound {
                let c = b[i]
                if c == 32 || c == 36 || c == 44 || c == 59 || c == 10 { i += 1; continue }
                var j = i
                while j < r.upperBound, !(b[j] == 32 || b[j] == 36 || b[j] == 44 || b[j] == 59 || b[j] == 10) { j += 1 }
                if j - i == 3, lower(b[i]) == 97, lower(b[i + 1]) == 110, lower(b[i + 2]) == 100 { i = j; continue }
                if j - i == 2, lower(b[i]) == 111, lower(b[i + 1]) == 114 { i = j; continue }
                guard b[j - 1] == 61, j - i <= 6 else { return false }
                for k in i..<(j - 1) where !(MathParser.isLetter(b[k]) || isNumberByte(b[k]) || b[k] == 95) { return false }
                i = j
            }
            return true
        }
        var t = String(decoding: b[r], as: UTF8.self).lowercased()
        for w in ["\\qquad", "\\quad", "\\text", "\\mbox", "\\,", "\\;", "\\ ", "\\(", "\\)", "$", ",", ";", "\n", "{", "}"] {
            t = t.replacingOccurrences(of: w, with: w == "{" || w == "}" ? "" : " ")
        }
        for tok in t.split(separator: " ") {
            if tok == "and" || tok == "or" { continue }
            // a label: x=, x_2=, (p,q)= is not allowed (it would hide a tuple)
            guard tok.hasSuffix("="), tok.count <= 6, tok.dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return false }
        }
        return true
    }

    /// "final answer is X" / "Final Answer: X" (the last one).
    static func finalAnswer(_ b: [UInt8]) -> ExtractedAnswer? {
        for s in occurrences(of: "final answer", in: b).reversed().prefix(8) {
            var i = s + 12
            // "final answer … is" within 100 bytes, or a colon right away.
            var j = i
            while j < b.count, b[j] == 32 || b[j] == 42 { j += 1 }
            if j < b.count, b[j] == 58 {
                i = j + 1
            } else {
                var found = -1
                var k = i
                while k + 3 <= b.count, k - i < 100, b[k] != 10 {
                    if b[k] == 32, lower(b[k + 1]) == 105, lower(b[k + 2]) == 115, k + 3 == b.count || !isWordByte(b[k + 3]) { found = k + 3; break }
                    k += 1
                }
                if found < 0 { continue }
                i = found
                if i < b.count, b[i] == 58 { i += 1 }
            }
            if let a = answerSegment(b, from: i, source: .finalAnswer) { return a }
        }
        return nil
    }

    static func isWordByte(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 || (c >= 48 && c <= 57) }

    /// "… answer is X", "Answer: X", "answer = X" (the last one).
    static func answerIs(_ b: [UInt8]) -> ExtractedAnswer? {
        // The last few cues only: each attempt scans a window, and a response repeating
        // "the answer is" thousands of times must stay linear.
        for s in occurrences(of: "answer", in: b).reversed().prefix(8) {
            if s > 0, isWordByte(b[s - 1]) { continue }
            var i = s + 6
            if i < b.count, lower(b[i]) == 115 { i += 1 }  // answers
            while i < b.count, b[i] == 32 || b[i] == 42 { i += 1 }
            if i + 2 <= b.count, lower(b[i]) == 105, lower(b[i + 1]) == 115 { i += 2 }
            else if i < b.count, b[i] == 58 || b[i] == 61 { i += 1 }
            else if i + 2 <= b.count, (lower(b[i]) == 105 && lower(b[i + 1]) == 110) || (lower(b[i]) == 119 && lower(b[i + 1]) == 97) {
                // "answer in …", "answer was" – let the segment search find the value.
            } else { continue }
            if i < b.count, b[i] == 58 { i += 1 }
            if let a = answerSegment(b, from: i, source: .answerIs) { return a }
        }
        return nil
    }

    /// GSM8K's `#### 42`.
    static func gsm8k(_ b: [UInt8]) -> ExtractedAnswer? {
        guard let s = occurrences(of: "####", in: b, caseInsensitive: false).last else { return nil }
        var e = s + 4
        while e < b.count, b[e] != 10 { e += 1 }
        let t = str(b, (s + 4)..<e)
        if t.isEmpty { return nil }
        return ExtractedAnswer(text: t, latex: looksLatex(Array(t.utf8)), source: .gsm8k, end: e)
    }

    /// The answer after a cue: a LaTeX block starting within 50 bytes, else the text up to
    /// the end of the sentence (plain text), else the first number there.
    static func answerSegment(_ b: [UInt8], from i0: Int, source: AnswerSource) -> ExtractedAnswer? {
        var i = i0
        while i < b.count, b[i] == 32 || b[i] == 42 || b[i] == 10 { i += 1 }
        guard i < b.count else { return nil }
        var lineEnd = i
        while lineEnd < b.count, lineEnd - i < 300, b[lineEnd] != 10 || (lineEnd + 1 < b.count && lineEnd - i < 2) { lineEnd += 1 }
        let windowEnd = min(b.count, max(lineEnd, i + 1), i + 300)
        if let blk = firstLatexBlock(b, from: i, to: min(b.count, i + 400)), blk.start - i <= 50 {
            // "the largest $n$ is 34": the block names the quantity; the value follows the verb.
            if isLoneName(blk.answer.text), let v = valueAfterVerb(b, blk.answer.end), v < b.count,
               let a = answerSegment(b, from: v, source: source) {
                return a
            }
            return ExtractedAnswer(text: blk.answer.text, latex: true, source: source, end: blk.answer.end)
        }
        if let bx = lastBoxed(Array(b[i..<windowEnd])) {
            return ExtractedAnswer(text: bx.text, latex: true, source: source, end: i + bx.end)
        }
        // Sentence end: ". " / "." at end of line / newline / "I hope".
        var e = i
        while e < windowEnd {
            if b[e] == 46, e + 1 >= windowEnd || b[e + 1] == 32 || b[e + 1] == 10 { break }
            if b[e] == 10 { break }
            e += 1
        }
        var t = str(b, i..<e)
        if t.utf8.count >= 20, t.utf8.reversed().starts(with: "I hope it is correct".utf8.reversed()) {
            t = String(decoding: t.utf8.dropLast(20), as: UTF8.self)
        }
        guard !t.isEmpty else { return nil }
        // Prose around a number ("it costs 5 dollars"): keep the sentence only if it is short.
        if t.utf8.count <= 60 { return ExtractedAnswer(text: t, latex: t.utf8.contains { $0 == 92 || $0 == 94 || $0 == 123 }, source: source, end: e) }
        if let n = firstNumber(b, from: i, to: e) { return ExtractedAnswer(text: n.text, latex: false, source: source, end: n.end) }
        return nil
    }

    /// `n`, `k`, `x_1`, `a_{n}`: a variable's name with no value in it.
    static func isLoneName(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard !u.isEmpty, u.count <= 8, MathParser.isLetter(u[0]) else { return false }
        if u.count == 1 { return true }
        guard u[1] == 95 else { return false }
        return u.dropFirst(2).allSatisfy { MathParser.isLetter($0) || isNumberByte($0) || $0 == 123 || $0 == 125 }
    }

    /// Offset after " is", " equals", " was", " =" that directly follows `i` (nil if none).
    static func valueAfterVerb(_ b: [UInt8], _ i: Int) -> Int? {
        var j = i
        while j < b.count, b[j] == 32 { j += 1 }
        for verb in ["is", "equals", "was", "=", "are"] {
            let w = Array(verb.utf8)
            guard j + w.count <= b.count, b[j..<(j + w.count)].elementsEqual(w) else { continue }
            let k = j + w.count
            if k < b.count, isWordByte(b[k]) { continue }
            return k
        }
        return nil
    }

    struct Block { var start: Int; var answer: ExtractedAnswer }

    /// All `$…$`, `$$…$$`, `\(…\)`, `\[…\]` blocks in range, in order.
    static func latexBlocks(_ b: [UInt8], from: Int, to: Int, firstOnly: Bool) -> [Block] {
        var out: [Block] = []
        var i = from
        while i < to {
            let c = b[i]
            if c == 92, i + 1 < to {
                let n = b[i + 1]
                if n == 36 { i += 2; continue }  // \$ currency
                if n == 40 || n == 91 {
                    let close: UInt8 = n == 40 ? 41 : 93
                    var j = i + 2
                    while j + 1 < to, !(b[j] == 92 && b[j + 1] == close) { j += 1 }
                    if j + 1 < to {
                        let t = str(b, (i + 2)..<j)
                        if !t.isEmpty { out.append(Block(start: i, answer: ExtractedAnswer(text: t, latex: true, source: .latexBlock, end: j + 2))) }
                        if firstOnly, !out.isEmpty { return out }
                        i = j + 2
                        continue
                    }
                }
                i += 2
                continue
            }
            if c == 36 {
                let display = i + 1 < to && b[i + 1] == 36
                var j = i + (display ? 2 : 1)
                let s = j
                var closed = false
                while j < to {
                    if b[j] == 92 { j += 2; continue }
                    if b[j] == 36 { closed = true; break }
                    if !display && b[j] == 10 { break }
                    j += 1
                }
                if closed && j <= to {
                    let t = str(b, s..<min(j, to))
                    let end = j + (display ? 2 : 1)
                    if !t.isEmpty { out.append(Block(start: i, answer: ExtractedAnswer(text: t, latex: true, source: .latexBlock, end: min(end, to)))) }
                    if firstOnly, !out.isEmpty { return out }
                    i = end
                    continue
                }
                i = j
                continue
            }
            i += 1
        }
        return out
    }

    static func firstLatexBlock(_ b: [UInt8], from: Int, to: Int) -> Block? {
        latexBlocks(b, from: from, to: to, firstOnly: true).first
    }

    /// The last block; blocks joined by "," / "and" / "or" just before it (`$p=3$ and $q=4$`)
    /// are one answer list, as math-verify reads them (up to 6 blocks).
    static func lastLatexBlock(_ b: [UInt8], from: Int, to: Int) -> ExtractedAnswer? {
        let blocks = latexBlocks(b, from: from, to: to, firstOnly: false)
        guard var a = blocks.last?.answer else { return nil }
        var texts = [a.text]
        var k = blocks.count - 1
        while k > 0, texts.count < 6 {
            guard listGap(b, blocks[k - 1].answer.end..<blocks[k].start) else { break }
            texts.insert(blocks[k - 1].answer.text, at: 0)
            k -= 1
        }
        if texts.count > 1 { a.text = texts.joined(separator: ", ") }
        a.source = .latexBlock
        return a
    }

    /// Whether the text between two blocks is "and", "or", ",", ", and" or ", or" (spaces
    /// around it and case ignored). ASCII gaps are compared on the bytes; one with another
    /// byte keeps Foundation's Unicode trimming and lowercasing.
    static func listGap(_ b: [UInt8], _ r: Range<Int>) -> Bool {
        if b[r].contains(where: { $0 >= 0x80 }) {
            let gap = String(decoding: b[r], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            return ["and", "or", ",", ", and", ", or"].contains(gap)
        }
        var s = r.lowerBound, e = r.upperBound
        while s < e, b[s] == 32 || b[s] == 9 { s += 1 }
        while e > s, b[e - 1] == 32 || b[e - 1] == 9 { e -= 1 }
        func isWord(_ from: Int, _ w: StaticString) -> Bool {
            let n = w.utf8CodeUnitCount
            guard e - from == n else { return false }
            for k in 0..<n where lower(b[from + k]) != w.utf8Start[k] { return false }
            return true
        }
        if isWord(s, "and") || isWord(s, "or") { return true }
        guard s < e, b[s] == 44 else { return false }
        return e == s + 1 || isWord(s, ", and") || isWord(s, ", or")
    }

    static func isNumberByte(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// A number at [s, e) with sign, thousands separators, decimals and a percent sign.
    static func numberSpan(_ b: [UInt8], endingAt last: Int, lowerBound: Int) -> Range<Int> {
        var s = last
        while s > lowerBound {
            let c = b[s - 1]
            if isNumberByte(c) { s -= 1; continue }
            if (c == 46 || c == 44), s - 2 >= lowerBound, isNumberByte(b[s - 2]) { s -= 1; continue }
            break
        }
        if s > lowerBound, b[s - 1] == 46 { s -= 1 }
        if s > lowerBound, b[s - 1] == 45 { s -= 1 }
        var e = last + 1
        if e < b.count, b[e] == 37 { e += 1 }
        return s..<e
    }

    static func isExprByte(_ c: UInt8) -> Bool {
        isNumberByte(c) || c == 32 || c == 46 || c == 43 || c == 45 || c == 42 || c == 47 || c == 94 || c == 40 || c == 41
    }

    /// The last number in range (sign, thousands separators, decimals, `1.5e-3`, `%`), widened
    /// to a plain arithmetic expression that ends with it (`3/4`, `(1)/(3)`, `10*4^(1/4)`), as
    /// math-verify's expression pattern does.
    static func lastNumber(_ b: [UInt8], from: Int, to: Int) -> ExtractedAnswer? {
        var k = to - 1
        var r = 0..<0
        // A number glued after letters ("sepehr2010", "x2") is part of a name, not an answer.
        while true {
            while k >= from, !isNumberByte(b[k]) { k -= 1 }
            guard k >= from else { return nil }
            r = numberSpan(b, endingAt: k, lowerBound: from)
            let before = r.lowerBound > from ? b[r.lowerBound - 1] : 32
            let sciExponent = (before == 101 || before == 69) && r.lowerBound - 2 >= from && isNumberByte(b[r.lowerBound - 2])
            if MathParser.isLetter(before) && !sciExponent {
                k = r.lowerBound - 1
                continue
            }
            break
        }
        // Trailing thousands comma or sentence period is not part of the number.
        while r.upperBound > r.lowerBound, b[r.upperBound - 1] == 44 || b[r.upperBound - 1] == 46 { r = r.lowerBound..<(r.upperBound - 1) }
        // Scientific notation: the digits found may be the exponent of 7.5e7.
        var s = r.lowerBound
        var sci = s
        if sci > from, b[sci - 1] == 43 || b[sci - 1] == 45 { sci -= 1 }
        if b[s] == 45 { sci = s }
        if sci - 1 > from, b[sci - 1] == 101 || b[sci - 1] == 69, isNumberByte(b[sci - 2]) {
            s = numberSpan(b, endingAt: sci - 2, lowerBound: from).lowerBound
            return ExtractedAnswer(text: String(decoding: b[s..<r.upperBound], as: UTF8.self), latex: false, source: .lastNumber, end: r.upperBound)
        }
        // Widen over an arithmetic expression on the same line.
        var e = r.upperBound
        var depth = 0
        var i = s
        while i > from, isExprByte(b[i - 1]) { i -= 1 }
        // Trim leading spaces and dangling binary operators.
        while i < s, b[i] == 32 || b[i] == 43 || b[i] == 42 || b[i] == 47 || b[i] == 94 || b[i] == 41 { i += 1 }
        if i < s {
            let seg = b[i..<e]
            let hasOp = seg.contains { $0 == 43 || $0 == 42 || $0 == 47 || $0 == 94 } || seg.dropFirst().contains(45)
            if hasOp { s = i }
        }
        for c in b[s..<e] { if c == 40 { depth += 1 } else if c == 41 { depth -= 1 } }
        while depth > 0, e < to, b[e] == 41 { e += 1; depth -= 1 }
        while depth > 0, s < e, b[s] == 40 { s += 1; depth -= 1 }
        if depth != 0 { s = r.lowerBound; e = r.upperBound }
        var t = strTrimmingSpaces(b, s..<e)
        if t.hasSuffix("%") == false, e < to, b[e] == 37 { t += "%" }
        return ExtractedAnswer(text: t, latex: false, source: .lastNumber, end: e)
    }

    static func firstNumber(_ b: [UInt8], from: Int, to: Int) -> ExtractedAnswer? {
        var k = from
        while k < to, !isNumberByte(b[k]) { k += 1 }
        guard k < to else { return nil }
        var e = k
        while e + 1 < to, isNumberByte(b[e + 1]) || ((b[e + 1] == 46 || b[e + 1] == 44) && e + 2 < to && isNumberByte(b[e + 2])) { e += 1 }
        var r = numberSpan(b, endingAt: e, lowerBound: from)
        if r.lowerBound > k, !(k > from && b[k - 1] == 45) { r = k..<r.upperBound }
        return ExtractedAnswer(text: String(decoding: b[r], as: UTF8.self), latex: false, source: .answerIs, end: r.upperBound)
    }
}

import Foundation
