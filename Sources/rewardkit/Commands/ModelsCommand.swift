import ArgumentParser
import RewardCore
import RewardEngine

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "Pull and list language models.",
        discussion: "Models are cached in $REWARDKIT_CACHE/models, else ~/.cache/rewardkit/models.",
        subcommands: [EngineModelsPull.self, EngineModelsList.self, EngineModelsInspect.self])
}

struct EngineModelsPull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download and verify a known model (idempotent).")

    @Argument(help: "Model name (e.g. smollm2-135m-instruct).")
    var name: String = ModelStore.defaultModel

    func run() async throws {
        do {
            switch try ModelStore.pull(name, log: { printError($0) }) {
            case .alreadyPresent(let p): print("already present (sha256 ok): \(p)")
            case .downloaded(let p): print("pulled \(name): \(p)")
            }
        } catch let e as EngineError {
            throw ConfigError(e.description)
        }
    }
}

struct EngineModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List known and cached models.")

    func run() async throws {
        for m in ModelStore.list() {
            let size = String(format: "%.1f MB", Double(m.byteCount) / 1e6)
            print("\(m.name)\t\(m.pulled ? "pulled" : "not pulled")\t\(size)\t\(m.path)")
        }
    }
}

struct EngineModelsInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Check a Hugging Face checkpoint directory and print its architecture, sizes, head, template and dtype.")

    @Argument(help: "Checkpoint directory (config.json, model.safetensors or its index, tokenizer.json).")
    var directory: String

    func run() async throws {
        do {
            for (k, v) in try HFCheckpointSummary(directory: directory).lines { print("\(k): \(v)") }
        } catch let e as EngineError {
            throw ConfigError(e.description)
        }
    }
}
