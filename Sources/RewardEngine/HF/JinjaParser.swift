/// Expressions of the supported Jinja subset. `offset` is the source byte offset for errors.
indirect enum JinjaExpr: Sendable {
    case literal(JinjaValue)
    case name(String, Int)
    case list([JinjaExpr])
    case tuple([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
    case attribute(JinjaExpr, String, Int)
    case index(JinjaExpr, JinjaExpr, Int)
    case slice(JinjaExpr, JinjaExpr?, JinjaExpr?, JinjaExpr?, Int)
    case call(JinjaExpr, [JinjaExpr], [(String, JinjaExpr)], Int)
    case filter(JinjaExpr, String, [JinjaExpr], [(String, JinjaExpr)], Int)
    case test(JinjaExpr, String, [JinjaExpr], negated: Bool, Int)
    case unary(String, JinjaExpr, Int)
    case binary(String, JinjaExpr, JinjaExpr, Int)
    case and(JinjaExpr, JinjaExpr)
    case or(JinjaExpr, JinjaExpr)
    case conditional(JinjaExpr, cond: JinjaExpr, JinjaExpr?)
}

/// Assignment targets of `set` and `for`.
enum JinjaTarget: Sendable {
    case name(String)
    case attribute(String, String)  // ns.attr
    case tuple([String])
}

/// Statements and output pieces.
indirect enum JinjaNode: Sendable {
    case text(String)
    case output(JinjaExpr)
    case ifBlock([(JinjaExpr, [JinjaNode])], else: [JinjaNode])
    case forLoop(JinjaTarget, JinjaExpr, filter: JinjaExpr?, body: [JinjaNode], else: [JinjaNode], Int)
    case set(JinjaTarget, JinjaExpr, Int)
    case setBlock(JinjaTarget, [JinjaNode], Int)
    case macro(JinjaMacro)
    case breakLoop(Int)
    case continueLoop(Int)
    /// transformers' `{% generation %}` marks assistant text for masks; it renders its body.
    case generation([JinjaNode])
}

/// Recursive-descent parser for the Jinja subset, with Jinja2's operator precedence.
/// Unsupported statements and operators fail with their name and position.
struct JinjaParser {
    var tokens: [JinjaLexer.Token]
    var p = 0
    let source: [UInt8]
    var depth = 0
    static let maxDepth = 200

    init(_ lexer: JinjaLexer) throws {
        tokens = try lexer.tokenize()
        source = lexer.source
    }

    func error(_ m: String, _ offset: Int? = nil) -> JinjaError {
        let (l, c) = JinjaLexer.position(source, offset ?? tokens[p].offset)
        return JinjaError(m, line: l, column: c)
    }

    var kind: JinjaLexer.Kind { tokens[p].kind }
    var offset: Int { tokens[p].offset }

    mutating func advance() { if p < tokens.count - 1 { p += 1 } }

    func isOp(_ s: String) -> Bool { if case .op(s) = kind { return true }; return false }
    func isName(_ s: String) -> Bool { if case .name(s) = kind { return true }; return false }

    mutating func expectOp(_ s: String) throws {
        guard isOp(s) else { throw error("expected '\(s)', found \(describe(kind))") }
        advance()
    }

    mutating func expectName() throws -> String {
        guard case .name(let n) = kind else { throw error("expected a name, found \(describe(kind))") }
        advance()
        return n
    }

    func describe(_ k: JinjaLexer.Kind) -> String {
        switch k {
        case .text: return "text"
        case .exprOpen: return "'{{'"
        case .exprClose: return "'}}'"
        case .blockOpen: return "'{%'"
        case .blockClose: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string: return "a string"
        case .int, .double: return "a number"
        case .op(let o): return "'\(o)'"
        case .end: return "end of template"
        }
    }

    // MARK: statements

    mutating func parseTemplate() throws -> [JinjaNode] {
        let (body, end) = try parseBody(until: [])
        if let end { throw error("unexpected '{% \(end) %}'") }
        return body
    }

    /// Parses nodes until a block tag whose keyword is in `until` (returned, with the parser
    /// positioned after that keyword) or the end of the template (nil).
    mutating func parseBody(until: Set<String>) throws -> ([JinjaNode], String?) {
        var nodes: [JinjaNode] = []
        while true {
            switch kind {
            case .end:
                if !until.isEmpty { throw error("missing '{% \(until.sorted().joined(separator: "' or '{% ")) %}'") }
                return (nodes, nil)
            case .text(let t):
                nodes.append(.text(t)); advance()
            case .exprOpen:
                advance()
                let e = try parseExpression()
                guard case .exprClose = kind else { throw error("expected '}}', found \(describe(kind))") }
                advance()
                nodes.append(.output(e))
            case .blockOpen:
                let tagOffset = offset
                advance()
                guard case .name(let kw) = kind else { throw error("expected a statement keyword, found \(describe(kind))") }
                if until.contains(kw) { advance(); return (nodes, kw) }
                advance()
                nodes.append(try parseStatement(kw, tagOffset))
            default:
                throw error("unexpected \(describe(kind))")
            }
        }
    }

    mutating func expectBlockClose() throws {
        guard case .blockClose = kind else { throw error("expected '%}', found \(describe(kind))") }
        advance()
    }

    mutating func parseStatement(_ kw: String, _ at: Int) throws -> JinjaNode {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw error("blocks nested too deeply", at) }
        switch kw {
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var cond = try parseExpression()
            try expectBlockClose()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((cond, body))
                if end == "elif" { cond = try parseExpression(); try expectBlockClose(); continue }
                if end == "else" {
                    try expectBlockClose()
                    let (elseBody, _) = try parseBody(until: ["endif"])
                    try expectBlockClose()
                    return .ifBlock(branches, else: elseBody)
                }
                try expectBlockClose()
                return .ifBlock(branches, else: [])
            }
        case "for":
            let target = try parseTarget(allowAttribute: false)
            guard isName("in") else { throw error("expected 'in' in for loop") }
            advance()
            let iter = try parseExpression(allowConditional: false)
            var filter: JinjaExpr? = nil
            if isName("if") { advance(); filter = try parseExpression(allowConditional: false) }
            if isName("recursive") { throw error("unsupported: recursive for loops") }
            try expectBlockClose()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var elseBody: [JinjaNode] = []
            if end == "else" {
                try expectBlockClose()
                (elseBody, _) = try parseBody(until: ["endfor"])
            }
            try expectBlockClose()
            return .forLoop(target, iter, filter: filter, body: body, else: elseBody, at)
        case "set":
            let target = try parseTarget(allowAttribute: true)
            if isOp("=") {
                advance()
                var e = try parseExpression()
                if isOp(",") {  // set a = 1, 2 → tuple
                    var items = [e]
                    while isOp(",") { advance(); items.append(try parseExpression()) }
                    e = .tuple(items)
                }
                try expectBlockClose()
                return .set(target, e, at)
            }
            try expectBlockClose()
            let (body, _) = try parseBody(until: ["endset"])
            try expectBlockClose()
            return .setBlock(target, body, at)
        case "macro":
            let name = try expectName()
            try expectOp("(")
            var params: [(String, JinjaExpr?)] = []
            while !isOp(")") {
                let pn = try expectName()
                var def: JinjaExpr? = nil
                if isOp("=") { advance(); def = try parseExpression() }
                params.append((pn, def))
                if isOp(",") { advance() } else { break }
            }
            try expectOp(")")
            try expectBlockClose()
            let (body, _) = try parseBody(until: ["endmacro"])
            try expectBlockClose()
            return .macro(JinjaMacro(name: name, params: params, body: body))
        case "break":
            try expectBlockClose(); return .breakLoop(at)
        case "continue":
            try expectBlockClose(); return .continueLoop(at)
        case "generation":
            try expectBlockClose()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockClose()
            return .generation(body)
        default:
            throw error("unsupported statement '{% \(kw) %}'", at)
        }
    }

    mutating func parseTarget(allowAttribute: Bool) throws -> JinjaTarget {
        let first = try expectName()
        if isOp(".") {
            guard allowAttribute else { throw error("unexpected '.' in loop target") }
            advance()
            return .attribute(first, try expectName())
        }
        if isOp(",") {
            var names = [first]
            while isOp(",") { advance(); names.append(try expectName()) }
            return .tuple(names)
        }
        return .name(first)
    }

    // MARK: expressions

    mutating func parseExpression(allowConditional: Bool = true) throws -> JinjaExpr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw error("expression nested too deeply") }
        let e = try parseOr()
        if allowConditional && isName("if") {
            advance()
            let cond = try parseOr()
            var other: JinjaExpr? = nil
            if isName("else") { advance(); other = try parseExpression() }
            return .conditional(e, cond: cond, other)
        }
        return e
    }

    mutating func parseOr() throws -> JinjaExpr {
        var l = try parseAnd()
        while isName("or") { advance(); l = .or(l, try parseAnd()) }
        return l
    }

    mutating func parseAnd() throws -> JinjaExpr {
        var l = try parseNot()
        while isName("and") { advance(); l = .and(l, try parseNot()) }
        return l
    }

    mutating func parseNot() throws -> JinjaExpr {
        if isName("not") {
            let at = offset
            advance()
            return .unary("not", try parseNot(), at)
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> JinjaExpr {
        var l = try parseAdd()
        while true {
            let at = offset
            if case .op(let o) = kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                advance(); l = .binary(o, l, try parseAdd(), at)
            } else if isName("in") {
                advance(); l = .binary("in", l, try parseAdd(), at)
            } else if isName("not"), p + 1 < tokens.count, case .name("in") = tokens[p + 1].kind {
                advance(); advance(); l = .binary("not in", l, try parseAdd(), at)
            } else {
                return l
            }
        }
    }

    /// Jinja2 order: `+ -` bind looser than `~`, which binds looser than `* / // %`.
    mutating func parseAdd() throws -> JinjaExpr {
        var l = try parseConcat()
        while isOp("+") || isOp("-") {
            guard case .op(let o) = kind else { break }
            let at = offset
            advance(); l = .binary(o, l, try parseConcat(), at)
        }
        return l
    }

    mutating func parseConcat() throws -> JinjaExpr {
        var l = try parseMul()
        while isOp("~") { let at = offset; advance(); l = .binary("~", l, try parseMul(), at) }
        return l
    }

    mutating func parseMul() throws -> JinjaExpr {
        var l = try parsePow()
        while isOp("*") || isOp("/") || isOp("//") || isOp("%") {
            guard case .op(let o) = kind else { break }
            let at = offset
            advance(); l = .binary(o, l, try parsePow(), at)
        }
        return l
    }

    mutating func parsePow() throws -> JinjaExpr {
        var l = try parseUnary()
        while isOp("**") { let at = offset; advance(); l = .binary("**", l, try parseUnary(), at) }
        return l
    }

    /// As Jinja2: a sign applies to the operand without its filters; filters then apply to the result.
    mutating func parseUnary(withFilters: Bool = true) throws -> JinjaExpr {
        var e: JinjaExpr
        if case .op(let o) = kind, o == "-" || o == "+" {
            let at = offset
            advance()
            e = .unary(o, try parseUnary(withFilters: false), at)
        } else {
            e = try parsePrimary()
        }
        e = try parsePostfix(e)
        return withFilters ? try parseFilters(e) : e
    }

    mutating func parsePrimary() throws -> JinjaExpr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw error("expression nested too deeply") }
        let at = offset
        switch kind {
        case .string(var s):
            advance()
            while case .string(let more) = kind { s += more; advance() }  // adjacent literals join
            return .literal(.string(s))
        case .int(let i): advance(); return .literal(.int(i))
        case .double(let d): advance(); return .literal(.double(d))
        case .name(let n):
            advance()
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n, at)
            }
        case .op("("):
            advance()
            if isOp(")") { advance(); return .tuple([]) }
            let e = try parseExpression()
            if isOp(",") {
                var items = [e]
                while isOp(",") { advance(); if isOp(")") { break }; items.append(try parseExpression()) }
                try expectOp(")")
                return .tuple(items)
            }
            try expectOp(")")
            return e
        case .op("["):
            advance()
            var items: [JinjaExpr] = []
            while !isOp("]") {
                items.append(try parseExpression())
                if isOp(",") { advance() } else { break }
            }
            try expectOp("]")
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            while !isOp("}") {
                let k = try parseExpression()
                try expectOp(":")
                pairs.append((k, try parseExpression()))
                if isOp(",") { advance() } else { break }
            }
            try expectOp("}")
            return .dict(pairs)
        default:
            throw error("expected an expression, found \(describe(kind))")
        }
    }

    mutating func parsePostfix(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while true {
            let at = offset
            if isOp(".") {
                advance()
                if case .int(let i) = kind { advance(); e = .index(e, .literal(.int(i)), at); continue }
                e = .attribute(e, try expectName(), at)
            } else if isOp("[") {
                advance()
                var parts: [JinjaExpr?] = [nil]
                var isSlice = false
                while !isOp("]") {
                    if isOp(":") { isSlice = true; advance(); parts.append(nil); continue }
                    guard parts[parts.count - 1] == nil else { throw error("expected ']' or ':'") }
                    parts[parts.count - 1] = try parseExpression()
                }
                try expectOp("]")
                if isSlice {
                    guard parts.count <= 3 else { throw error("slice with more than two ':'", at) }
                    while parts.count < 3 { parts.append(nil) }
                    e = .slice(e, parts[0], parts[1], parts[2], at)
                } else {
                    guard let idx = parts[0] else { throw error("empty subscript", at) }
                    e = .index(e, idx, at)
                }
            } else if isOp("(") {
                let (args, kwargs) = try parseArguments()
                e = .call(e, args, kwargs, at)
            } else {
                return e
            }
        }
    }

    mutating func parseArguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        try expectOp("(")
        var args: [JinjaExpr] = []
        var kwargs: [(String, JinjaExpr)] = []
        while !isOp(")") {
            if case .name(let n) = kind, p + 1 < tokens.count, case .op("=") = tokens[p + 1].kind {
                advance(); advance()
                kwargs.append((n, try parseExpression()))
            } else {
                guard kwargs.isEmpty else { throw error("positional argument after keyword argument") }
                args.append(try parseExpression())
            }
            if isOp(",") { advance() } else { break }
        }
        try expectOp(")")
        return (args, kwargs)
    }

    /// `| filter(args)` and `is [not] test [arg]` chains, which bind tighter than arithmetic.
    mutating func parseFilters(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while true {
            let at = offset
            if isOp("|") {
                advance()
                let name = try expectName()
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                if isOp("(") { (args, kwargs) = try parseArguments() }
                e = .filter(e, name, args, kwargs, at)
            } else if isName("is") {
                advance()
                var negated = false
                if isName("not") { negated = true; advance() }
                var name: String
                switch kind {
                case .name(let n): name = n; advance()
                default: throw error("expected a test name after 'is'")
                }
                if name == "none" || name == "None" { name = "none" }
                var args: [JinjaExpr] = []
                if isOp("(") {
                    let (a, _) = try parseArguments(); args = a
                } else {
                    switch kind {
                    case .string, .int, .double: args = [try parsePrimary()]
                    case .name(let n) where !["and", "or", "else", "if", "not", "in", "is"].contains(n):
                        args = [try parsePostfix(try parsePrimary())]
                    default: break
                    }
                }
                e = .test(e, name, args, negated: negated, at)
            } else {
                return e
            }
        }
    }
}
