import Testing
@testable import RewardSearch

@Suite struct GenerationCostTests {
    @Test func sumsOutcomesAndCountsCalls() {
        let a = GenerationOutcome(samples: [GeneratedText(text: "x\n\n", finish: .stop, completionTokens: 3),
                                            GeneratedText(text: "yz", finish: .end, completionTokens: 5)],
                                  prefillTokens: 10, contextTokens: 12)
        let b = GenerationOutcome(samples: [], prefillTokens: 0, contextTokens: 0, error: "too long")
        let c = GenerationOutcome(samples: [GeneratedText(text: "w", finish: .length, completionTokens: 7)],
                                  prefillTokens: 1, contextTokens: 20)
        var cost = GenerationCost()
        cost.add(call: [a, b])
        cost.add(c)
        #expect(cost.generatedTokens == 15 && cost.prefillTokens == 11 && cost.contextTokens == 32)
        #expect(cost.calls == 1 && cost.jobs == 3)
        let twice = cost + cost
        #expect(twice.generatedTokens == 30 && twice.calls == 2 && twice.jobs == 6)
    }
}
