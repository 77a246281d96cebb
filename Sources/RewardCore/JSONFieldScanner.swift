import CJSONScan
import Foundation

/// Parsing only the fields a command reads. A JSONL line of a reward pipeline carries the
/// prompt, a reference solution and metadata next to the one or two fields a verifier
/// reads; materializing all of them as Strings is most of the parse cost. Here the other
/// values are skip-scanned: fully validated (the same checks, the same error messages at the
/// same byte offsets as `JSONParser.parse`), but nothing is allocated for them.

/// Which members of a line's top-level object to build. Keys are matched on their raw bytes,
/// so a skipped member costs no String at all (keys with escapes or non-ASCII bytes are
/// decoded first, then matched).
public struct JSONKeyFilter: Sendable {
    public enum Use: Sendable { case build, stub, skip }

    /// Members built in full.
    public let build: Set<String>
    /// Members whose value, when it is a string, is validated but stands in as "" (a reader
    /// that only checks the member's type); other values are built.
    public let stub: Set<String>
    private let entries: [(key: String, bytes: [UInt8], use: Use)]
    /// `byLength[n]`: the entries whose key is n bytes long (a line's keys are matched against
    /// those only, first byte first).
    private let byLength: [[Int]]

    public init(build: Set<String>, stub: Set<String> = []) {
        self.build = build
        self.stub = stub.subtracting(build)
        entries = build.sorted().map { ($0, Array($0.utf8), Use.build) } + self.stub.sorted().map { ($0, Array($0.utf8), Use.stub) }
        var t = [[Int]](repeating: [], count: (entries.map(\.bytes.count).max() ?? 0) + 1)
        for (i, e) in entries.enumerated() { t[e.bytes.count].append(i) }
        byLength = t
    }

    public func use(_ key: String) -> Use { build.contains(key) ? .build : (stub.contains(key) ? .stub : .skip) }

    /// The entry whose key is the `n` bytes at `p`, and its index.
    func match(_ p: UnsafePointer<UInt8>, _ n: Int) -> (key: String, use: Use, index: Int)? {
        guard n < byLength.count else { return nil }
        for i in byLength[n] {
            let found = entries[i].bytes.withUnsafeBufferPointer { k in n == 0 || (k[0] == p[0] && memcmp(k.baseAddress!, p, n) == 0) }
            if found { return (entries[i].key, entries[i].use, i) }
        }
        return nil
    }
}

extension JSONParser {
    /// The top-level object in `bytes` with only the members named in `keys` (last duplicate
    /// wins, as in `parse`), and whether it had any member at all. Returns nil when the text
    /// is valid JSON but not an object (callers then use `parse` to say what it is).
    public static func parseObject(bytes: [UInt8], keeping keys: Set<String>, maxDepth: Int = defaultMaxDepth) throws -> (object: JSONObject, isEmpty: Bool)? {
        try parseObject(bytes: bytes, filter: JSONKeyFilter(build: keys), maxDepth: maxDepth)
    }

    /// As `parseObject(bytes:keeping:)`, with members built, stubbed or skipped as `filter` says.
    public static func parseObject(bytes: [UInt8], filter: JSONKeyFilter, maxDepth: Int = defaultMaxDepth) throws -> (object: JSONObject, isEmpty: Bool)? {
        try bytes.withUnsafeBytes { try parseObject(bytes: $0, filter: filter, maxDepth: maxDepth) }
    }

    /// As `parseObject(bytes:filter:)` on bytes in place (a line in its batch buffer).
    public static func parseObject(bytes: UnsafeRawBufferPointer, filter: JSONKeyFilter, maxDepth: Int = defaultMaxDepth) throws -> (object: JSONObject, isEmpty: Bool)? {
        var p = Cursor(buf: bytes.bindMemory(to: UInt8.self), maxDepth: maxDepth)
        p.skipWS()
        guard p.pos < p.buf.count, p.buf[p.pos] == UInt8(ascii: "{") else {
            _ = try p.value(depth: 0)
            p.skipWS()
            if p.pos != p.buf.count { throw p.fail("unexpected trailing characters") }
            return nil
        }
        let r = try p.members(depth: 1, filter: filter)
        p.skipWS()
        if p.pos != p.buf.count { throw p.fail("unexpected trailing characters") }
        return r
    }
}

extension JSONParser {
    /// Offset of the first quote, backslash or control byte in `bytes` (also of the first
    /// byte >= 0x80 with `stopAtNonASCII`), or its count: the scan every string goes through.
    static func firstSpecialByte(_ bytes: [UInt8], stopAtNonASCII: Bool) -> Int {
        bytes.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return 0 }
            return stopAtNonASCII ? rk_json_find_special_or_utf8(p, b.count) : rk_json_find_special(p, b.count)
        }
    }
}

extension JSONParser.Cursor {
    /// The key at `pos` (a quote), what to do with its value, and the filter entry it matched on
    /// its bytes; the key is nil when skipped. A plain ASCII key is matched on its bytes (and
    /// given its entry); any other goes through `string()`, which decodes and validates it with
    /// the usual errors, and is looked up by String equality (no entry).
    mutating func filteredKey(_ filter: JSONKeyFilter) throws -> (String?, JSONKeyFilter.Use, Int?) {
        if let base = buf.baseAddress {
            let start = pos + 1
            let end = start + rk_json_find_special_or_utf8(base + start, buf.count - start)
            if end < buf.count, buf[end] == UInt8(ascii: "\"") {
                pos = end + 1
                guard let m = filter.match(base + start, end - start) else { return (nil, .skip, nil) }
                return (m.key, m.use, m.index)
            }
        }
        let key = try string()
        let use = filter.use(key)
        return (use == .skip ? nil : key, use, nil)
    }

    /// `value(depth:)` without building the value.
    mutating func skipValue(depth: Int) throws {
        guard pos < buf.count else { throw fail("unexpected end of input") }
        switch buf[pos] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw fail("unexpected character '\(Self.show(buf[pos]))'")
        }
    }

    mutating func skipObject(depth: Int) throws {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        skipWS()
        if pos < buf.count, buf[pos] == UInt8(ascii: "}") { pos += 1; return }
        while true {
            skipWS()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected object key") }
            try skipString()
            skipWS()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            pos += 1
            skipWS()
            try skipValue(depth: depth)
            skipWS()
            guard pos < buf.count else { throw fail("unterminated object") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; return }
            throw fail("expected ',' or '}' in object")
        }
    }

    mutating func skipArray(depth: Int) throws {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        skipWS()
        if pos < buf.count, buf[pos] == UInt8(ascii: "]") { pos += 1; return }
        while true {
            skipWS()
            try skipValue(depth: depth)
            skipWS()
            guard pos < buf.count else { throw fail("unterminated array") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") { pos += 1; return }
            throw fail("expected ',' or ']' in array")
        }
    }

    /// `string()` without building the String. Its checks in its order: a control character
    /// or a bad escape fails where it is; invalid UTF-8 fails at the end, at the string's
    /// start when it had no escape and after its closing quote otherwise. Each non-ASCII
    /// character is validated where it starts, which decides the same as validating the
    /// decoded bytes: an escape always decodes to whole characters, and a sequence cut by a
    /// quote or backslash is invalid either way.
    mutating func skipString() throws {
        pos += 1
        let start = pos
        var escaped = false
        var badUTF8 = false
        guard let base = buf.baseAddress else { throw fail("unterminated string") }
        while pos < buf.count {
            pos += rk_json_find_special_or_utf8(base + pos, buf.count - pos)
            guard pos < buf.count else { break }
            let c = buf[pos]
            if c >= 0x80 {
                if let n = Self.utf8SequenceLength(buf, pos) { pos += n } else { badUTF8 = true; pos += 1 }
                continue
            }
            if c == UInt8(ascii: "\"") {
                pos += 1
                if badUTF8 {
                    if !escaped { pos = start }
                    throw fail("invalid UTF-8 in string")
                }
                return
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            escaped = true
            pos += 1
            guard pos < buf.count else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                break
            case UInt8(ascii: "u"):
                let code = try hex4()
                if code >= 0xD800 && code < 0xDC00, pos + 1 < buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let low = try hex4()
                    if !(low >= 0xDC00 && low < 0xE000) { pos = save }
                }
            default: throw fail("invalid escape '\\\(Self.show(e))'")
            }
        }
        throw fail("unterminated string")
    }

    /// Length of the well-formed UTF-8 sequence starting at buf[i] (a byte >= 0x80), or nil
    /// (what `String(validating:)` rejects: overlong forms, surrogates, code points above
    /// U+10FFFF, stray continuation bytes, cut sequences).
    static func utf8SequenceLength(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let e = buf.count
        @inline(__always) func cont(_ k: Int) -> Bool { buf[k] & 0xC0 == 0x80 }
        let c = buf[i]
        if c >= 0xC2 && c <= 0xDF {
            guard i + 1 < e, cont(i + 1) else { return nil }
            return 2
        } else if c >= 0xE0 && c <= 0xEF {
            guard i + 2 < e else { return nil }
            let c1 = buf[i + 1]
            let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80, hi: UInt8 = c == 0xED ? 0x9F : 0xBF
            guard c1 >= lo, c1 <= hi, cont(i + 2) else { return nil }
            return 3
        } else if c >= 0xF0 && c <= 0xF4 {
            guard i + 3 < e else { return nil }
            let c1 = buf[i + 1]
            let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80, hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
            guard c1 >= lo, c1 <= hi, cont(i + 2), cont(i + 3) else { return nil }
            return 4
        }
        return nil
    }
}
