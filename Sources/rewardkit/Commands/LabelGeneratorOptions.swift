import ArgumentParser
import RewardSearch

/// Which `Generator` a label job samples rollouts from: the embedded engine (default) or an
/// OpenAI-compatible server.
struct LabelGeneratorOptions: ParsableArguments {
    @OptionGroup var engine: EngineModelOptions

    func makeGenerator() throws -> any Generator {
        throw ConfigError("no generator backend available yet (LocalGenerator lands with the search branch)")
    }
}
