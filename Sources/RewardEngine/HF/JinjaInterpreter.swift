import Foundation

/// Evaluates a parsed template. Semantics follow Jinja2 as transformers runs it (sandboxed, no
/// mutation of lists/dicts, `loop` variables, scoped `set`, `namespace`), with hard limits on
/// output size, loop iterations and call depth so that no template can hang or exhaust memory.
final class JinjaInterpreter {
    struct Limits: Sendable {
        var maxOutputBytes = 16 << 20
        var maxIterations = 1_000_000
        var maxCallDepth = 64
    }

    private enum Control: Error { case breakLoop, continueLoop }

    let source: [UInt8]
    let limits: Limits
    private var scopes: [[String: JinjaValue]]
    private var iterations = 0
    private var callDepth = 0
    private var outputBytes = 0

    init(source: [UInt8], globals: [String: JinjaValue], limits: Limits) {
        self.source = source
        self.limits = limits
        var g = globals
        for name in ["raise_exception", "strftime_now", "namespace"] where g[name] == nil {
            g[name] = .callable(JinjaCallable(name: name, macro: nil))
        }
        scopes = [g]
    }

    func error(_ m: String, _ offset: Int) -> JinjaError {
        let (l, c) = JinjaLexer.position(source, offset)
        return JinjaError(m, line: l, column: c)
    }

    // MARK: statements

    func render(_ nodes: [JinjaNode]) throws -> String {
        var out = ""
        do { try exec(nodes, &out) } catch Control.breakLoop {
            throw JinjaError("'break' outside a loop")
        } catch Control.continueLoop {
            throw JinjaError("'continue' outside a loop")
        }
        return out
    }

    private func emit(_ s: String, _ out: inout String) throws {
        outputBytes += s.utf8.count
        guard outputBytes <= limits.maxOutputBytes else {
            throw JinjaError("output exceeds \(limits.maxOutputBytes) bytes")
        }
        out += s
    }

    private func exec(_ nodes: [JinjaNode], _ out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let t): try emit(t, &out)
            case .output(let e): try emit(try eval(e).printed, &out)
            case .ifBlock(let branches, let elseBody):
                var done = false
                for (cond, body) in branches where try eval(cond).isTruthy {
                    try exec(body, &out); done = true; break
                }
                if !done { try exec(elseBody, &out) }
            case .forLoop(let target, let iterExpr, let filter, let body, let elseBody, let at):
                try runFor(target, iterExpr, filter, body, elseBody, at, &out)
            case .set(let target, let e, let at):
                try assign(target, try eval(e), at)
            case .setBlock(let target, let body, let at):
                var captured = ""
                try exec(body, &captured)
                try assign(target, .string(captured), at)
            case .macro(let m):
                scopes[scopes.count - 1][m.name] = .callable(JinjaCallable(name: m.name, macro: m))
            case .breakLoop: throw Control.breakLoop
            case .continueLoop: throw Control.continueLoop
            case .generation(let body): try exec(body, &out)
            }
        }
    }

    private func assign(_ target: JinjaTarget, _ v: JinjaValue, _ at: Int) throws {
        switch target {
        case .name(let n): scopes[scopes.count - 1][n] = v
        case .attribute(let obj, let attr):
            guard case .namespace(let ns) = lookup(obj) else {
                throw error("cannot assign attribute '\(attr)' of '\(obj)' (only namespace objects are mutable)", at)
            }
            ns.values[attr] = v
        case .tuple(let names):
            let items = try iterate(v, at)
            guard items.count == names.count else {
                throw error("cannot unpack \(items.count) values into \(names.count) names", at)
            }
            for (n, x) in zip(names, items) { scopes[scopes.count - 1][n] = x }
        }
    }

    private func lookup(_ name: String) -> JinjaValue {
        for s in scopes.reversed() { if let v = s[name] { return v } }
        return .undefined
    }

    private func runFor(_ target: JinjaTarget, _ iterExpr: JinjaExpr, _ filter: JinjaExpr?, _ body: [JinjaNode],
                        _ elseBody: [JinjaNode], _ at: Int, _ out: inout String) throws {
        var items = try iterate(try eval(iterExpr), at)
        if let filter {
            // The loop filter sees each item bound to the target, and loop.* counts only kept items.
            var kept: [JinjaValue] = []
            for item in items {
                scopes.append([:])
                defer { scopes.removeLast() }
                try assign(target, item, at)
                if try eval(filter).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty { try exec(elseBody, &out); return }
        let n = items.count
        for (i, item) in items.enumerated() {
            iterations += 1
            guard iterations <= limits.maxIterations else { throw error("more than \(limits.maxIterations) loop iterations", at) }
            var loop = JinjaObject()
            loop["index0"] = .int(i)
            loop["index"] = .int(i + 1)
            loop["revindex0"] = .int(n - i - 1)
            loop["revindex"] = .int(n - i)
            loop["first"] = .bool(i == 0)
            loop["last"] = .bool(i == n - 1)
            loop["length"] = .int(n)
            loop["previtem"] = i > 0 ? items[i - 1] : .undefined
            loop["nextitem"] = i + 1 < n ? items[i + 1] : .undefined
            scopes.append(["loop": .object(loop)])
            defer { scopes.removeLast() }
            try assign(target, item, at)
            do { try exec(body, &out) } catch Control.continueLoop { continue } catch Control.breakLoop { break }
        }
    }

    /// Items a `for` loop (or a filter) walks: list items, dict keys, string characters.
    private func iterate(_ v: JinjaValue, _ at: Int) throws -> [JinjaValue] {
        switch v {
        case .array(let a): return a
        case .object(let o): return o.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw error("\(v.typeName) is not iterable", at)
        }
    }

    // MARK: expressions

    func eval(_ e: JinjaExpr) throws -> JinjaValue {
        switch e {
        case .literal(let v): return v
        case .name(let n, _): return lookup(n)
        case .list(let items): return .array(try items.map(eval))
        case .tuple(let items): return .array(try items.map(eval))
        case .dict(let pairs):
            var o = JinjaObject()
            for (k, v) in pairs {
                guard case .string(let key) = try eval(k) else { throw JinjaError("dict keys must be strings") }
                o[key] = try eval(v)
            }
            return .object(o)
        case .attribute(let base, let name, let at):
            return try attribute(try eval(base), name, at)
        case .index(let base, let idx, let at):
            return try index(try eval(base), try eval(idx), at)
        case .slice(let base, let a, let b, let c, let at):
            return try slice(try eval(base), try a.map(eval), try b.map(eval), try c.map(eval), at)
        case .call(let callee, let args, let kwargs, let at):
            return try call(callee, try args.map(eval), try kwargs.map { ($0.0, try eval($0.1)) }, at)
        case .filter(let base, let name, let args, let kwargs, let at):
            return try applyFilter(name, try eval(base), try args.map(eval), try kwargs.map { ($0.0, try eval($0.1)) }, at)
        case .test(let base, let name, let args, let negated, let at):
            let r = try applyTest(name, try eval(base), try args.map(eval), at)
            return .bool(negated ? !r : r)
        case .unary(let op, let x, let at):
            let v = try eval(x)
            switch (op, v) {
            case ("not", _): return .bool(!v.isTruthy)
            case ("-", .int(let i)): return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            case ("+", .int), ("+", .double): return v
            default: throw error("bad operand type for unary \(op): \(v.typeName)", at)
            }
        case .and(let a, let b):
            let l = try eval(a)
            return l.isTruthy ? try eval(b) : l
        case .or(let a, let b):
            let l = try eval(a)
            return l.isTruthy ? l : try eval(b)
        case .conditional(let a, let cond, let other):
            return try eval(cond).isTruthy ? try eval(a) : try other.map(eval) ?? .undefined
        case .binary(let op, let a, let b, let at):
            return try binary(op, try eval(a), try eval(b), at)
        }
    }

    private func binary(_ op: String, _ l: JinjaValue, _ r: JinjaValue, _ at: Int) throws -> JinjaValue {
        switch op {
        case "==": return .bool(Self.equal(l, r))
        case "!=": return .bool(!Self.equal(l, r))
        case "<", ">", "<=", ">=":
            let c = try compare(l, r, at)
            switch op {
            case "<": return .bool(c < 0)
            case ">": return .bool(c > 0)
            case "<=": return .bool(c <= 0)
            default: return .bool(c >= 0)
            }
        case "in": return .bool(try contains(r, l, at))
        case "not in": return .bool(!(try contains(r, l, at)))
        case "~": return .string(l.printed + r.printed)
        case "+":
            switch (l, r) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.array(let a), .array(let b)): return .array(a + b)
            default: break
            }
        default: break
        }
        // Arithmetic on numbers (bools count as ints, as in Python).
        func num(_ v: JinjaValue) -> (Int?, Double?) {
            switch v {
            case .int(let i): return (i, Double(i))
            case .bool(let b): return (b ? 1 : 0, b ? 1 : 0)
            case .double(let d): return (nil, d)
            default: return (nil, nil)
            }
        }
        let (li, ld) = num(l), (ri, rd) = num(r)
        if op == "*", case .string(let s) = l, let n = ri { return .string(String(repeating: s, count: max(0, n))) }
        guard let a = ld, let b = rd else {
            throw error("unsupported operand types for \(op): \(l.typeName) and \(r.typeName)", at)
        }
        if let x = li, let y = ri {
            switch op {
            case "+": return .int(x &+ y)
            case "-": return .int(x &- y)
            case "*": return .int(x &* y)
            case "//":
                guard y != 0 else { throw error("integer division by zero", at) }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            case "%":
                guard y != 0 else { throw error("integer modulo by zero", at) }
                let m = x % y
                return .int(m != 0 && (m < 0) != (y < 0) ? m + y : m)
            case "**" where y >= 0:
                var r = 1
                for _ in 0..<min(y, 64) { r = r &* x }
                return .int(r)
            default: break
            }
        }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/":
            guard b != 0 else { throw error("division by zero", at) }
            return .double(a / b)
        case "//":
            guard b != 0 else { throw error("division by zero", at) }
            return .double((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw error("modulo by zero", at) }
            let m = a.truncatingRemainder(dividingBy: b)
            return .double(m != 0 && (m < 0) != (b < 0) ? m + b : m)
        case "**": return .double(pow(a, b))
        default: throw error("unsupported operator '\(op)'", at)
        }
    }

    static func equal(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)): return Double(x) == y
        case (.double(let x), .int(let y)): return x == Double(y)
        case (.bool(let x), .int(let y)), (.int(let y), .bool(let x)): return (x ? 1 : 0) == y
        case (.undefined, .undefined): return true
        default: return a == b
        }
    }

    private func compare(_ a: JinjaValue, _ b: JinjaValue, _ at: Int) throws -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            // Python compares code points.
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars, by: { $0.value < $1.value }) ? -1 : (x == y ? 0 : 1)
        default:
            func d(_ v: JinjaValue) -> Double? {
                switch v {
                case .int(let i): return Double(i)
                case .double(let x): return x
                case .bool(let x): return x ? 1 : 0
                default: return nil
                }
            }
            guard let x = d(a), let y = d(b) else {
                throw error("'<' not supported between \(a.typeName) and \(b.typeName)", at)
            }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    private func contains(_ container: JinjaValue, _ item: JinjaValue, _ at: Int) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else { throw error("'in <string>' requires a string, not \(item.typeName)", at) }
            return sub.isEmpty || s.contains(sub)
        case .array(let a): return a.contains { Self.equal($0, item) }
        case .object(let o):
            guard case .string(let k) = item else { return false }
            return o[k] != nil
        case .namespace(let ns):
            guard case .string(let k) = item else { return false }
            return ns.values[k] != nil
        case .undefined: throw error("'in' on an undefined value", at)
        default: throw error("argument of type \(container.typeName) is not iterable", at)
        }
    }

    private func attribute(_ v: JinjaValue, _ name: String, _ at: Int) throws -> JinjaValue {
        switch v {
        case .object(let o):
            if let x = o[name] { return x }
            return .undefined
        case .namespace(let ns): return ns.values[name] ?? .undefined
        case .undefined:
            throw error("'\(name)' of an undefined value", at)
        default:
            // Bound method (resolved when called); other attributes are undefined.
            return .undefined
        }
    }

    private func index(_ v: JinjaValue, _ i: JinjaValue, _ at: Int) throws -> JinjaValue {
        switch (v, i) {
        case (.array(let a), .int(let k)):
            let j = k < 0 ? a.count + k : k
            guard j >= 0 && j < a.count else { throw error("list index \(k) out of range", at) }
            return a[j]
        case (.string(let s), .int(let k)):
            let u = Array(s.unicodeScalars)
            let j = k < 0 ? u.count + k : k
            guard j >= 0 && j < u.count else { throw error("string index \(k) out of range", at) }
            return .string(String(u[j]))
        case (.object, .string(let k)), (.namespace, .string(let k)): return try attribute(v, k, at)
        case (.object, _): return .undefined
        case (.undefined, _): throw error("subscript of an undefined value", at)
        default: throw error("\(v.typeName) cannot be indexed by \(i.typeName)", at)
        }
    }

    private func slice(_ v: JinjaValue, _ a: JinjaValue?, _ b: JinjaValue?, _ c: JinjaValue?, _ at: Int) throws -> JinjaValue {
        func int(_ x: JinjaValue?) throws -> Int? {
            switch x {
            case nil, .none?: return nil
            case .int(let i)?: return i
            default: throw error("slice indices must be integers", at)
            }
        }
        let step = try int(c) ?? 1
        guard step != 0 else { throw error("slice step cannot be zero", at) }
        func indices(_ n: Int) throws -> [Int] {
            // Python's slice.indices.
            var start = try int(a), stop = try int(b)
            if step > 0 {
                var s = start ?? 0; if s < 0 { s = max(0, s + n) }; s = min(s, n)
                var e = stop ?? n; if e < 0 { e = max(0, e + n) }; e = min(e, n)
                start = s; stop = e
                return s < e ? Array(stride(from: s, to: e, by: step)) : []
            } else {
                var s = start ?? (n - 1); if s < 0 { s = max(-1, s + n) }; s = min(s, n - 1)
                var e = stop ?? -1
                if stop != nil { if e < 0 { e = max(-1, e + n) }; e = min(e, n - 1) }
                return s > e ? Array(stride(from: s, to: e, by: step)) : []
            }
        }
        switch v {
        case .array(let arr): return .array(try indices(arr.count).map { arr[$0] })
        case .string(let s):
            let u = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(u.count) { out.append(u[i]) }
            return .string(String(out))
        default: throw error("\(v.typeName) cannot be sliced", at)
        }
    }

    // MARK: calls

    private func call(_ callee: JinjaExpr, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], _ at: Int) throws -> JinjaValue {
        // Methods: x.strip(), d.items(), …
        if case .attribute(let baseExpr, let method, _) = callee {
            let base = try eval(baseExpr)
            if case .object(let o) = base, case .callable(let c)? = o[method] {
                return try invoke(c, args, kwargs, at)
            }
            return try callMethod(base, method, args, kwargs, at)
        }
        let f = try eval(callee)
        guard case .callable(let c) = f else {
            if case .name(let n, _) = callee { throw error("'\(n)' is \(f.typeName), not a function", at) }
            throw error("\(f.typeName) is not callable", at)
        }
        return try invoke(c, args, kwargs, at)
    }

    private func invoke(_ c: JinjaCallable, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], _ at: Int) throws -> JinjaValue {
        if let m = c.macro { return try callMacro(m, args, kwargs, at) }
        switch c.name {
        case "raise_exception":
            throw error("template raised: \(args.first?.printed ?? "")", at)
        case "strftime_now":
            guard case .string(let fmt)? = args.first else { throw error("strftime_now needs a format string", at) }
            return .string(Self.strftime(fmt, Date()))
        case "namespace":
            var o = JinjaObject()
            if case .object(let init0)? = args.first { o = init0 }
            for (k, v) in kwargs { o[k] = v }
            return .namespace(JinjaNamespace(o))
        default:
            throw error("unknown function '\(c.name)'", at)
        }
    }

    private func callMacro(_ m: JinjaMacro, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], _ at: Int) throws -> JinjaValue {
        callDepth += 1
        defer { callDepth -= 1 }
        guard callDepth <= limits.maxCallDepth else { throw error("macro calls nested deeper than \(limits.maxCallDepth)", at) }
        guard args.count <= m.params.count else { throw error("macro '\(m.name)' takes \(m.params.count) arguments, got \(args.count)", at) }
        var frame: [String: JinjaValue] = [:]
        for (i, (name, def)) in m.params.enumerated() {
            if i < args.count { frame[name] = args[i] }
            else if let kw = kwargs.first(where: { $0.0 == name }) { frame[name] = kw.1 }
            else if let def { frame[name] = try eval(def) }
            else { frame[name] = .undefined }
        }
        // A macro sees the globals and its own frame, not the caller's locals.
        let saved = scopes
        scopes = [scopes[0], frame]
        defer { scopes = saved }
        var out = ""
        try exec(m.body, &out)
        return .string(out)
    }

    /// C strftime over local time (Python's `datetime.now().strftime`).
    static func strftime(_ fmt: String, _ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [Int8](repeating: 0, count: 256)
        let n = Foundation.strftime(&buf, buf.count, fmt, &tmv)
        return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func str(_ v: JinjaValue?, _ what: String, _ at: Int) throws -> String {
        guard case .string(let s)? = v else { throw error("\(what) must be a string, got \(v?.typeName ?? "nothing")", at) }
        return s
    }

    private func callMethod(_ base: JinjaValue, _ m: String, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], _ at: Int) throws -> JinjaValue {
        switch base {
        case .string(let s):
            switch m {
            case "strip", "lstrip", "rstrip":
                let chars: Set<Unicode.Scalar>? = try args.first.flatMap { a in
                    if case .none = a { return nil }
                    return Set(try str(a, "\(m) argument", at).unicodeScalars)
                }
                return .string(Self.strip(s, chars, left: m != "rstrip", right: m != "lstrip"))
            case "split":
                let sep: String? = try args.first.flatMap { a in
                    if case .none = a { return nil }
                    return try str(a, "split separator", at)
                }
                var maxsplit = -1
                if args.count > 1, case .int(let k) = args[1] { maxsplit = k }
                if let k = kwargs.first(where: { $0.0 == "maxsplit" }), case .int(let v) = k.1 { maxsplit = v }
                return .array(try Self.split(s, sep, maxsplit, at: at, self).map { .string($0) })
            case "startswith", "endswith":
                let cands: [String]
                switch args.first {
                case .string(let p)?: cands = [p]
                case .array(let a)?: cands = try a.map { try str($0, m, at) }
                default: throw error("\(m) needs a string", at)
                }
                return .bool(cands.contains { m == "startswith" ? Self.hasPrefix(s, $0) : Self.hasSuffix(s, $0) })
            case "replace":
                let old = try str(args.first, "replace argument", at), new = try str(args.count > 1 ? args[1] : nil, "replace argument", at)
                if old.isEmpty { throw error("replace with an empty pattern is not supported", at) }
                var count = -1
                if args.count > 2, case .int(let c) = args[2] { count = c }
                return .string(Self.replace(s, old, new, count))
            case "upper": return .string(s.uppercased())
            case "lower": return .string(s.lowercased())
            case "title": return .string(Self.title(s))
            case "capitalize": return .string(Self.capitalize(s))
            case "find":
                let sub = try str(args.first, "find argument", at)
                guard let r = Self.scalarRange(s, sub) else { return .int(-1) }
                return .int(r)
            case "count":
                let sub = try str(args.first, "count argument", at)
                return .int(sub.isEmpty ? s.unicodeScalars.count + 1 : s.components(separatedBy: sub).count - 1)
            case "join":
                guard case .array(let a)? = args.first else { throw error("join needs a list", at) }
                return .string(a.map(\.printed).joined(separator: s))
            case "format":
                throw error("unsupported: str.format", at)
            default: break
            }
        case .object(let o):
            switch m {
            case "items": return .array(o.pairs.map { .array([.string($0.0), $0.1]) })
            case "keys": return .array(o.keys.map { .string($0) })
            case "values": return .array(o.pairs.map(\.1))
            case "get":
                guard case .string(let k)? = args.first else { return args.count > 1 ? args[1] : .none }
                return o[k] ?? (args.count > 1 ? args[1] : .none)
            default: break
            }
        case .undefined:
            throw error("'\(m)' called on an undefined value", at)
        default: break
        }
        throw error("unsupported method '\(m)' on \(base.typeName)", at)
    }

    // MARK: Python string helpers (on Unicode scalars, as Python indexes code points)

    static func isPyWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static func strip(_ s: String, _ chars: Set<Unicode.Scalar>?, left: Bool, right: Bool) -> String {
        let u = Array(s.unicodeScalars)
        func drop(_ c: Unicode.Scalar) -> Bool { chars.map { $0.contains(c) } ?? isPyWhitespace(c) }
        var a = 0, b = u.count
        if left { while a < b && drop(u[a]) { a += 1 } }
        if right { while b > a && drop(u[b - 1]) { b -= 1 } }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: u[a..<b])
        return String(out)
    }

    static func split(_ s: String, _ sep: String?, _ maxsplit: Int, at: Int, _ interp: JinjaInterpreter) throws -> [String] {
        let u = Array(s.unicodeScalars)
        func mk(_ r: ArraySlice<Unicode.Scalar>) -> String { var v = String.UnicodeScalarView(); v.append(contentsOf: r); return String(v) }
        guard let sep else {
            var out: [String] = []
            var i = 0
            while i < u.count {
                while i < u.count && isPyWhitespace(u[i]) { i += 1 }
                if i >= u.count { break }
                if maxsplit >= 0 && out.count == maxsplit {
                    var j = u.count
                    while j > i && isPyWhitespace(u[j - 1]) { j -= 1 }
                    out.append(mk(u[i..<j])); return out
                }
                let st = i
                while i < u.count && !isPyWhitespace(u[i]) { i += 1 }
                out.append(mk(u[st..<i]))
            }
            return out
        }
        let p = Array(sep.unicodeScalars)
        guard !p.isEmpty else { throw interp.error("empty separator", at) }
        var out: [String] = []
        var i = 0, st = 0
        while i + p.count <= u.count {
            if (maxsplit < 0 || out.count < maxsplit) && Array(u[i..<(i + p.count)]) == p {
                out.append(mk(u[st..<i])); i += p.count; st = i
            } else { i += 1 }
        }
        out.append(mk(u[st...]))
        return out
    }

    static func hasPrefix(_ s: String, _ p: String) -> Bool { s.unicodeScalars.starts(with: p.unicodeScalars) }
    static func hasSuffix(_ s: String, _ p: String) -> Bool { s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()) }

    static func scalarRange(_ s: String, _ sub: String) -> Int? {
        let u = Array(s.unicodeScalars), p = Array(sub.unicodeScalars)
        if p.isEmpty { return 0 }
        guard p.count <= u.count else { return nil }
        for i in 0...(u.count - p.count) where Array(u[i..<(i + p.count)]) == p { return i }
        return nil
    }

    static func replace(_ s: String, _ old: String, _ new: String, _ count: Int) -> String {
        let u = Array(s.unicodeScalars), p = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0, done = 0
        while i < u.count {
            if (count < 0 || done < count) && i + p.count <= u.count && Array(u[i..<(i + p.count)]) == p {
                out.append(contentsOf: new.unicodeScalars); i += p.count; done += 1
            } else { out.append(u[i]); i += 1 }
        }
        return String(out)
    }

    static func capitalize(_ s: String) -> String {
        guard let f = s.unicodeScalars.first else { return s }
        return String(f).uppercased() + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }

    static func title(_ s: String) -> String {
        var out = ""
        var prevCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isAlphabetic
            out += prevCased ? String(c).lowercased() : String(c).uppercased()
            prevCased = cased
        }
        return out
    }

    // MARK: filters and tests

    private func kw(_ kwargs: [(String, JinjaValue)], _ name: String) -> JinjaValue? { kwargs.first { $0.0 == name }?.1 }

    private func applyFilter(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], _ at: Int) throws -> JinjaValue {
        switch name {
        case "trim":
            return .string(Self.strip(v.printed, args.first.flatMap { if case .string(let c) = $0 { return Set(c.unicodeScalars) }; return nil }, left: true, right: true))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let a): return .int(a.count)
            case .object(let o): return .int(o.keys.count)
            case .undefined: return .int(0)
            default: throw error("object of type \(v.typeName) has no length", at)
            }
        case "tojson":
            var indent: Int? = nil
            if case .int(let i)? = kw(kwargs, "indent") ?? args.first { indent = i }
            return .string(try v.json(indent: indent))
        case "join":
            let sep = args.first.map(\.printed) ?? ""
            if let attr = kw(kwargs, "attribute"), case .string(let a) = attr {
                return .string(try iterate(v, at).map { try attribute($0, a, at).printed }.joined(separator: sep))
            }
            return .string(try iterate(v, at).map(\.printed).joined(separator: sep))
        case "select", "reject":
            let items = try iterate(v, at)
            guard let testName = args.first else {
                return .array(items.filter { name == "select" ? $0.isTruthy : !$0.isTruthy })
            }
            guard case .string(let t) = testName else { throw error("\(name) needs a test name", at) }
            let rest = Array(args.dropFirst())
            return .array(try items.filter { try applyTest(t, $0, rest, at) == (name == "select") })
        case "selectattr", "rejectattr":
            guard case .string(let attr)? = args.first else { throw error("\(name) needs an attribute name", at) }
            let items = try iterate(v, at)
            return .array(try items.filter { item in
                let a = try attribute(item, attr, at)
                let ok: Bool
                if args.count > 1, case .string(let t) = args[1] { ok = try applyTest(t, a, Array(args.dropFirst(2)), at) } else { ok = a.isTruthy }
                return ok == (name == "selectattr")
            })
        case "map":
            let items = try iterate(v, at)
            if case .string(let attr)? = kw(kwargs, "attribute") {
                let def = kw(kwargs, "default")
                return .array(try items.map { let a = try attribute($0, attr, at); if case .undefined = a, let def { return def }; return a })
            }
            guard case .string(let f)? = args.first else { throw error("map needs a filter name or attribute=", at) }
            return .array(try items.map { try applyFilter(f, $0, Array(args.dropFirst()), [], at) })
        case "items":
            guard case .object(let o) = v else {
                if case .undefined = v { return .array([]) }
                throw error("items of a \(v.typeName)", at)
            }
            return .array(o.pairs.map { .array([.string($0.0), $0.1]) })
        case "dictsort":
            guard case .object(let o) = v else { throw error("dictsort of a \(v.typeName)", at) }
            return .array(o.pairs.sorted { $0.0.lowercased() < $1.0.lowercased() }.map { .array([.string($0.0), $0.1]) })
        case "first":
            let items = try iterate(v, at)
            return items.first ?? .undefined
        case "last":
            let items = try iterate(v, at)
            return items.last ?? .undefined
        case "list": return .array(try iterate(v, at))
        case "unique":
            var seen: [JinjaValue] = []
            for x in try iterate(v, at) where !seen.contains(where: { Self.equal($0, x) }) { seen.append(x) }
            return .array(seen)
        case "reverse":
            if case .string(let s) = v { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .array(try iterate(v, at).reversed())
        case "lower": return .string(v.printed.lowercased())
        case "upper": return .string(v.printed.uppercased())
        case "capitalize": return .string(Self.capitalize(v.printed))
        case "title": return .string(Self.title(v.printed))
        case "string": return .string(v.printed)
        case "safe": return v
        case "int":
            switch v {
            case .int: return v
            case .double(let d): return .int(Int(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s): return .int(Int(s.trimmingCharacters(in: .whitespaces)) ?? 0)
            default: return args.first ?? .int(0)
            }
        case "float":
            switch v {
            case .int(let i): return .double(Double(i))
            case .double: return v
            case .string(let s): return .double(Double(s.trimmingCharacters(in: .whitespaces)) ?? 0)
            default: return .double(0)
            }
        case "abs":
            switch v {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            default: throw error("abs of a \(v.typeName)", at)
            }
        case "default", "d":
            let boolean = (kw(kwargs, "boolean") ?? (args.count > 1 ? args[1] : .bool(false))).isTruthy
            let fallback = args.first ?? kw(kwargs, "default_value") ?? .string("")
            if case .undefined = v { return fallback }
            if boolean && !v.isTruthy { return fallback }
            return v
        case "replace":
            let old = try str(args.first, "replace argument", at), new = try str(args.count > 1 ? args[1] : nil, "replace argument", at)
            guard !old.isEmpty else { throw error("replace with an empty pattern is not supported", at) }
            return .string(Self.replace(v.printed, old, new, -1))
        case "indent":
            var width = 4
            if case .int(let w)? = args.first ?? kw(kwargs, "width") { width = w }
            let first = (kw(kwargs, "first") ?? (args.count > 1 ? args[1] : .bool(false))).isTruthy
            let pad = String(repeating: " ", count: width)
            let lines = v.printed.components(separatedBy: "\n")
            return .string(lines.enumerated().map { i, l in
                (i == 0 && !first) || l.isEmpty ? l : pad + l
            }.joined(separator: "\n"))
        default:
            throw error("unsupported filter '\(name)'", at)
        }
    }

    private func applyTest(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ at: Int) throws -> Bool {
        switch name {
        case "defined": if case .undefined = v { return false }; return true
        case "undefined": if case .undefined = v { return true }; return false
        case "none": if case .none = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "mapping": if case .object = v { return true }; return false
        case "iterable":
            switch v {
            case .array, .object, .string: return true
            default: return false
            }
        case "sequence":
            switch v {
            case .array, .object, .string: return true
            default: return false
            }
        case "number":
            switch v {
            case .int, .double: return true
            default: return false
            }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "callable": if case .callable = v { return true }; return false
        case "equalto", "eq", "==", "sameas":
            guard let o = args.first else { throw error("test '\(name)' needs an argument", at) }
            return Self.equal(v, o)
        case "ne", "!=":
            guard let o = args.first else { throw error("test '\(name)' needs an argument", at) }
            return !Self.equal(v, o)
        case "in":
            guard let o = args.first else { throw error("test 'in' needs an argument", at) }
            return try contains(o, v, at)
        case "odd", "even":
            guard case .int(let i) = v else { throw error("test '\(name)' needs an integer", at) }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard case .int(let i) = v, case .int(let d)? = args.first, d != 0 else { throw error("divisibleby needs integers", at) }
            return i % d == 0
        case "lower": return v.printed == v.printed.lowercased()
        case "upper": return v.printed == v.printed.uppercased()
        default: throw error("unsupported test '\(name)'", at)
        }
    }
}
