import RewardCore

/// How a pair whose two scores are equal counts.
public enum TiePolicy: String, Sendable, CaseIterable {
    /// Wrong — RewardBench v1 (`1 if chosen > rejected else 0`); the default.
    case loss
    /// Half right — the expectation under a random tie-break.
    case half

    public func outcome(chosen: Double, rejected: Double) -> Double {
        if chosen > rejected { return 1 }
        if chosen == rejected, self == .half { return 0.5 }
        return 0
    }
}

/// One scored preference pair.
public struct ScoredPair: Sendable, Hashable {
    public var id: String?
    public var subset: String?
    public var chosen: Double
    public var rejected: Double
    public var chosenLength: Int?
    public var rejectedLength: Int?

    public init(id: String? = nil, subset: String? = nil, chosen: Double, rejected: Double,
                chosenLength: Int? = nil, rejectedLength: Int? = nil)
    {
        self.id = id
        self.subset = subset
        self.chosen = chosen
        self.rejected = rejected
        self.chosenLength = chosenLength
        self.rejectedLength = rejectedLength
    }
}

/// Pairwise accuracy P(r(chosen) > r(rejected)), overall and per subset, with RewardBench
/// v1 section scores when the subsets are RewardBench's, all with bootstrap CIs.
public struct PairwiseReport: Sendable {
    public struct Subset: Sendable {
        public var name: String
        public var n: Int
        public var ties: Int
        public var accuracy: ConfidenceInterval
        public var section: String?
    }
    public struct Section: Sendable {
        public var name: String
        public var score: ConfidenceInterval
    }

    public var n: Int
    public var ties: Int
    public var tiePolicy: TiePolicy
    public var accuracy: ConfidenceInterval
    public var subsets: [Subset]
    public var sections: [Section]
    /// Mean of the four RewardBench sections, when all four are present.
    public var rewardBenchScore: ConfidenceInterval?
    public var meanMargin: Double
    public var bootstrap: BootstrapOptions
    /// Per-pair outcomes (1, 0.5, 0) in input order, for paired comparisons.
    public var outcomes: [Double]

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "pairwise"
        o["n"] = .number(Double(n))
        o["accuracy"] = .number(accuracy.estimate)
        o["accuracy_ci"] = accuracy.json
        o["ties"] = .number(Double(ties))
        o["tie_policy"] = .string(tiePolicy.rawValue)
        o["mean_margin"] = .number(meanMargin)
        if let s = rewardBenchScore {
            o["rewardbench_score"] = .number(s.estimate)
            o["rewardbench_score_ci"] = s.json
        }
        if !sections.isEmpty {
            o["sections"] = .object(JSONObject(sections.map {
                JSONMember($0.name, ["score": .number($0.score.estimate), "ci": $0.score.json])
            }))
        }
        o["subsets"] = .object(JSONObject(subsets.map { s in
            var so = JSONObject()
            so["n"] = .number(Double(s.n))
            so["accuracy"] = .number(s.accuracy.estimate)
            so["ci"] = s.accuracy.json
            so["ties"] = .number(Double(s.ties))
            if let sec = s.section { so["section"] = .string(sec) }
            return JSONMember(s.name, .object(so))
        }))
        o["bootstrap"] = bootstrap.json
        o["checked_against"] = BenchmarkReference.rewardBench.json
        return .object(o)
    }
}

public enum PairwiseAccuracy {
    /// Name used for pairs without a subset field.
    public static let defaultSubset = "all"

    public static func evaluate(_ pairs: [ScoredPair], ties: TiePolicy = .loss,
                                bootstrap: BootstrapOptions = .init()) -> PairwiseReport
    {
        var outcomes = [Double](repeating: 0, count: pairs.count)
        var order: [String] = []
        var index: [String: Int] = [:]
        var strata: [[Double]] = []
        var tieCounts: [Int] = []
        var margin = 0.0
        var totalTies = 0
        for (i, p) in pairs.enumerated() {
            let o = ties.outcome(chosen: p.chosen, rejected: p.rejected)
            outcomes[i] = o
            margin += p.chosen - p.rejected
            let name = p.subset ?? defaultSubset
            let k: Int
            if let j = index[name] { k = j } else {
                k = order.count
                index[name] = k
                order.append(name)
                strata.append([])
                tieCounts.append(0)
            }
            strata[k].append(o)
            if p.chosen == p.rejected { tieCounts[k] += 1; totalTies += 1 }
        }
        // Stratified replicates: one resample = every subset resampled within itself, so
        // overall, subset and section statistics come from the same replicates.
        let reps = Bootstrap.stratifiedMeans(strata, options: bootstrap)
        let means = strata.map { $0.isEmpty ? Double.nan : $0.reduce(0, +) / Double($0.count) }
        let n = pairs.count

        var subsets: [PairwiseReport.Subset] = []
        for (k, name) in order.enumerated() {
            subsets.append(.init(name: name, n: strata[k].count, ties: tieCounts[k],
                                 accuracy: Bootstrap.interval(estimate: means[k], replicates: reps[k], options: bootstrap),
                                 section: RewardBenchSections.section(of: name)))
        }
        func overallAt(_ r: Int?) -> Double {
            var s = 0.0
            for k in 0..<strata.count { s += (r.map { reps[k][$0] } ?? means[k]) * Double(strata[k].count) }
            return s / Double(max(n, 1))
        }
        let overallReps = (0..<bootstrap.resamples).map { overallAt($0) }
        let accuracy = Bootstrap.interval(estimate: n > 0 ? overallAt(nil) : .nan, replicates: n > 0 ? overallReps : [],
                                          options: bootstrap)

        func sectionScores(_ r: Int?) -> [(section: String, score: Double)] {
            var acc: [String: Double] = [:]
            for (k, name) in order.enumerated() { acc[name] = r.map { reps[k][$0] } ?? means[k] }
            return RewardBenchSections.scores(subsetAccuracy: acc)
        }
        let point = sectionScores(nil)
        var sectionReps = [[Double]](repeating: [], count: point.count)
        var overallRB: [Double] = []
        if !point.isEmpty {
            for r in 0..<bootstrap.resamples {
                let s = sectionScores(r)
                for j in 0..<s.count { sectionReps[j].append(s[j].score) }
                if let o = RewardBenchSections.overall(s) { overallRB.append(o) }
            }
        }
        let sections = point.enumerated().map { j, p in
            PairwiseReport.Section(name: p.section, score: Bootstrap.interval(estimate: p.score, replicates: sectionReps[j], options: bootstrap))
        }
        let rb = RewardBenchSections.overall(point).map { Bootstrap.interval(estimate: $0, replicates: overallRB, options: bootstrap) }
        return PairwiseReport(n: n, ties: totalTies, tiePolicy: ties, accuracy: accuracy, subsets: subsets, sections: sections,
                              rewardBenchScore: rb, meanMargin: n > 0 ? margin / Double(n) : .nan, bootstrap: bootstrap,
                              outcomes: outcomes)
    }
}
