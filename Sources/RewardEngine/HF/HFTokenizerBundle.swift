import Foundation

/// Everything text-side a Hugging Face checkpoint directory provides: the `tokenizer.json`
/// tokenizer, the chat template (`chat_template.jinja`, else `tokenizer_config.json`'s
/// `chat_template`, a string or a list of `{name, template}`), and the special-token strings
/// from `tokenizer_config.json`.
public struct HFTokenizerBundle: Sendable {
    public let directory: URL
    public let tokenizer: HFTokenizer
    /// The default chat template, if the checkpoint has one.
    public let chatTemplate: ChatTemplateJinja?
    /// Every template by name ("default" for a single string or `chat_template.jinja`).
    public let templateSources: [String: String]
    /// bos_token, eos_token, pad_token, unk_token, … as strings (template variables).
    public let specialTokens: [String: String]
    /// `add_bos_token` from tokenizer_config.json, when present (informational: the
    /// post-processor in tokenizer.json decides what `encode(_:addSpecialTokens:)` adds).
    public let addBOSToken: Bool?

    public var bosToken: String? { specialTokens["bos_token"] }
    public var eosToken: String? { specialTokens["eos_token"] }
    public var padToken: String? { specialTokens["pad_token"] }

    static let specialKeys = ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]

    /// Loads `tokenizer.json` (required), `tokenizer_config.json` and `chat_template.jinja` (optional).
    public static func load(directory: URL) throws -> HFTokenizerBundle {
        let fm = FileManager.default
        let tokFile = directory.appendingPathComponent("tokenizer.json")
        guard fm.fileExists(atPath: tokFile.path) else {
            throw EngineError.modelNotFound("\(directory.path): no tokenizer.json")
        }
        var config: [String: Any] = [:]
        let cfgFile = directory.appendingPathComponent("tokenizer_config.json")
        if fm.fileExists(atPath: cfgFile.path) {
            guard let data = fm.contents(atPath: cfgFile.path),
                  let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw EngineError.invalidFile("\(cfgFile.path): not a JSON object")
            }
            config = obj
        }
        let tokenizer = try HFTokenizer(file: tokFile, config: config)

        var special: [String: String] = [:]
        for k in specialKeys {
            if let s = config[k] as? String { special[k] = s }
            else if let d = config[k] as? [String: Any], let s = d["content"] as? String { special[k] = s }
        }

        var sources: [String: String] = [:]
        let jinjaFile = directory.appendingPathComponent("chat_template.jinja")
        if fm.fileExists(atPath: jinjaFile.path) {
            guard let data = fm.contents(atPath: jinjaFile.path) else { throw EngineError.io("\(jinjaFile.path): unreadable") }
            sources["default"] = String(decoding: data, as: UTF8.self)
        } else if let t = config["chat_template"] {
            if let s = t as? String { sources["default"] = s }
            else if let list = t as? [[String: Any]] {
                for (i, item) in list.enumerated() {
                    guard let name = item["name"] as? String, let tpl = item["template"] as? String else {
                        throw EngineError.invalidFile("\(cfgFile.path): chat_template[\(i)] needs 'name' and 'template'")
                    }
                    sources[name] = tpl
                }
            } else if !(t is NSNull) {
                throw EngineError.invalidFile("\(cfgFile.path): chat_template is neither a string nor a list")
            }
        }
        var template: ChatTemplateJinja? = nil
        if let src = sources["default"] {
            do { template = try ChatTemplateJinja(src) } catch let e as JinjaError {
                throw EngineError.unsupported("\(directory.path) chat template: \(e.description)")
            }
        }
        return HFTokenizerBundle(directory: directory, tokenizer: tokenizer, chatTemplate: template, templateSources: sources,
                                 specialTokens: special, addBOSToken: config["add_bos_token"] as? Bool)
    }

    /// The named template (e.g. "tool_use"), compiled.
    public func template(named name: String) throws -> ChatTemplateJinja {
        guard let src = templateSources[name] else {
            throw EngineError.invalidArgument("no chat template named '\(name)' (have: \(templateSources.keys.sorted().joined(separator: ", ")))")
        }
        return try ChatTemplateJinja(src)
    }

    /// Renders a conversation with the checkpoint's template, as `apply_chat_template(tokenize=False)`.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, extra: [String: JinjaValue] = [:]) throws -> String {
        try render(messages: messages.map(ChatTemplateJinja.value), addGenerationPrompt: addGenerationPrompt, extra: extra)
    }

    /// Renders arbitrary message dicts (tool calls, reasoning_content, …) and optional tools.
    public func render(messages: [JinjaValue], addGenerationPrompt: Bool, tools: JinjaValue = .none,
                       extra: [String: JinjaValue] = [:]) throws -> String {
        guard let chatTemplate else {
            throw EngineError.unsupported("\(directory.path) has no chat template (tokenizer_config.json chat_template or chat_template.jinja)")
        }
        return try chatTemplate.render(messages: messages, addGenerationPrompt: addGenerationPrompt, tools: tools,
                                       specialTokens: specialTokens, extra: extra)
    }

    /// Rendered conversation to ids, as `apply_chat_template(tokenize=True)`: the text is encoded
    /// without adding special tokens (the template writes them).
    public func encodeChat(messages: [ChatMessage], addGenerationPrompt: Bool, extra: [String: JinjaValue] = [:]) throws -> [Int32] {
        tokenizer.encode(try render(messages: messages, addGenerationPrompt: addGenerationPrompt, extra: extra), addSpecialTokens: false)
    }
}
