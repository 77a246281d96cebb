import Foundation
import Testing
@testable import RewardModels
import RewardCore

@Suite struct CheckpointTests {
    func tmpDir() -> String {
        let d = (NSTemporaryDirectory() as NSString).appendingPathComponent("rk-models-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func safetensorsLayoutAndRoundTrip() throws {
        let data = SafeTensors.encode([("a", [2, 2], [1, 2, 3, 4]), ("b.c", [1], [-0.5])], metadata: ["k": "v"])
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect((8 + Int(n)) % 8 == 0)
        #expect(data.count == 8 + Int(n) + 5 * 4)
        let header = String(decoding: data[8..<(8 + Int(n))], as: UTF8.self)
        #expect(header.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"))
        let (t, meta) = try SafeTensors.decode(data)
        #expect(t["a"] == SafeTensors.Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        #expect(t["b.c"]?.values == [-0.5])
        #expect(meta == ["k": "v"])
    }

    @Test func halfPrecisionDecode() {
        #expect(SafeTensors.halfToFloat(0x3C00) == 1)
        #expect(SafeTensors.halfToFloat(0xC000) == -2)
        #expect(SafeTensors.halfToFloat(0x0001) == 0x1.0p-24)
    }

    @Test(arguments: [(1, RewardHead.Kind.mlp), (3, .mlp), (1, .linear), (3, .linear)])
    func checkpointRoundTrip(members: Int, kind: RewardHead.Kind) throws {
        let heads = (0..<members).map { k -> RewardHead in
            var h = RewardHead(kind: kind, inputSize: 6, hiddenSize: kind == .mlp ? 4 : 0, seed: UInt64(k))
            h.inputMean = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
            return h
        }
        let c = RewardModelCheckpoint(kind: .orm, backboneName: "m", backboneSHA256: "abc", pooling: .mean, maxTokens: 256,
                                      heads: heads, training: TrainingOptions().json, data: ["sha256": "d"], metrics: ["acc": 0.5])
        let dir = tmpDir()
        try c.save(to: dir)
        let l = try RewardModelCheckpoint.load(from: dir)
        #expect(l.heads == heads)
        #expect(l.pooling == .mean && l.maxTokens == 256 && l.backboneSHA256 == "abc" && l.kind == .orm)
        let x: [Float] = [1, -1, 2, 0, 0.5, 3]
        #expect(l.heads[0].score(x) == heads[0].score(x))
        #expect(throws: ConfigError.self) { try l.verifyBackbone(sha256: "other") }
        try l.verifyBackbone(sha256: "abc")
        let cfg = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: dir + "/config.json")))
        #expect(cfg["head"]?["members"]?.intValue == members)
        #expect(cfg["head"]?["kind"]?.stringValue == kind.rawValue)
        // Members differ (different seeds), so a loader that repeated member 0 would fail above.
        if members > 1 { #expect(heads[0] != heads[1]) }
        #expect(cfg["training"]?["objective"]?.stringValue == "bradley_terry")
    }

    /// The format stores one head kind per checkpoint: mixing kinds must be refused, not written
    /// as a checkpoint that cannot be loaded.
    @Test func mixedHeadKindsAreRefused() throws {
        let heads = [RewardHead(kind: .mlp, inputSize: 6, hiddenSize: 4, seed: 1), RewardHead(kind: .linear, inputSize: 6, hiddenSize: 0, seed: 2)]
        let c = RewardModelCheckpoint(kind: .orm, backboneName: "m", backboneSHA256: "abc", pooling: .mean, maxTokens: 256,
                                      heads: heads, training: TrainingOptions().json, data: [:], metrics: [:])
        let dir = tmpDir()
        let e = #expect(throws: ConfigError.self) { try c.save(to: dir) }
        #expect(e?.description.hasPrefix("ensemble member 1 is a linear head") == true, "\(String(describing: e))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/config.json"))
    }

    @Test func linearHeadTensorNames() throws {
        let h = RewardHead(kind: .linear, inputSize: 3, seed: 1)
        #expect(h.tensors.map(\.name) == ["input.mean", "input.scale", "score.weight", "score.bias"])
        var named: [String: [Float]] = [:]
        for t in h.tensors { named[t.name] = t.values }
        #expect(try RewardHead(kind: .linear, inputSize: 3, hiddenSize: 0, tensors: named) == h)
        named["score.weight"] = [1]
        #expect(throws: ConfigError.self) { try RewardHead(kind: .linear, inputSize: 3, hiddenSize: 0, tensors: named) }
    }

    @Test func featureCacheStoresRows() throws {
        let c = try FeatureCache(directory: tmpDir())
        let k = FeatureCache.key("hello")
        #expect(c.get(k, width: 2) == nil)
        c.put(k, rows: [[1, 2], [3, 4]])
        #expect(c.get(k, width: 2) == [[1, 2], [3, 4]])
        #expect(c.stats.hits == 1 && c.stats.misses == 1)
    }
}
