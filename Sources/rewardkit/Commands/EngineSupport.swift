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
        try loadEngineModel(model, threads: threads, weightMemory: weightMemory)
    }
}

/// Loads a pulled model or GGUF path for a command. A model that cannot be loaded is a runtime failure
/// (exit 1), not a usage error (64 + usage text).
func loadEngineModel(_ model: String, threads: Int?, weightMemory: GGUFLanguageModel.WeightMemory?) throws -> GGUFLanguageModel {
    do {
        return try GGUFLanguageModel.load(model, threads: threads, weightMemory: weightMemory ?? .fromEnvironment)
    } catch let e as EngineError {
        throw ConfigError(e.description)
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

/// Runs a llama-cpp-python reference script (`script JOB.json`) in the venv given by `--reference-venv`,
/// `$REWARDKIT_REF_VENV` or `./.venv-ref`, and returns its JSON output; nil (with a note on stderr)
/// when there is no venv or the run fails, so benchmarks still report their own numbers.
func runLlamaCppReference(venv option: String?, script: String, job: [String: Any], name: String) throws -> [String: Any]? {
    let venv = option ?? ProcessInfo.processInfo.environment["REWARDKIT_REF_VENV"] ?? ".venv-ref"
    let python = (venv as NSString).appendingPathComponent("bin/python")
    guard FileManager.default.isExecutableFile(atPath: python) && FileManager.default.fileExists(atPath: script) else {
        printError("no reference venv at \(venv) (llama-cpp-python); reporting RewardKit numbers only")
        return nil
    }
    let jobPath = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString).json"
    try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobPath))
    defer { try? FileManager.default.removeItem(atPath: jobPath) }
    printError("running llama.cpp reference (\(python))")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [script, jobPath]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        printError("reference run failed (status \(p.terminationStatus)); reporting RewardKit numbers only")
        return nil
    }
    return obj
}
