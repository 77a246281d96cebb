import RewardCore
import RewardVerifiers
import RewardModels

/// Every reward type this build knows, assembled here (the top of the module graph)
/// so lower modules never import higher ones.
enum StandardRegistry {
    static var registry: RewardRegistry {
        var r = RewardRegistry.core
        r.merge(RewardRegistry.ruleBased)
        r.merge(RewardRegistry.executionRewards)
        registerMathRewards(into: &r)
        registerModelRewards(into: &r)
        registerHFRewards(into: &r)
        return r
    }

    /// Loads and builds a reward spec; all configuration errors surface here.
    static func load(specPath: String) throws -> (RewardSpec, CompositeReward) {
        let spec = try RewardSpec.load(path: specPath)
        return (spec, try spec.build(registry: registry))
    }
}
