/// Splits a Jinja template into text and tag pieces and tokenizes the expressions inside tags,
/// applying whitespace control the way transformers configures Jinja2: `trim_blocks` (the first
/// newline after a block or comment tag is dropped), `lstrip_blocks` (spaces and tabs before a
/// block or comment tag at the start of a line are dropped), `-` on either side of any tag
/// (all adjacent whitespace dropped), `+` (disables lstrip), and `keep_trailing_newline=False`.
struct JinjaLexer {
    enum Kind: Equatable, Sendable {
        case text(String)
        /// `{{`, `}}`, `{%`, `%}`: tag boundaries.
        case exprOpen, exprClose, blockOpen, blockClose
        case name(String)
        case string(String)
        case int(Int)
        case double(Double)
        /// Operators and punctuation: `+ - * / // % ** ~ == != < > <= >= = ( ) [ ] { } , . : |`.
        case op(String)
        case end
    }

    struct Token: Sendable {
        let kind: Kind
        /// Byte offset in the source (for error positions).
        let offset: Int
    }

    let source: [UInt8]

    /// Newlines are normalised to "\n" first, as Jinja2's lexer does.
    init(_ source: String) {
        self.source = Array(source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").utf8)
    }

    /// Line and column (1-based) of a byte offset.
    static func position(_ source: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, col = 1
        for b in source[..<min(offset, source.count)] {
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
        }
        return (line, col)
    }

    func error(_ m: String, _ offset: Int) -> JinjaError {
        let (l, c) = Self.position(source, offset)
        return JinjaError(m, line: l, column: c)
    }

    private enum TagType { case expr, block, comment }

    func tokenize() throws -> [Token] {
        var src = source
        // keep_trailing_newline=False: one trailing newline of the source is not output.
        if src.last == 0x0A { src.removeLast() }
        var out: [Token] = []
        var i = 0
        var lineStarting = true
        let n = src.count
        while i < n {
            // Find the next tag opening.
            var j = i
            var tag: TagType? = nil
            while j + 1 < n {
                if src[j] == 0x7B {
                    let c = src[j + 1]
                    if c == 0x7B { tag = .expr; break }
                    if c == 0x25 { tag = .block; break }
                    if c == 0x23 { tag = .comment; break }
                }
                j += 1
            }
            if tag == nil { j = n }
            var text = Array(src[i..<j])
            guard let type = tag else {
                if !text.isEmpty { out.append(Token(kind: .text(String(decoding: text, as: UTF8.self)), offset: i)) }
                break
            }
            let sign: UInt8? = j + 2 < n && (src[j + 2] == 0x2D || src[j + 2] == 0x2B) ? src[j + 2] : nil
            if sign == 0x2D {
                while let l = text.last, Self.isSpace(l) { text.removeLast() }
            } else if sign != 0x2B && type != .expr {
                // lstrip_blocks: only spaces/tabs between the last newline (or a line start) and the tag.
                let lastNL = text.lastIndex(of: 0x0A)
                if lastNL != nil || lineStarting {
                    let from = (lastNL ?? -1) + 1
                    if from < text.count && text[from...].allSatisfy({ Self.isSpace($0) }) { text.removeSubrange(from...) }
                }
            }
            if !text.isEmpty { out.append(Token(kind: .text(String(decoding: text, as: UTF8.self)), offset: i)) }
            let bodyStart = j + 2 + (sign == nil ? 0 : 1)
            // Find the tag's end, skipping string literals inside expressions.
            let closer: UInt8 = type == .expr ? 0x7D : (type == .block ? 0x25 : 0x23)
            var k = bodyStart
            var quote: UInt8? = nil
            var endAt: Int? = nil
            while k + 1 < n {
                let c = src[k]
                if type != .comment {
                    if let q = quote {
                        if c == 0x5C { k += 2; continue }
                        if c == q { quote = nil }
                        k += 1; continue
                    }
                    if c == 0x27 || c == 0x22 { quote = c; k += 1; continue }
                }
                if c == closer && src[k + 1] == 0x7D { endAt = k; break }
                k += 1
            }
            guard let end = endAt else {
                throw error("unclosed \(type == .expr ? "'{{'" : type == .block ? "'{%'" : "'{#'")", j)
            }
            var bodyEnd = end
            var rightSign: UInt8? = nil
            if bodyEnd > bodyStart, src[bodyEnd - 1] == 0x2D || src[bodyEnd - 1] == 0x2B {
                rightSign = src[bodyEnd - 1]; bodyEnd -= 1
            }
            var next = end + 2
            if rightSign == 0x2D {
                while next < n, Self.isSpace(src[next]) { next += 1 }
            } else if type != .expr && rightSign != 0x2B, next < n, src[next] == 0x0A {
                next += 1  // trim_blocks
            }
            lineStarting = next > 0 && src[next - 1] == 0x0A
            if type != .comment {
                out.append(Token(kind: type == .expr ? .exprOpen : .blockOpen, offset: j))
                try lexExpression(src, bodyStart, bodyEnd, into: &out)
                out.append(Token(kind: type == .expr ? .exprClose : .blockClose, offset: end))
            }
            i = next
        }
        out.append(Token(kind: .end, offset: src.count))
        return out
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

    private static let twoCharOps: Set<String> = ["//", "**", "==", "!=", "<=", ">="]
    private static let oneCharOps: Set<UInt8> = Set("+-*/%~<>=()[]{},.:|".utf8)

    private func lexExpression(_ s: [UInt8], _ start: Int, _ end: Int, into out: inout [Token]) throws {
        var i = start
        while i < end {
            let c = s[i]
            if Self.isSpace(c) { i += 1; continue }
            if c == 0x27 || c == 0x22 {
                // String literal with Python escapes.
                var buf: [UInt8] = []
                var k = i + 1
                var closed = false
                while k < end {
                    let d = s[k]
                    if d == c { closed = true; break }
                    if d == 0x5C && k + 1 < end {
                        let e = s[k + 1]
                        switch e {
                        case UInt8(ascii: "n"): buf.append(0x0A)
                        case UInt8(ascii: "t"): buf.append(0x09)
                        case UInt8(ascii: "r"): buf.append(0x0D)
                        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): buf.append(e)
                        case UInt8(ascii: "u"), UInt8(ascii: "x"):
                            let len = e == UInt8(ascii: "u") ? 4 : 2
                            guard k + 2 + len <= end, let v = UInt32(String(decoding: s[(k + 2)..<(k + 2 + len)], as: UTF8.self), radix: 16),
                                  let sc = Unicode.Scalar(v) else { throw error("bad escape in string literal", k) }
                            buf.append(contentsOf: Array(String(sc).utf8))
                            k += 2 + len
                            continue
                        default: buf.append(0x5C); buf.append(e)  // Python keeps unknown escapes
                        }
                        k += 2
                        continue
                    }
                    buf.append(d)
                    k += 1
                }
                guard closed else { throw error("unterminated string literal", i) }
                out.append(Token(kind: .string(String(decoding: buf, as: UTF8.self)), offset: i))
                i = k + 1
                continue
            }
            if c >= 0x30 && c <= 0x39 {
                var k = i
                var isFloat = false
                while k < end, (s[k] >= 0x30 && s[k] <= 0x39) || s[k] == 0x5F || (s[k] == 0x2E && !isFloat && k + 1 < end && s[k + 1] >= 0x30 && s[k + 1] <= 0x39) {
                    if s[k] == 0x2E { isFloat = true }
                    k += 1
                }
                let t = String(decoding: s[i..<k], as: UTF8.self).replacingOccurrences(of: "_", with: "")
                if isFloat { out.append(Token(kind: .double(Double(t) ?? 0), offset: i)) }
                else {
                    guard let v = Int(t) else { throw error("integer literal out of range", i) }
                    out.append(Token(kind: .int(v), offset: i))
                }
                i = k
                continue
            }
            if c == 0x5F || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) {
                var k = i
                while k < end, s[k] == 0x5F || (s[k] | 0x20 >= 0x61 && s[k] | 0x20 <= 0x7A) || (s[k] >= 0x30 && s[k] <= 0x39) { k += 1 }
                out.append(Token(kind: .name(String(decoding: s[i..<k], as: UTF8.self)), offset: i))
                i = k
                continue
            }
            if i + 1 < end {
                let two = String(decoding: s[i..<(i + 2)], as: UTF8.self)
                if Self.twoCharOps.contains(two) { out.append(Token(kind: .op(two), offset: i)); i += 2; continue }
            }
            if Self.oneCharOps.contains(c) {
                out.append(Token(kind: .op(String(UnicodeScalar(c))), offset: i)); i += 1; continue
            }
            throw error("unexpected character '\(String(decoding: [c], as: UTF8.self))' in expression", i)
        }
    }
}
