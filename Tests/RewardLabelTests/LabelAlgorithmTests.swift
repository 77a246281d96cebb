import Foundation
import Testing
import RewardCore
@testable import RewardLabel

@Suite struct LabelAlgorithmTests {
    func estimator(_ g: ScriptedGenerator, _ p: LabelParameters, db: String = tempDB()) throws -> RolloutEstimator {
        let store = try LabelJobStore(path: db, parameters: p.canonical, method: p.method.rawValue, inputHash: "t")
        return RolloutEstimator(store: store, generator: g, parameters: p, worker: WorkerIdentity())
    }

    @Test func binarySearchVisitsMidpointsAndFindsFirstError() async {
        var visited: [Int] = []
        // Steps 1…7 searched, prefixes 3… wrong.
        let r = await OmegaPRM.binarySearch(steps: 7) { i in visited.append(i); return i >= 3 }
        #expect(visited == [4, 2, 3])
        #expect(r.firstError == 3 && r.complete)
        visited = []
        let none = await OmegaPRM.binarySearch(steps: 7) { i in visited.append(i); return false }
        #expect(visited == [4, 6, 7])
        #expect(none.firstError == 8)
    }

    @Test func priorityIsPaperFormula() {
        // Q = 0.5^(1−0.25) · 0.9^(100/500), U = 0.125·√4/(1+1)
        let v = OmegaPRM.priority(nodeValue: 0.25, rolloutWords: 100, visits: 1, totalVisits: 4,
                                  alpha: 0.5, beta: 0.9, lengthScale: 500, cPuct: 0.125)
        #expect(abs(v - (pow(0.5, 0.75) * pow(0.9, 0.2) + 0.125 * 2 / 2)) < 1e-12)
    }

    @Test func monteCarloLabelsEachPrefixWithKRollouts() async throws {
        let g = ScriptedGenerator()
        var p = LabelParameters(method: .mc)
        p.rollouts = 4
        let mc = MonteCarloLabeler(estimator: try estimator(g, p))
        let labels = try await mc.label(problem(steps: ["a = 3", "b = WRONG", "c = 4", "The answer is 12."]))
        // Prefix 1 reaches gold in all rollouts; prefixes 2, 3 contain the wrong step; the last step
        // is the given answer itself (12 = gold → 1).
        #expect(labels.soft == [1, 0, 0, 1])
        #expect(labels.hard == [true, false, false, true])
        #expect(labels.firstError == 1)
        #expect(labels.rolloutCounts == [4, 4, 4, 0])
        #expect(labels.rolloutsUsed == 12)
        #expect(g.calls == 1 && g.samples == 12)
        // Memoized: labeling again samples nothing.
        _ = try await mc.label(problem(steps: ["a = 3", "b = WRONG", "c = 4", "The answer is 12."]))
        #expect(g.calls == 1)
    }

    @Test func omegaPRMFindsFirstErrorWithFewerRollouts() async throws {
        let steps = ["s1", "s2", "s3", "s4 WRONG", "s5", "s6", "s7", "The answer is 5."]
        var p = LabelParameters(method: .omegaprm)
        p.rollouts = 4
        p.maxSearches = 1
        let g = ScriptedGenerator()
        let r = try await OmegaPRM(estimator: try estimator(g, p)).label(problem(steps: steps))
        #expect(r.labels.firstError == 3)
        #expect(r.labels.hard == [true, true, true, false])
        // Binary search over prefixes 1…7: visits 4 (wrong), 2 (ok), 3 (ok) → 3 estimates.
        #expect(r.labels.rolloutsUsed == 12)
        #expect(r.labels.soft == [nil, 1, 1, 0])
        var mp = LabelParameters(method: .mc)
        mp.rollouts = 4
        let mc = try await MonteCarloLabeler(estimator: try estimator(ScriptedGenerator(), mp)).label(problem(steps: steps))
        #expect(mc.firstError == 3)
        #expect(mc.rolloutsUsed == 28)
    }

    @Test func omegaPRMTreeSearchSpendsBudgetOnMixedNodes() async throws {
        var p = LabelParameters(method: .omegaprm)
        p.rollouts = 4
        p.rolloutBudget = 40
        let g = ScriptedGenerator()
        // HALF in the problem: the root has a mixed MC, so its wrong rollouts enter the pool.
        var pr = problem(steps: ["s1", "s2 WRONG", "The answer is 5."])
        pr.prompt = "GOLD=12 HALF How many?"
        let r = try await OmegaPRM(estimator: try estimator(g, p)).label(pr)
        #expect(r.labels.firstError == 1)
        #expect(r.labels.rolloutsUsed <= 40)
        #expect(r.tree.first?.node == "g0")
        #expect(r.searches >= 2)
        #expect(r.tree.count >= 2)
    }

    @Test func consensusKeepsOnlyAgreeingSolutions() async throws {
        var p = LabelParameters(method: .consensus)
        p.rollouts = 2
        let f = ConsensusFilter(mc: MonteCarloLabeler(estimator: try estimator(ScriptedGenerator(), p)))
        // MC: step 2 (index 1) wrong; arithmetic: 3*4=13 is false at index 1 → agree.
        let agree = try await f.label(problem(steps: ["We have 3 boxes.", "WRONG: 3*4=13", "The answer is 13."]))
        #expect(agree.labels.firstError == 1 && agree.annotatorFirstError == 1 && agree.kept)
        // MC says index 1; the arithmetic in every step holds → annotator says −1 → dropped.
        let disagree = try await f.label(problem(line: 2, steps: ["We have 3 boxes.", "WRONG: 3*4=12", "The answer is 13."]))
        #expect(disagree.labels.firstError == 1 && disagree.annotatorFirstError == -1 && !disagree.kept)
    }

    @Test func seedsDependOnlyOnKey() {
        let a = RolloutKey(solution: 3, node: "g2", index: 1)
        #expect(a.seed(jobSeed: 0) == RolloutKey(solution: 3, node: "g2", index: 1).seed(jobSeed: 0))
        #expect(a.seed(jobSeed: 0) != RolloutKey(solution: 3, node: "g2", index: 2).seed(jobSeed: 0))
        #expect(a.seed(jobSeed: 0) != a.seed(jobSeed: 1))
    }
}
