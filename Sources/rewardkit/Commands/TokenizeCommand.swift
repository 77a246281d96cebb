import ArgumentParser
import Foundation
import RewardCore
import RewardEngine

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Tokenize text with a model's tokenizer (prints a JSON array of ids, no BOS).")

    @OptionGroup var engine: EngineModelOptions

    @Option(name: .long, help: "Text to tokenize.")
    var text: String?

    @Flag(name: .long, help: "Parse special tokens such as <|im_start|> written in the text.")
    var special = false

    @Option(name: .long, help: ArgumentHelp("A Hugging Face checkpoint or tokenizer directory (tokenizer.json, tokenizer_config.json, chat_template.jinja), used instead of --model; encodes as transformers does (added tokens always matched).", valueName: "dir"))
    var tokenizer: String?

    @Flag(name: .long, help: "With --tokenizer: add the post-processor's special tokens (e.g. Llama 3's BOS), as transformers' tokenizer(text) does.")
    var addSpecialTokens = false

    @Option(name: .long, help: ArgumentHelp("With --tokenizer: a JSON file holding a list of chat messages to render with the directory's chat template; prints {\"text\", \"ids\"}.", valueName: "file"))
    var chat: String?

    @Flag(name: .long, help: "With --chat: end with the assistant turn opener.")
    var addGenerationPrompt = false

    @Option(name: .long, help: ArgumentHelp("With --chat: a template variable as name=JSON (e.g. enable_thinking=false, date_string='\"26 Jul 2024\"'); repeatable.", valueName: "name=json"))
    var variable: [String] = []

    func validate() throws {
        if tokenizer == nil {
            guard text != nil else { throw ValidationError("--text is required") }
            guard chat == nil, !addSpecialTokens else { throw ValidationError("--chat and --add-special-tokens need --tokenizer DIR") }
        } else {
            guard (text == nil) != (chat == nil) else { throw ValidationError("with --tokenizer give exactly one of --text or --chat") }
        }
    }

    func run() async throws {
        guard let dir = tokenizer else {
            let m = try engine.load()
            print(engineJSON(m.tokenize(text ?? "", parseSpecial: special).map { Int($0) }))
            return
        }
        let bundle: HFTokenizerBundle
        do { bundle = try HFTokenizerBundle.load(directory: URL(fileURLWithPath: dir)) } catch {
            throw ConfigError("\(error)")
        }
        if let text {
            print(engineJSON(bundle.tokenizer.encode(text, addSpecialTokens: addSpecialTokens).map { Int($0) }))
            return
        }
        do {
            guard let data = FileManager.default.contents(atPath: chat ?? "") else { throw ConfigError("cannot read \(chat ?? "")") }
            guard case .array(let messages) = try JinjaValue.parseJSON(String(decoding: data, as: UTF8.self)) else {
                throw ConfigError("\(chat ?? ""): expected a JSON list of messages")
            }
            var extra: [String: JinjaValue] = [:]
            for v in variable {
                guard let eq = v.firstIndex(of: "=") else { throw ConfigError("--variable \(v): expected name=JSON") }
                extra[String(v[..<eq])] = try JinjaValue.parseJSON(String(v[v.index(after: eq)...]))
            }
            let rendered = try bundle.render(messages: messages, addGenerationPrompt: addGenerationPrompt, extra: extra)
            let ids = bundle.tokenizer.encode(rendered, addSpecialTokens: false).map { Int($0) }
            print(engineJSON(["text": rendered, "ids": ids] as [String: Any]))
        } catch let e as ConfigError { throw e } catch { throw ConfigError("\(error)") }
    }
}
