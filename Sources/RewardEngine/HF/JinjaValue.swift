import Foundation

/// A value inside a chat-template render, with Python's semantics where templates depend on
/// them: truthiness, `repr`-style printing, insertion-ordered dicts, `json.dumps` output.
public indirect enum JinjaValue: Sendable, Equatable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    case object(JinjaObject)
    /// A `namespace(...)`: the one mutable value, shared by reference as in Jinja.
    case namespace(JinjaNamespace)
    /// A global function (`raise_exception`, `strftime_now`, `namespace`) or a template macro.
    case callable(JinjaCallable)

    public static func from(_ s: String?) -> JinjaValue { s.map { .string($0) } ?? .none }

    /// Parses JSON text keeping object key order (tool schemas print in their given order).
    public static func parseJSON(_ text: String) throws -> JinjaValue {
        var p = JSONReader(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw JinjaError("JSON: trailing characters at byte \(p.i)") }
        return v
    }

    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.keys.isEmpty
        case .namespace, .callable: return true
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "none"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "string"
        case .array: return "list"
        case .object: return "dict"
        case .namespace: return "namespace"
        case .callable: return "function"
        }
    }

    /// What `{{ value }}` prints (Python `str`).
    var printed: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python `repr` (used inside printed lists and dicts).
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return Self.pythonFloat(d)
        case .string(let s): return Self.pythonStringRepr(s)
        case .array(let a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.pairs.map { Self.pythonStringRepr($0.0) + ": " + $0.1.repr }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        case .callable(let c): return "<function \(c.name)>"
        }
    }

    /// Python's float repr: shortest round-trip digits, always with a '.' or exponent.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"  // shortest round-trip digits, as Python's repr
    }

    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(ch) == quote { out += "\\" + String(quote) }
                else if ch.value < 0x20 || ch.value == 0x7F { out += String(format: "\\x%02x", ch.value) }
                else { out.unicodeScalars.append(ch) }
            }
        }
        out.append(quote)
        return out
    }

    /// `json.dumps(value, ensure_ascii=False, indent=indent)` as transformers' `tojson` calls it.
    func json(indent: Int?, level: Int = 0) throws -> String {
        let itemSep = indent == nil ? ", " : ","
        func nl(_ l: Int) -> String { indent.map { "\n" + String(repeating: " ", count: $0 * l) } ?? "" }
        switch self {
        case .undefined: throw JinjaError("tojson of an undefined value")
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
            return Self.pythonFloat(d)
        case .string(let s): return Self.jsonString(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            return "[" + nl(level + 1) + (try a.map { try $0.json(indent: indent, level: level + 1) })
                .joined(separator: itemSep + nl(level + 1)) + nl(level) + "]"
        case .object(let o):
            if o.keys.isEmpty { return "{}" }
            return "{" + nl(level + 1) + (try o.pairs.map { Self.jsonString($0.0) + ": " + (try $0.1.json(indent: indent, level: level + 1)) })
                .joined(separator: itemSep + nl(level + 1)) + nl(level) + "}"
        case .namespace, .callable: throw JinjaError("tojson of a \(typeName)")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}

/// An insertion-ordered string-keyed dict (Python 3.7+ dict order is visible in `tojson` and `items`).
public struct JinjaObject: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var storage: [String: JinjaValue] = [:]

    public init() {}
    public init(_ pairs: [(String, JinjaValue)]) { for (k, v) in pairs { self[k] = v } }

    public subscript(key: String) -> JinjaValue? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var pairs: [(String, JinjaValue)] { keys.map { ($0, storage[$0]!) } }

    public static func == (a: JinjaObject, b: JinjaObject) -> Bool { a.storage == b.storage }
}

/// `namespace()` storage: assignments through `set ns.x = …` are visible outside loops.
public final class JinjaNamespace: @unchecked Sendable, Equatable {
    // Only touched by the single render that created it.
    var values = JinjaObject()
    init(_ v: JinjaObject) { values = v }
    public static func == (a: JinjaNamespace, b: JinjaNamespace) -> Bool { a === b }
}

/// A callable value: a named global or a macro defined by the template.
public struct JinjaCallable: Sendable, Equatable {
    public let name: String
    let macro: JinjaMacro?
    public static func == (a: JinjaCallable, b: JinjaCallable) -> Bool { a.name == b.name && a.macro === b.macro }
}

/// A `{% macro %}` definition.
final class JinjaMacro: Sendable {
    let name: String
    let params: [(String, JinjaExpr?)]
    let body: [JinjaNode]
    init(name: String, params: [(String, JinjaExpr?)], body: [JinjaNode]) {
        self.name = name; self.params = params; self.body = body
    }
}

/// A template error: what went wrong and where (line:column in the template source when known).
public struct JinjaError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public var line: Int?
    public var column: Int?
    public init(_ message: String, line: Int? = nil, column: Int? = nil) {
        self.message = message; self.line = line; self.column = column
    }
    public var description: String {
        if let line, let column { return "chat template \(line):\(column): \(message)" }
        return "chat template: \(message)"
    }
}

/// A small JSON reader that keeps object key order.
struct JSONReader {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    func fail(_ m: String) -> JinjaError { JinjaError("JSON: \(m) at byte \(i)") }

    mutating func value(depth: Int) throws -> JinjaValue {
        guard depth < 256 else { throw fail("nesting too deep") }
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var o = JinjaObject()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                o[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JinjaValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try word("true"); return .bool(true)
        case UInt8(ascii: "f"): try word("false"); return .bool(false)
        case UInt8(ascii: "n"): try word("null"); return .none
        default:
            let start = i
            var isFloat = false
            while i < bytes.count, let c = Optional(bytes[i]),
                  (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
                i += 1
            }
            let t = String(decoding: bytes[start..<i], as: UTF8.self)
            if !isFloat, let n = Int(t) { return .int(n) }
            if let d = Double(t), !t.isEmpty { return .double(d) }
            throw fail("invalid value")
        }
    }

    mutating func word(_ w: String) throws {
        let u = Array(w.utf8)
        guard i + u.count <= bytes.count, Array(bytes[i..<(i + u.count)]) == u else { throw fail("invalid literal") }
        i += u.count
    }

    mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if cp >= 0xD800 && cp < 0xDC00, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let lo = try hex4()
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    let s = Unicode.Scalar(cp) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(s).utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        i += 4
        return v
    }
}
