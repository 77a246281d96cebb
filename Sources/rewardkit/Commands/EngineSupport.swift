import ArgumentParser
import Foundation
import RewardCore
import RewardEngine

/// Options shared by commands that load a model.
struct EngineModelOptions: ParsableArguments {
    @Option(name: .long, help: "Pulled model name or path to a GGUF file.")
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: "Compute threads (default: number of cores).")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "f32 weight copies for batched passes: automatic (dense when ≤ 1 GiB), dense, or compact (dequantize on the fly; least memory).",
        valueName: "mode"))
    var weightMemory: GGUFLanguageModel.WeightMemory?

    func load() throws -> GGUFLanguageModel {
        do {
            return try GGUFLanguageModel.load(model, threads: threads, weightMemory: weightMemory ?? .fromEnvironment)
        } catch let e as EngineError {
            // A model that cannot be loaded is a runtime failure (exit 1), not a usage error (64 + usage text).
            throw ConfigError(e.description)
        }
    }
}

extension GGUFLanguageModel.WeightMemory: ExpressibleByArgument {}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Compact JSON for command output (sorted keys, no slash escaping).
func engineJSON(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "null" }
    return String(decoding: data, as: UTF8.self)
}
