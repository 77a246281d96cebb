import CJSONScan
import Foundation

/// Why a JSON text was rejected; `offset` is the byte offset in the text.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes with hard limits on nesting depth and
/// string length. Hand-written because Foundation's JSONSerialization loses key
/// order and is several times slower on the short lines reward pipelines stream.
public struct JSONParser {
    public static let defaultMaxDepth = 256

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var copy = text
        return try copy.withUTF8 { try parse(bytes: UnsafeRawBufferPointer($0), maxDepth: maxDepth) }
    }

    public static func parse(_ data: Data, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        try data.withUnsafeBytes { try parse(bytes: $0, maxDepth: maxDepth) }
    }

    public static func parse(bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse(bytes: $0, maxDepth: maxDepth) }
    }

    public static func parse(bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var p = Cursor(buf: bytes.bindMemory(to: UInt8.self), maxDepth: maxDepth)
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        if p.pos != p.buf.count { throw p.fail("unexpected trailing characters") }
        return v
    }

    struct Cursor {
        let buf: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var pos = 0
        var scratch: [UInt8] = []

        init(buf: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.buf = buf
            self.maxDepth = maxDepth
        }

        func fail(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: pos) }

        mutating func skipWS() {
            while pos < buf.count {
                let c = buf[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard pos < buf.count else { throw fail("unexpected end of input") }
            switch buf[pos] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character '\(Self.show(buf[pos]))'")
            }
        }

        static func show(_ c: UInt8) -> String {
            c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : String(format: "\\x%02X", c)
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard pos + n <= buf.count else { throw fail("unexpected end of input") }
            let w = word.utf8Start
            for i in 0..<n where buf[pos + i] != w[i] { throw fail("invalid literal") }
            pos += n
        }

        mutating func object(depth: Int) throws -> JSONValue { .object(try members(depth: depth, filter: nil).object) }

        /// The members of the object at `pos`, and whether it had any. With a filter (the top-level
        /// object of a line whose reader needs only some keys) the other members are skip-scanned:
        /// validated with the same checks and errors at the same offsets, but nothing is built.
        mutating func members(depth: Int, filter: JSONKeyFilter?) throws -> (object: JSONObject, isEmpty: Bool) {
            if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
            pos += 1
            var members: [JSONMember] = []
            skipWS()
            if pos < buf.count, buf[pos] == UInt8(ascii: "}") { pos += 1; return (JSONObject(members), true) }
            // Sized once: growing from empty reallocated the array three times for a line's members.
            members.reserveCapacity(8)
            // Filter entries already built (bit i: entry i). While every key was matched on its bytes
            // (`exact`), a key is a duplicate only if its entry's bit is set, and the String
            // comparisons of the duplicate search (every key against every built one) are skipped.
            var seen: UInt64 = 0
            var exact = true
            while true {
                skipWS()
                guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected object key") }
                let key: String?
                var use = JSONKeyFilter.Use.build
                var entry: Int?
                if let filter { (key, use, entry) = try filteredKey(filter) } else { key = try string() }
                var maybeDuplicate = true
                if exact, let e = entry, e < 64 {
                    maybeDuplicate = seen & (1 << UInt64(e)) != 0
                    seen |= 1 << UInt64(e)
                } else if key != nil {
                    exact = false
                }
                skipWS()
                guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
                pos += 1
                skipWS()
                if let key, use != .skip {
                    let v: JSONValue
                    if use == .stub, pos < buf.count, buf[pos] == UInt8(ascii: "\"") {
                        try skipString()
                        v = .string("")
                    } else {
                        v = try value(depth: depth)
                    }
                    // Duplicate keys: last one wins, as in most JSON libraries.
                    if maybeDuplicate, let i = members.firstIndex(where: { $0.key == key }) { members[i].value = v } else {
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

        mutating func array(depth: Int) throws -> JSONValue {
            if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
            pos += 1
            var items: [JSONValue] = []
            skipWS()
            if pos < buf.count, buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                skipWS()
                items.append(try value(depth: depth))
                skipWS()
                guard pos < buf.count else { throw fail("unterminated array") }
                if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                throw fail("expected ',' or ']' in array")
            }
        }

        mutating func number() throws -> Double {
            let start = pos
            if buf[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < buf.count, Self.isDigit(buf[pos]) else { throw fail("invalid number") }
            if buf[pos] == UInt8(ascii: "0") { pos += 1 } else { while pos < buf.count, Self.isDigit(buf[pos]) { pos += 1 } }
            var isInt = true
            if pos < buf.count, buf[pos] == UInt8(ascii: ".") {
                isInt = false
                pos += 1
                guard pos < buf.count, Self.isDigit(buf[pos]) else { throw fail("invalid number: digit expected after '.'") }
                while pos < buf.count, Self.isDigit(buf[pos]) { pos += 1 }
            }
            if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
                isInt = false
                pos += 1
                if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
                guard pos < buf.count, Self.isDigit(buf[pos]) else { throw fail("invalid number: digit expected in exponent") }
                while pos < buf.count, Self.isDigit(buf[pos]) { pos += 1 }
            }
            // Fast path for short integers avoids strtod.
            if isInt, pos - start <= 15 {
                var v: Int64 = 0
                var i = start
                let neg = buf[i] == UInt8(ascii: "-")
                if neg { i += 1 }
                while i < pos { v = v * 10 + Int64(buf[i] &- 48); i += 1 }
                return Double(neg ? -v : v)
            }
            let s = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
            guard let d = Double(s) else { throw fail("invalid number") }
            return d
        }

        static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

        /// Offset of the first quote, backslash or control byte at or after `pos` (buf.count if none).
        @inline(__always)
        func nextSpecial() -> Int {
            guard let base = buf.baseAddress, pos < buf.count else { return buf.count }
            return pos + rk_json_find_special(base + pos, buf.count - pos)
        }

        /// `String(validating: b, as: UTF8.self)`, which looked up generic metadata on every call
        /// (≈ 200 ns, 5 % of the CPU of a `score` run): the bytes are checked here by the same rules
        /// (`utf8SequenceLength`) and then copied by `String(decoding:)`, which leaves valid UTF-8
        /// unchanged. An ASCII string (most keys and values) is checked 16 bytes at a time.
        @inline(__always)
        static func validString(_ b: UnsafeBufferPointer<UInt8>) -> String? {
            guard let base = b.baseAddress else { return "" }
            var i = rk_find_non_ascii(base, b.count)
            while i < b.count {
                guard let n = utf8SequenceLength(b, i) else { return nil }
                i += n
                i += rk_find_non_ascii(base + i, b.count - i)
            }
            return String(decoding: b, as: UTF8.self)
        }

        mutating func string() throws -> String {
            pos += 1
            let start = pos
            // Fast path: no escapes. The scan stops at the first quote, backslash or control byte.
            pos = nextSpecial()
            if pos < buf.count, buf[pos] == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buf[start..<pos])
                pos += 1
                guard let s = Self.validString(slice) else {
                    pos = start
                    throw fail("invalid UTF-8 in string")
                }
                return s
            }
            if pos < buf.count, buf[pos] < 0x20 { throw fail("unescaped control character in string") }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<pos]))
            while pos < buf.count {
                let c = buf[pos]
                if c == UInt8(ascii: "\"") {
                    pos += 1
                    guard let s = scratch.withUnsafeBufferPointer({ Self.validString($0) }) else { throw fail("invalid UTF-8 in string") }
                    return s
                }
                if c < 0x20 { throw fail("unescaped control character in string") }
                if c != UInt8(ascii: "\\") {
                    // A run without escapes is copied whole.
                    let runStart = pos
                    pos = nextSpecial()
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<pos]))
                    continue
                }
                pos += 1
                guard pos < buf.count else { break }
                let e = buf[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if code >= 0xD800 && code < 0xDC00 {
                        // High surrogate: a low one must follow, else substitute U+FFFD.
                        if pos + 1 < buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") {
                            let save = pos
                            pos += 2
                            let low = try hex4()
                            if low >= 0xDC00 && low < 0xE000 {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            } else { pos = save; code = 0xFFFD }
                        } else { code = 0xFFFD }
                    } else if code >= 0xDC00 && code < 0xE000 { code = 0xFFFD }
                    appendUTF8(UInt32(code))
                default: throw fail("invalid escape '\\\(Self.show(e))'")
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws -> Int {
            guard pos + 4 <= buf.count else { throw fail("truncated \\u escape") }
            var v = 0
            for _ in 0..<4 {
                let c = buf[pos]
                let d: Int
                switch c {
                case 48...57: d = Int(c) - 48
                case 65...70: d = Int(c) - 55
                case 97...102: d = Int(c) - 87
                default: throw fail("invalid hex digit in \\u escape")
                }
                v = v * 16 + d
                pos += 1
            }
            return v
        }

        mutating func appendUTF8(_ c: UInt32) {
            switch c {
            case 0..<0x80: scratch.append(UInt8(c))
            case 0x80..<0x800:
                scratch.append(UInt8(0xC0 | (c >> 6))); scratch.append(UInt8(0x80 | (c & 0x3F)))
            case 0x800..<0x10000:
                scratch.append(UInt8(0xE0 | (c >> 12))); scratch.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
                scratch.append(UInt8(0x80 | (c & 0x3F)))
            default:
                scratch.append(UInt8(0xF0 | (c >> 18))); scratch.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
                scratch.append(UInt8(0x80 | ((c >> 6) & 0x3F))); scratch.append(UInt8(0x80 | (c & 0x3F)))
            }
        }
    }
}
