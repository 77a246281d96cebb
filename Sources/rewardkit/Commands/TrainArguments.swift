import ArgumentParser
import Foundation
import RewardCore
import RewardEngine
import RewardModels

/// Options shared by `train orm` and `train prm`.
struct TrainArguments: ParsableArguments {
    @Option(name: .long, help: "Backbone: pulled model name or GGUF path.")
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: "Training data (.jsonl/.json/.gz).")
    var data: String

    @Option(name: .long, help: "Checkpoint directory to write.")
    var out: String

    @Option(name: .customLong("val-split"), help: "Fraction of prompts held out for validation / early stopping.")
    var valSplit: Double = 0.1

    @Option(name: .long, help: "Seed for init, shuffling, split and bootstrap.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Number of ensemble members (seeds seed…seed+K−1).")
    var ensemble: Int = 1

    @Flag(name: .long, help: "Train each ensemble member on a bootstrap resample.")
    var bootstrap = false

    @Option(name: .long, help: "Head: mlp (2-layer) or linear.")
    var head: String = "mlp"

    @Option(name: .customLong("hidden-size"), help: "MLP hidden width.")
    var hiddenSize: Int = 128

    @Option(name: .customLong("lr"), help: "Peak learning rate (AdamW).")
    var learningRate: Double = 1e-3

    @Option(name: .customLong("weight-decay"), help: "AdamW decoupled weight decay.")
    var weightDecay: Double = 0.01

    @Option(name: .long, help: "Maximum epochs.")
    var epochs: Int = 40

    @Option(name: .customLong("batch-size"), help: "Items per optimizer step.")
    var batchSize: Int = 32

    @Option(name: .long, help: "LR schedule after warmup: cosine, linear, constant.")
    var schedule: String = "cosine"

    @Option(name: .long, help: "Warmup as a fraction of all steps.")
    var warmup: Double = 0.05

    @Option(name: .long, help: "Early-stopping patience in epochs (validation loss).")
    var patience: Int = 5

    @Option(name: .customLong("max-tokens"), help: "Longest backbone input; longer inputs keep their last tokens.")
    var maxTokens: Int = 512

    @Option(name: .long, help: "Use only the first N records.")
    var limit: Int?

    @Flag(name: .customLong("no-cache"), help: "Do not read or write the feature cache.")
    var noCache = false

    @Option(name: .customLong("export-features"), help: "Also write the feature table and items to this .safetensors file.")
    var exportFeatures: String?

    @Option(name: .long, help: "Engine threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (0..<1).contains(valSplit) else { throw ValidationError("--val-split must be in [0, 1)") }
        guard ensemble >= 1 else { throw ValidationError("--ensemble must be ≥ 1") }
        guard RewardHead.Kind(rawValue: head) != nil else { throw ValidationError("--head must be mlp or linear") }
        guard LearningRateSchedule.Shape(rawValue: schedule) != nil else { throw ValidationError("--schedule must be cosine, linear or constant") }
        guard epochs >= 1, batchSize >= 1, hiddenSize >= 1, maxTokens >= 8 else { throw ValidationError("--epochs, --batch-size, --hidden-size must be ≥ 1; --max-tokens ≥ 8") }
    }

    func trainingOptions() -> TrainingOptions {
        var o = TrainingOptions()
        o.head = RewardHead.Kind(rawValue: head)!
        o.hiddenSize = hiddenSize
        o.learningRate = learningRate
        o.weightDecay = weightDecay
        o.epochs = epochs
        o.batchSize = batchSize
        o.schedule = LearningRateSchedule.Shape(rawValue: schedule)!
        o.warmupFraction = warmup
        o.patience = patience
        o.seed = seed
        o.validationSplit = valSplit
        o.bootstrap = bootstrap
        return o
    }

    /// Loads records and the backbone, trains, writes the checkpoint and prints a summary.
    func run(kind: RewardModelCheckpoint.Kind, configure: (inout RewardModelTraining) -> Void) async throws {
        let t0 = Date()
        let (records, skipped, errors) = try TrainingRecords.load(path: data, limit: limit, wantSteps: kind == .prm)
        for e in errors { printError("skipped: \(e)") }
        guard !records.isEmpty else { throw ConfigError("no usable training records in \(data) (\(skipped) skipped)") }
        let extractor: FeatureExtractor
        do {
            let m = try GGUFLanguageModel.load(model, threads: threads)
            let sha = try ModelHub.shared.sha256(model)
            let cache = noCache ? nil : try FeatureCache(directory: FeatureCache.defaultDirectory(modelSHA256: sha))
            extractor = FeatureExtractor(model: m, modelSHA256: sha, cache: cache, maxTokens: maxTokens)
        } catch let e as EngineError {
            throw ConfigError(e.description)
        }
        var job = RewardModelTraining(kind: kind, options: trainingOptions())
        job.ensemble = ensemble
        job.exportFeaturesPath = exportFeatures
        job.dataDescription = .object(["path": .string(data), "sha256": .string(try SHA256Hasher.hexDigest(ofFile: data)),
                                       "limit": limit.map { .number(Double($0)) } ?? .null, "skipped": .number(Double(skipped))])
        configure(&job)
        let outcome = try await job.run(records: records, extractor: extractor, backboneName: ModelHub.shared.displayName(model),
                                        log: { printError($0) })
        try outcome.checkpoint.save(to: out)
        let perSeq = outcome.sequencesComputed > 0 ? Double(outcome.sequencesComputed) / outcome.extractionSeconds : 0
        var summary: JSONObject = [
            "out": .string(out), "kind": .string(kind.rawValue), "records": .number(Double(records.count)), "skipped": .number(Double(skipped)),
            "features_computed": .number(Double(outcome.sequencesComputed)), "feature_cache_hits": .number(Double(outcome.cacheHits)),
            "feature_seconds": .number(outcome.extractionSeconds), "sequences_per_second": .number(perSeq),
            "tokens_computed": .number(Double(outcome.tokensComputed)),
            "train_seconds": .number(outcome.trainSeconds), "members": .number(Double(ensemble)),
            "total_seconds": .number(Date().timeIntervalSince(t0)),
        ]
        if let a = outcome.ensembleValidationAccuracy { summary["validation_accuracy"] = .number(a) }
        print(JSONValue.object(summary).jsonString)
    }
}
