/// A Hugging Face chat template (Jinja2 subset) compiled once and rendered as transformers'
/// `apply_chat_template(tokenize=False)` does: `messages`, `add_generation_prompt`, `tools` and
/// `documents` (none unless given), the special-token strings, and caller keyword arguments
/// (`enable_thinking`, `date_string`, …) as variables; `raise_exception` and `strftime_now` as
/// globals. Unsupported constructs fail at compile time (or at render for filters/methods) with
/// their name and line:column.
public struct ChatTemplateJinja: Sendable {
    public let source: String
    let nodes: [JinjaNode]
    let sourceBytes: [UInt8]
    public var limits = Limits()

    /// Hard limits on one render.
    public struct Limits: Sendable {
        public var maxOutputBytes = 16 << 20
        public var maxLoopIterations = 1_000_000
        public var maxMacroDepth = 64
        public init() {}
    }

    public init(_ source: String) throws {
        self.source = source
        let lexer = JinjaLexer(source)
        var parser = try JinjaParser(lexer)
        nodes = try parser.parseTemplate()
        sourceBytes = lexer.source
    }

    /// Renders with explicit variables (the full transformers context is built by the caller).
    public func render(variables: [String: JinjaValue]) throws -> String {
        var l = JinjaInterpreter.Limits()
        l.maxOutputBytes = limits.maxOutputBytes
        l.maxIterations = limits.maxLoopIterations
        l.maxCallDepth = limits.maxMacroDepth
        return try JinjaInterpreter(source: sourceBytes, globals: variables, limits: l).render(nodes)
    }

    /// Renders a conversation. `messages` items are dicts (role, content, and optionally
    /// tool_calls, reasoning_content, …); `specialTokens` are e.g. bos_token/eos_token strings.
    public func render(messages: [JinjaValue], addGenerationPrompt: Bool, tools: JinjaValue = .none,
                       documents: JinjaValue = .none, specialTokens: [String: String] = [:],
                       extra: [String: JinjaValue] = [:]) throws -> String {
        var vars: [String: JinjaValue] = [:]
        for (k, v) in specialTokens { vars[k] = .string(v) }
        for (k, v) in extra { vars[k] = v }
        vars["messages"] = .array(messages)
        vars["tools"] = tools
        vars["documents"] = documents
        vars["add_generation_prompt"] = .bool(addGenerationPrompt)
        return try render(variables: vars)
    }

    /// Renders plain role/content turns.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool, specialTokens: [String: String] = [:],
                       extra: [String: JinjaValue] = [:]) throws -> String {
        try render(messages: messages.map(Self.value), addGenerationPrompt: addGenerationPrompt,
                   specialTokens: specialTokens, extra: extra)
    }

    static func value(_ m: ChatMessage) -> JinjaValue {
        .object(JinjaObject([("role", .string(m.role)), ("content", .string(m.content))]))
    }
}
