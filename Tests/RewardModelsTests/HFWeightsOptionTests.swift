import Foundation
import Testing
import RewardCore
import RewardEngine
@testable import RewardModels

/// The `weights:` key of `hf_rm` / `hf_prm`: parsed once (HFRewardOptions), the mode reaches the model,
/// and a bad spelling is a config error naming the field.
@Suite struct HFWeightsOptionTests {
    static func rm(_ weights: String?) throws -> HFRewardModel {
        var f: JSONObject = ["path": .string(HFRewardTests.dir("qwen3-rm-e2e")), "threads": .number(2)]
        if let weights { f["weights"] = .string(weights) }
        var o = ComponentOptions(name: "rm", type: "hf_rm", fields: f)
        let r = try HFRewardModel(options: &o)
        try o.finish()
        return r
    }

    @Test func weightsKeySelectsThePrecision() throws {
        #expect(try Self.rm(nil).scorer.model.precision == .exact)
        #expect(try Self.rm("q7").scorer.model.precision == .q7)
        #expect(try Self.rm("q8").scorer.model.precision == .q8)
        #expect(try Self.rm("dense").scorer.model.precision == .exact)
    }

    @Test func badWeightsIsAConfigErrorNamingTheField() {
        do {
            _ = try Self.rm("q9")
            Issue.record("q9 accepted")
        } catch let e as ConfigError {
            #expect("\(e)".contains("weights"), "\(e)")
            #expect("\(e)".contains("q7"), "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
