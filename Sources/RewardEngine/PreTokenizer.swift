/// Splits text into words before BPE, following the regex families named by `tokenizer.ggml.pre`.
/// Hand-written scanners (no regex engine) reproduce the leftmost-alternative semantics of:
///  - gpt2 / smollm:  `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
///    (smollm first isolates every \p{N} code point)
///  - llama3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
///  - qwen2: as llama3 but `\p{N}` one digit at a time.
public enum PreTokenizerKind: String, Sendable {
    case gpt2, smollm, llama3, qwen2

    /// Maps a `tokenizer.ggml.pre` value to a scanner; unknown names are an error rather than a silent guess.
    public init(ggufName: String?) throws {
        switch ggufName ?? "default" {
        case "default", "gpt2", "gpt-2": self = .gpt2
        case "smollm", "starcoder", "refact", "codeshell", "command-r", "exaone", "minerva": self = .smollm
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano",
             "dbrx", "smaug-bpe": self = .llama3
        case "qwen2", "deepseek-r1-qwen", "megrez", "hunyuan": self = .qwen2
        default: throw EngineError.unsupported("tokenizer pre-tokenizer '\(ggufName ?? "")' (supported: gpt2, smollm, llama3/llama-bpe, qwen2)")
        }
    }
}

/// Unicode class flags used by the scanners, as llama.cpp's tables give them: every code point has
/// a class (unassigned ones count as "other" and so join punctuation runs); only positions past the
/// end of the text have none (`inText` false).
struct CharClass {
    var letter = false, number = false, whitespace = false, inText = false

    static let none = CharClass()

    @inline(__always) static func of(_ s: Unicode.Scalar) -> CharClass {
        var c = CharClass()
        c.inText = true
        let v = s.value
        if v < 128 {
            // Fast path for ASCII.
            if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) { c.letter = true }
            else if v >= 48 && v <= 57 { c.number = true }
            else if v == 32 || (v >= 9 && v <= 13) { c.whitespace = true }
            return c
        }
        switch tableClass(v) {
        case 1: c.letter = true
        case 2: c.number = true
        default: break
        }
        // llama.cpp's whitespace set beyond ASCII (Unicode White_Space).
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: c.whitespace = true
        default: break
        }
        return c
    }

    /// Class of a non-ASCII code point from `UnicodeClassTable` (binary search over run starts).
    /// A fixed table rather than Swift's Unicode properties: the toolchain's newer Unicode version
    /// assigns letters and digits that llama.cpp still treats as unassigned.
    @inline(__always) static func tableClass(_ v: UInt32) -> UInt32 {
        let runs = UnicodeClassTable.runs
        let key = v << 2 | 3
        var lo = 0, hi = runs.count  // first run start > v
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid] <= key { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : runs[lo - 1] & 3
    }
}

public struct PreTokenizer: Sendable {
    public let kind: PreTokenizerKind

    public init(kind: PreTokenizerKind) { self.kind = kind }

    /// The words `text` is split into before BPE.
    public func words(_ text: String) -> [String] {
        let cps = Array(text.unicodeScalars)
        return split(cps).map { r in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: cps[r])
            return String(s)
        }
    }

    /// Returns word ranges (in scalar indices) over `cps`.
    func split(_ cps: [Unicode.Scalar]) -> [Range<Int>] {
        let classes = cps.map(CharClass.of)
        var out: [Range<Int>] = []
        out.reserveCapacity(cps.count / 3 + 1)
        switch kind {
        case .gpt2:
            gpt2(cps, classes, 0..<cps.count, &out)
        case .smollm:
            // Every number code point is its own fragment; the GPT-2 rules run inside the fragments between.
            var start = 0
            for i in 0..<cps.count where classes[i].number {
                if start < i { gpt2(cps, classes, start..<i, &out) }
                out.append(i..<(i + 1))
                start = i + 1
            }
            if start < cps.count { gpt2(cps, classes, start..<cps.count, &out) }
        case .llama3:
            llama3(cps, classes, 0..<cps.count, maxDigits: 3, &out)
        case .qwen2:
            llama3(cps, classes, 0..<cps.count, maxDigits: 1, &out)
        }
        return out
    }

    private func gpt2(_ cps: [Unicode.Scalar], _ cls: [CharClass], _ range: Range<Int>, _ out: inout [Range<Int>]) {
        let end = range.upperBound
        @inline(__always) func cl(_ i: Int) -> CharClass { i < end ? cls[i] : .none }
        @inline(__always) func ch(_ i: Int) -> UInt32 { i < end ? cps[i].value : 0xFFFF_FFFF }
        var pos = range.lowerBound
        while pos < end {
            let start = pos
            let c = cps[pos].value
            // Contractions (case-sensitive in GPT-2).
            if c == 0x27 && pos + 1 < end {
                let c1 = ch(pos + 1)
                if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { pos += 2; out.append(start..<pos); continue }
                let c2 = ch(pos + 2)
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) {
                    pos += 3; out.append(start..<pos); continue
                }
            }
            let f2 = c == 0x20 ? cl(pos + 1) : cls[pos]
            if f2.letter {
                pos += c == 0x20 ? 1 : 0
                while cl(pos).letter { pos += 1 }
                out.append(start..<pos); continue
            }
            if f2.number {
                pos += c == 0x20 ? 1 : 0
                while cl(pos).number { pos += 1 }
                out.append(start..<pos); continue
            }
            if !(f2.whitespace || f2.letter || f2.number) && f2.inText {
                pos += c == 0x20 ? 1 : 0
                while true {
                    let f = cl(pos)
                    if f.whitespace || f.letter || f.number || !f.inText { break }
                    pos += 1
                }
                out.append(start..<pos); continue
            }
            var nws = 0
            while cl(pos + nws).whitespace { nws += 1 }
            if nws > 1 && pos + nws < end {
                // \s+(?!\S): leave the last space to prefix the next word.
                pos += nws - 1; out.append(start..<pos); continue
            }
            if nws > 0 { pos += nws; out.append(start..<pos); continue }
            pos += 1
            out.append(start..<pos)
        }
    }

    private func llama3(_ cps: [Unicode.Scalar], _ cls: [CharClass], _ range: Range<Int>, maxDigits: Int, _ out: inout [Range<Int>]) {
        let end = range.upperBound
        @inline(__always) func cl(_ i: Int) -> CharClass { i < end ? cls[i] : .none }
        @inline(__always) func ch(_ i: Int) -> UInt32 { i < end ? cps[i].value : 0xFFFF_FFFF }
        @inline(__always) func lower(_ v: UInt32) -> UInt32 { (v >= 65 && v <= 90) ? v + 32 : v }
        var pos = range.lowerBound
        while pos < end {
            let start = pos
            let c = cps[pos].value
            let f = cls[pos]
            if c == 0x27 && pos + 1 < end {
                let c1 = lower(ch(pos + 1))
                if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { pos += 2; out.append(start..<pos); continue }
                let c2 = lower(ch(pos + 2))
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) {
                    pos += 3; out.append(start..<pos); continue
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || f.number) {
                if f.letter || cl(pos + 1).letter {
                    pos += 1
                    while cl(pos).letter { pos += 1 }
                    out.append(start..<pos); continue
                }
            }
            // \p{N}{1,maxDigits}
            if f.number {
                var ini = pos
                while cl(pos).number {
                    pos += 1
                    if pos - ini >= maxDigits { out.append(ini..<pos); ini = pos }
                }
                if ini < pos { out.append(ini..<pos) }
                continue
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            let f2 = c == 0x20 ? cl(pos + 1) : f
            if !(f2.whitespace || f2.letter || f2.number) && f2.inText {
                pos += c == 0x20 ? 1 : 0
                while true {
                    let g = cl(pos)
                    if g.whitespace || g.letter || g.number || !g.inText { break }
                    pos += 1
                }
                while ch(pos) == 0x0D || ch(pos) == 0x0A { pos += 1 }
                out.append(start..<pos); continue
            }
            // \s*[\r\n]+ | \s+(?!\S) | \s+
            var nws = 0
            var lastNL = 0
            while cl(pos + nws).whitespace {
                let v = ch(pos + nws)
                if v == 0x0D || v == 0x0A { lastNL = pos + nws + 1 }
                nws += 1
            }
            if lastNL > 0 { pos = lastNL; out.append(start..<pos); continue }
            if nws > 1 && pos + nws < end { pos += nws - 1; out.append(start..<pos); continue }
            if nws > 0 { pos += nws; out.append(start..<pos); continue }
            pos += 1
            out.append(start..<pos)
        }
    }
}
