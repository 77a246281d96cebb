import Testing
@testable import RewardEngine

/// The packing rule every batched forward pass uses: consecutive items, at most `budget` tokens per group,
/// at least one item per group.
@Suite struct TokenBudgetGroupsTests {
    @Test func packsConsecutiveItemsUpToTheBudget() {
        #expect(tokenBudgetGroups([3, 4, 2, 5, 1], budget: 7) == [0..<2, 2..<4, 4..<5])
        #expect(tokenBudgetGroups([7, 7], budget: 7) == [0..<1, 1..<2])
        #expect(tokenBudgetGroups([1, 1, 1], budget: 100) == [0..<3])
    }

    @Test func anOverlongItemGetsAGroupOfItsOwn() {
        #expect(tokenBudgetGroups([2, 50, 2], budget: 10) == [0..<1, 1..<2, 2..<3])
        #expect(tokenBudgetGroups([], budget: 10).isEmpty)
    }
}
