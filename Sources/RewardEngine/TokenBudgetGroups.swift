/// Splits consecutive items into groups whose token counts sum to at most `budget`, so each group runs as one
/// packed forward pass (large GEMMs, bounded activation memory). A group always holds at least one item, even
/// one longer than the budget on its own.
func tokenBudgetGroups(_ counts: [Int], budget: Int) -> [Range<Int>] {
    var groups: [Range<Int>] = []
    var i = 0
    while i < counts.count {
        var j = i, total = 0
        while j < counts.count && (j == i || total + counts[j] <= budget) {
            total += counts[j]
            j += 1
        }
        groups.append(i..<j)
        i = j
    }
    return groups
}
