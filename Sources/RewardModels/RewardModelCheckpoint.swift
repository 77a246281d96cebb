import Foundation
import RewardCore

/// A trained reward model on disk: `config.json` (backbone name + sha256, pooling, head shape,
/// training options, data hash, metrics) and `head.safetensors`. An ensemble stores member k's
/// tensors as `member{k}.<name>`; a single head uses the bare names (`fc1.weight`, …).
public struct RewardModelCheckpoint: Sendable {
    public enum Kind: String, Sendable { case orm, prm }

    public var kind: Kind
    public var backboneName: String
    public var backboneSHA256: String
    public var pooling: Pooling
    public var maxTokens: Int
    public var heads: [RewardHead]
    public var training: JSONValue
    public var data: JSONValue
    public var metrics: JSONValue

    public static let configFile = "config.json"
    public static let weightsFile = "head.safetensors"
    public static let formatName = "rewardkit-reward-model"

    public init(kind: Kind, backboneName: String, backboneSHA256: String, pooling: Pooling, maxTokens: Int,
                heads: [RewardHead], training: JSONValue, data: JSONValue, metrics: JSONValue) {
        self.kind = kind; self.backboneName = backboneName; self.backboneSHA256 = backboneSHA256
        self.pooling = pooling; self.maxTokens = maxTokens; self.heads = heads
        self.training = training; self.data = data; self.metrics = metrics
    }

    var config: JSONValue {
        let h = heads[0]
        var o: JSONObject = [
            "format": .string(Self.formatName), "version": 1, "kind": .string(kind.rawValue),
            "backbone": ["name": .string(backboneName), "sha256": .string(backboneSHA256), "hidden_size": .number(Double(h.inputSize))],
            "pooling": .string(kind == .prm ? "step_end" : pooling.rawValue),
            "max_tokens": .number(Double(maxTokens)),
            "head": ["kind": .string(h.kind.rawValue), "input_size": .number(Double(h.inputSize)),
                     "hidden_size": .number(Double(h.hiddenSize)), "members": .number(Double(heads.count))],
        ]
        if kind == .prm { o["step_separator"] = .string(FeatureExtractor.stepSeparator) }
        o["training"] = training
        o["data"] = data
        o["metrics"] = metrics
        return .object(o)
    }

    public func save(to dir: String) throws {
        // config.json records one head shape for every member; a mixed ensemble would be written
        // as a checkpoint that cannot be loaded back, so it is refused here.
        guard let h0 = heads.first else { throw ConfigError("checkpoint has no heads") }
        if let odd = heads.firstIndex(where: { $0.kind != h0.kind || $0.inputSize != h0.inputSize || $0.hiddenSize != h0.hiddenSize }) {
            throw ConfigError("ensemble member \(odd) is a \(heads[odd].kind.rawValue) head (\(heads[odd].inputSize)→\(heads[odd].hiddenSize)); member 0 is \(h0.kind.rawValue) (\(h0.inputSize)→\(h0.hiddenSize)): all members must share kind and sizes")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for (k, h) in heads.enumerated() {
            for t in h.tensors { tensors.append((heads.count == 1 ? t.name : "member\(k).\(t.name)", t.shape, t.values)) }
        }
        try SafeTensors.write(tensors, metadata: ["format": "pt", "rewardkit_kind": kind.rawValue, "members": "\(heads.count)"],
                              to: (dir as NSString).appendingPathComponent(Self.weightsFile))
        try Data((PrettyJSON.render(config) + "\n").utf8).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(Self.configFile)), options: .atomic)
    }

    public static func load(from dir: String) throws -> RewardModelCheckpoint {
        let cpath = (dir as NSString).appendingPathComponent(configFile)
        guard let data = FileManager.default.contents(atPath: cpath) else {
            throw ConfigError("no \(configFile) in '\(dir)' (expected a directory written by `rewardkit train`)")
        }
        guard case .object(let c) = try JSONParser.parse(data), c["format"]?.stringValue == formatName else {
            throw ConfigError("\(cpath) is not a RewardKit reward-model config")
        }
        guard let kind = c["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let bname = c["backbone"]?["name"]?.stringValue, let bsha = c["backbone"]?["sha256"]?.stringValue,
              let hk = c["head"]?["kind"]?.stringValue.flatMap(RewardHead.Kind.init(rawValue:)),
              let d = c["head"]?["input_size"]?.intValue, let hs = c["head"]?["hidden_size"]?.intValue,
              let members = c["head"]?["members"]?.intValue, members >= 1
        else { throw ConfigError("\(cpath): missing or invalid kind/backbone/head fields") }
        let pooling = c["pooling"]?.stringValue.flatMap(Pooling.init(rawValue:)) ?? .last
        let (tensors, _) = try SafeTensors.read(path: (dir as NSString).appendingPathComponent(weightsFile))
        var heads: [RewardHead] = []
        for k in 0..<members {
            let prefix = members == 1 ? "" : "member\(k)."
            var named: [String: [Float]] = [:]
            for (n, t) in tensors where n.hasPrefix(prefix) { named[String(n.dropFirst(prefix.count))] = t.values }
            heads.append(try RewardHead(kind: hk, inputSize: d, hiddenSize: hs, tensors: named))
        }
        return RewardModelCheckpoint(kind: kind, backboneName: bname, backboneSHA256: bsha, pooling: pooling,
                                     maxTokens: c["max_tokens"]?.intValue ?? 512, heads: heads,
                                     training: c["training"] ?? .null, data: c["data"] ?? .null, metrics: c["metrics"] ?? .null)
    }

    /// Refuses a backbone other than the one the head was trained on.
    public func verifyBackbone(sha256: String) throws {
        guard sha256 == backboneSHA256 else {
            throw ConfigError("reward model was trained on backbone \(backboneName) (sha256 \(backboneSHA256.prefix(12))…) but the loaded model has sha256 \(sha256.prefix(12))…")
        }
    }
}
