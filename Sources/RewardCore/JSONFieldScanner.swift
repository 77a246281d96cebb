/// Parsing only the fields a command reads. A JSONL line of a reward pipeline carries the
/// prompt, a reference solution and metadata next to the one or two fields a verifier
/// reads; materializing all of them as Strings is most of the parse cost. Here the other
/// values are skip-scanned: fully validated (the same checks, the same error messages at the
/// same byte offsets as `JSONParser.parse`), but nothing is allocated for them.
extension JSONParser {
    /// The top-level object in `bytes` with only the members named in `keys` (last duplicate
    /// wins, as in `parse`), and whether it had any member at all. Returns nil when the text
    /// is valid JSON but not an object (callers then use `parse` to say what it is).
    public static func parseObject(bytes: [UInt8], keeping keys: Set<String>, maxDepth: Int = defaultMaxDepth) throws -> (object: JSONObject, isEmpty: Bool)? {
        try bytes.withUnsafeBytes { raw in
            var p = Cursor(buf: raw.bindMemory(to: UInt8.self), maxDepth: maxDepth)
            p.skipWS()
            guard p.pos < p.buf.count, p.buf[p.pos] == UInt8(ascii: "{") else {
                _ = try p.value(depth: 0)
                p.skipWS()
                if p.pos != p.buf.count { throw p.fail("unexpected trailing characters") }
                return nil
            }
            let r = try p.partialObject(keeping: keys)
            p.skipWS()
            if p.pos != p.buf.count { throw p.fail("unexpected trailing characters") }
            return r
        }
    }
}

extension JSONParser.Cursor {
    /// `object(depth: 1)`, materializing only the members in `keys`.
    mutating func partialObject(keeping keys: Set<String>) throws -> (object: JSONObject, isEmpty: Bool) {
        let depth = 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        var members: [JSONMember] = []
        skipWS()
        if pos < buf.count, buf[pos] == UInt8(ascii: "}") { pos += 1; return (JSONObject(members), true) }
        while true {
            skipWS()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected object key") }
            let key = try string()
            skipWS()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            pos += 1
            skipWS()
            if keys.contains(key) {
                let v = try value(depth: depth)
                if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = v } else {
                    members.append(JSONMember(key, v))
                }
            } else {
                try skipValue(depth: depth)
            }
            skipWS()
            guard pos < buf.count else { throw fail("unterminated object") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; return (JSONObject(members), false) }
            throw fail("expected ',' or '}' in object")
        }
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
    /// start when it had no escape and after its closing quote otherwise. The raw runs between
    /// escapes are validated one by one, which decides the same as validating the decoded
    /// bytes: an escape always decodes to whole characters.
    mutating func skipString() throws {
        pos += 1
        let start = pos
        var runStart = pos
        var escaped = false
        var badUTF8 = false
        while pos < buf.count {
            if let base = buf.baseAddress {
                while pos + 8 <= buf.count {
                    let w = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
                    if Self.hasSpecialByte(w) { break }
                    pos += 8
                }
            }
            guard pos < buf.count else { break }
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                if !badUTF8, !Self.validUTF8(buf, runStart, pos) { badUTF8 = true }
                pos += 1
                if badUTF8 {
                    if !escaped { pos = start }
                    throw fail("invalid UTF-8 in string")
                }
                return
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c != UInt8(ascii: "\\") { pos += 1; continue }
            if !badUTF8, !Self.validUTF8(buf, runStart, pos) { badUTF8 = true }
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
            runStart = pos
        }
        throw fail("unterminated string")
    }

    /// Whether buf[s..<e] is well-formed UTF-8 (what `String(validating:)` accepts: no
    /// overlong forms, surrogates or code points above U+10FFFF). ASCII words are skipped
    /// eight bytes at a time.
    static func validUTF8(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        @inline(__always) func cont(_ k: Int) -> Bool { buf[k] & 0xC0 == 0x80 }
        while i < e {
            if i + 8 <= e, let base = buf.baseAddress,
               UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = buf[i]
            if c < 0x80 { i += 1; continue }
            if c >= 0xC2 && c <= 0xDF {
                guard i + 1 < e, cont(i + 1) else { return false }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard i + 2 < e else { return false }
                let c1 = buf[i + 1]
                let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80, hi: UInt8 = c == 0xED ? 0x9F : 0xBF
                guard c1 >= lo, c1 <= hi, cont(i + 2) else { return false }
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard i + 3 < e else { return false }
                let c1 = buf[i + 1]
                let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80, hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                guard c1 >= lo, c1 <= hi, cont(i + 2), cont(i + 3) else { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
