import ArgumentParser
import RewardSearch

/// Which `Generator` a label job samples rollouts from: the embedded engine with its prefix cache.
struct LabelGeneratorOptions: ParsableArguments {
    @OptionGroup var engine: EngineModelOptions

    @Option(help: "Sequences decoded together per forward pass (all rollouts of a solution share one continuous batch).")
    var batch: Int = 16

    @Option(help: "KV prefix cache between generate calls, in MiB (0 = off: every prefix is prefilled from scratch).")
    var prefixCacheMb: Int = 1024

    func makeGenerator() throws -> any Generator {
        guard batch >= 1, prefixCacheMb >= 0 else { throw ValidationError("--batch must be ≥ 1 and --prefix-cache-mb ≥ 0") }
        return LocalGenerator(model: try engine.load(), maxBatch: batch, cacheBytes: prefixCacheMb << 20)
    }
}
