/// HTML pages for each report: summary, per-subset tables with CI bars, and the charts
/// the issue asks for (BoN curves, reliability diagram, threshold sweep, overopt curves).
extension PairwiseReport {
    public func html(title: String = "Pairwise reward-model evaluation", comparison: PairedComparison? = nil) -> HTMLReport {
        var h = HTMLReport(title: title)
        var kv: [(String, String)] = [("pairs", "\(n)"), ("accuracy", accuracy.formatted()), ("ties", "\(ties) (counted as \(tiePolicy == .loss ? "wrong, as RewardBench v1" : "half"))"),
                                      ("mean margin r(chosen) − r(rejected)", Fmt.fixed(meanMargin, 4))]
        if let rb = rewardBenchScore { kv.append(("RewardBench score (mean of 4 sections)", rb.formatted())) }
        if let c = comparison {
            kv.append(("A − B accuracy (paired bootstrap)", "\(Fmt.fixed(c.difference.estimate, 4)) [\(Fmt.fixed(c.difference.lower, 4)), \(Fmt.fixed(c.difference.upper, 4))], p = \(Fmt.fixed(c.pValue, 4))"))
        }
        h.keyValues(kv)
        h.provenance(.rewardBench)
        let bars = sections.map { SVGBarChart.Bar(label: $0.name, value: $0.score.estimate, lower: $0.score.lower, upper: $0.score.upper) }
            + subsets.map { SVGBarChart.Bar(label: $0.name, value: $0.accuracy.estimate, lower: $0.accuracy.lower, upper: $0.accuracy.upper) }
        h.chart(SVGBarChart(title: sections.isEmpty ? "Accuracy per subset (95% CI)" : "Section scores and per-subset accuracy (95% CI)",
                            bars: bars, reference: 0.5))
        if !sections.isEmpty {
            h.heading("RewardBench sections")
            h.table(headers: ["section", "score", "95% CI"], rows: sections.map {
                [.text($0.name), .bar($0.score.estimate, Fmt.percent($0.score.estimate)), .text("[\(Fmt.percent($0.score.lower)), \(Fmt.percent($0.score.upper))]")]
            })
        }
        h.heading("Per subset")
        h.table(headers: ["subset", "section", "n", "accuracy", "95% CI", "ties"], rows: subsets.map {
            [.text($0.name), .text($0.section ?? "–"), .text("\($0.n)"), .bar($0.accuracy.estimate, Fmt.percent($0.accuracy.estimate)),
             .text("[\(Fmt.percent($0.accuracy.lower)), \(Fmt.percent($0.accuracy.upper))]"), .text("\($0.ties)")]
        })
        return h
    }
}

extension BestOfKReport {
    public func html(title: String = "Best-of-k (RewardBench 2 style) evaluation") -> HTMLReport {
        var h = HTMLReport(title: title)
        h.keyValues([("prompts", "\(n)"), ("score (mean of subsets)", score.formatted())])
        h.provenance(.rewardBench2)
        h.chart(SVGBarChart(title: "Score per subset (95% CI; dashed: random best-of-4)",
                            bars: subsets.map { .init(label: $0.name, value: $0.score.estimate, lower: $0.score.lower, upper: $0.score.upper) },
                            reference: 0.25))
        h.heading("Per subset")
        h.table(headers: ["subset", "n", "metric", "value", "95% CI"], rows: subsets.map {
            // The Ties composite is a score (up to 1.01), shown as a number, not a percentage.
            [.text($0.name), .text("\($0.n)"), .text($0.ties == nil ? "accuracy" : "Ties score"),
             $0.ties == nil ? .bar($0.score.estimate, Fmt.percent($0.score.estimate)) : .bar(min($0.score.estimate, 1), Fmt.fixed($0.score.estimate, 4)),
             .text("[\(Fmt.percent($0.score.lower)), \(Fmt.percent($0.score.upper))]")]
        })
        for s in subsets { if let t = s.ties {
            h.heading("Ties breakdown (\(s.name))")
            h.keyValues([("ref accuracy", Fmt.fixed(t.refAccuracy, 3)), ("tied accuracy", Fmt.fixed(t.tiedAccuracy, 3)),
                         ("correctness preferred", Fmt.fixed(t.correctnessPreferred, 3)),
                         ("correctness preferred (hard)", Fmt.fixed(t.correctnessPreferredHard, 3)),
                         ("margin score", Fmt.fixed(t.marginScore, 3))])
        } }
        return h
    }
}

extension RewardMATHReport {
    public func html(title: String = "RewardMATH-style evaluation") -> HTMLReport {
        var h = HTMLReport(title: title)
        h.keyValues([("problems", "\(n)"), ("accuracy vs all", accuracy.formatted()), ("MRR (ties rank the correct solution last)", mrr.formatted())])
        h.provenance(.rewardMATH)
        return h
    }
}

extension ProcessBenchReport {
    public func html(title: String = "ProcessBench evaluation") -> HTMLReport {
        var h = HTMLReport(title: title)
        var kv: [(String, String)] = [("samples", "\(n) (\(overall.nError) erroneous, \(overall.nCorrect) correct)"),
                                      ("error accuracy", errorAcc.formatted()), ("correct accuracy", correctAcc.formatted()),
                                      ("F1 (pooled)", f1.formatted()), ("average F1 over splits", averageF1.formatted()),
                                      ("missing predictions (counted wrong)", "\(missing)")]
        if let t = threshold { kv.insert(("step-score threshold", Fmt.fixed(t, 3)), at: 1) }
        h.keyValues(kv)
        h.provenance(.processBench)
        h.heading("Per split")
        h.table(headers: ["split", "n", "error acc", "correct acc", "F1", "F1 95% CI"], rows: splits.map {
            [.text($0.name), .text("\($0.n)"), .bar($0.errorAcc.estimate, Fmt.percent($0.errorAcc.estimate)),
             .bar($0.correctAcc.estimate, Fmt.percent($0.correctAcc.estimate)), .bar($0.f1.estimate, Fmt.percent($0.f1.estimate)),
             .text("[\(Fmt.percent($0.f1.lower)), \(Fmt.percent($0.f1.upper))]")]
        })
        if !sweep.isEmpty {
            h.heading("Threshold sweep")
            var series: [SVGChart.Series] = [
                .init(name: "F1 (pooled)", points: sweep.map { ($0.threshold, $0.overall.f1) }, markers: false),
                .init(name: "error acc", points: sweep.map { ($0.threshold, $0.overall.errorAcc) }, markers: false, dashed: true),
                .init(name: "correct acc", points: sweep.map { ($0.threshold, $0.overall.correctAcc) }, markers: false, dashed: true),
            ]
            if splitOrder.count > 1 {
                for s in splitOrder { series.append(.init(name: "F1 \(s)", points: sweep.map { ($0.threshold, $0.splitF1[s] ?? .nan) }, markers: false)) }
            }
            var c = SVGChart(title: "ProcessBench metrics vs step-score threshold", xLabel: "threshold (first step with score < t is the predicted error)",
                             yLabel: "fraction", series: series)
            c.yRange = 0...1
            h.chart(c)
            if let b = bestSweepRow {
                h.paragraph("Best pooled F1 \(Fmt.percent(b.overall.f1)) at threshold \(Fmt.fixed(b.threshold, 3)) (tuned on this data: optimistic).")
            }
        }
        return h
    }
}

extension BoNReport {
    public func html(title: String = "Best-of-N curves") -> HTMLReport {
        var h = HTMLReport(title: title)
        var kv: [(String, String)] = [("problems", "\(problems)"), ("candidates", "\(candidates)"),
                                      ("computed by", "rewardkit (not a benchmark's code); all methods resample the same problems (paired CIs)")]
        for m in notes { kv.append((m.key, m.value.stringValue ?? m.value.jsonString)) }
        h.keyValues(kv)
        let series = methods.map { m in
            SVGChart.Series(name: m.rawValue, points: curves[m]!.map { (Double($0.n), $0.accuracy.estimate) },
                            band: curves[m]!.map { (Double($0.n), $0.accuracy.lower, $0.accuracy.upper) }, dashed: m == .oracle || m == .random)
        }
        var c = SVGChart(title: "accuracy@N", xLabel: "N (candidates per problem, log scale)", yLabel: "accuracy", series: series)
        c.log2X = true
        h.chart(c)
        h.heading("accuracy@N")
        h.table(headers: ["method"] + ns.map { "N=\($0)" }, rows: methods.map { m in
            [.text(m.rawValue)] + curves[m]!.map { .bar($0.accuracy.estimate, "\(Fmt.percent($0.accuracy.estimate)) [\(Fmt.percent($0.accuracy.lower)), \(Fmt.percent($0.accuracy.upper))]") }
        })
        return h
    }
}

extension PassAtKReport {
    public func html(title: String = "pass@k") -> HTMLReport {
        var h = HTMLReport(title: title)
        h.keyValues([("problems", "\(problems)"), ("samples", "\(samples)"), ("correct", "\(correct)")])
        h.provenance(.humanEval)
        var c = SVGChart(title: "pass@k (unbiased estimator)", xLabel: "k (log scale)", yLabel: "pass@k",
                         series: [.init(name: "pass@k", points: rows.map { (Double($0.k), $0.passAtK.estimate) },
                                        band: rows.map { (Double($0.k), $0.passAtK.lower, $0.passAtK.upper) })])
        c.log2X = true
        h.chart(c)
        h.table(headers: ["k", "problems", "pass@k", "95% CI"], rows: rows.map {
            [.text("\($0.k)"), .text("\($0.problems)"), .bar($0.passAtK.estimate, Fmt.percent($0.passAtK.estimate)),
             .text("[\(Fmt.percent($0.passAtK.lower)), \(Fmt.percent($0.passAtK.upper))]")]
        })
        return h
    }
}

extension CalibrationReport {
    public func html(title: String = "Calibration") -> HTMLReport {
        var h = HTMLReport(title: title)
        h.keyValues([("n", "\(n)"), ("Brier", brier.formatted(digits: 4)), ("ECE (equal-mass, \(binCount) bins)", ece.formatted(digits: 4)),
                     ("ECE bootstrap bias (mean resampled ECE − ECE)", Fmt.fixed(eceBootstrapBias, 4)),
                     ("base rate", Fmt.fixed(accuracy, 3)), ("mean prediction", Fmt.fixed(meanPrediction, 3))])
        h.paragraph("Calibration is rewardkit's own (no benchmark computes it). Brier and ECE are bootstrapped on the same resamples; "
                    + "ECE's interval is the percentile interval shifted by the bootstrap bias, since resampling inflates ECE.")
        var c = SVGChart(title: "Reliability diagram", xLabel: "mean predicted probability (bin)", yLabel: "observed frequency",
                         series: [.init(name: "bins", points: bins.map { ($0.meanPrediction, $0.meanOutcome) })])
        c.diagonal = true
        c.xRange = 0...1
        c.yRange = 0...1
        h.chart(c)
        h.table(headers: ["bin", "count", "p range", "mean p", "observed"], rows: bins.enumerated().map { i, b in
            [.text("\(i + 1)"), .text("\(b.count)"), .text("[\(Fmt.fixed(b.lower, 3)), \(Fmt.fixed(b.upper, 3))]"),
             .text(Fmt.fixed(b.meanPrediction, 3)), .bar(b.meanOutcome, Fmt.fixed(b.meanOutcome, 3))]
        })
        return h
    }
}

extension OveroptReport {
    public func html(title: String = "Overoptimization (Best-of-n)") -> HTMLReport {
        var h = HTMLReport(title: title)
        h.keyValues([("problems", "\(problems)"), ("n range", "1…\(maxN)"), ("flag tolerance", Fmt.fixed(tolerance, 4))])
        var g = SVGChart(title: "Gold reward of the selected candidate", xLabel: "KL_BoN = log n − (n−1)/n", yLabel: "mean gold",
                         series: curves.map { c in
                             .init(name: c.aggregation, points: c.points.map { ($0.kl, $0.gold.estimate) },
                                   band: c.points.map { ($0.kl, $0.gold.lower, $0.gold.upper) }, markers: c.points.count <= 32)
                         })
        g.xRange = 0...(Overoptimization.klBoN(max(maxN, 2)))
        h.chart(g)
        var p = SVGChart(title: "Proxy reward of the selected candidate", xLabel: "KL_BoN = log n − (n−1)/n", yLabel: "mean proxy",
                         series: curves.map { c in .init(name: c.aggregation, points: c.points.map { ($0.kl, $0.proxy) }, markers: c.points.count <= 32) })
        p.xRange = g.xRange
        h.chart(p)
        h.table(headers: ["proxy", "peak n", "gold at peak", "gold at n=\(maxN)", "drop (95% CI)", "overoptimized"], rows: curves.map { c in
            let peak = c.points.isEmpty ? Double.nan : c.points[c.peakN - 1].gold.estimate
            let last = c.points.last?.gold.estimate ?? .nan
            return [.text(c.aggregation), .text("\(c.peakN)"), .text(Fmt.fixed(peak, 4)), .text(Fmt.fixed(last, 4)),
                    .text(c.goldDrop.formatted(digits: 4)), .text(c.overoptimized ? "yes" : "no")]
        })
        return h
    }
}

extension HTMLReport {
    /// Which benchmark code the page's numbers were checked against, and what the page adds.
    mutating func provenance(_ ref: BenchmarkReference) {
        paragraph("Numbers checked against \(ref.repository) at \(ref.commit.prefix(12)) (\(ref.code.joined(separator: "; "))). "
                  + "Not computed by the benchmark: \(ref.additions.joined(separator: "; ")).")
    }
}
