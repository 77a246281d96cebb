import RewardVerifiers

/// How the final answer is chosen among scored completions (search-and-learn `utils/math.py`):
/// `naive` = the answer of the best-scored completion; `majority` = the largest class of equivalent
/// answers (a tie goes to the class seen first); `weighted` = the class with the largest score sum.
/// Classes come from the math verifier's answer equivalence; completions without an answer do not vote.
public enum AnswerPick: String, Sendable, CaseIterable, Codable {
    case naive, majority, weighted

    public struct Candidate: Sendable {
        public var answer: String?
        public var score: Double
        public init(answer: String?, score: Double) { self.answer = answer; self.score = score }
    }

    /// Index of the chosen candidate (the first member of the winning class; for `naive` the best one).
    public func choose(_ c: [Candidate], verifier: MathVerifier = MathVerifier()) -> Int? {
        let voters = c.indices.filter { c[$0].answer != nil }
        guard !voters.isEmpty else { return c.indices.max { c[$0].score < c[$1].score } }
        if self == .naive { return voters.max { c[$0].score < c[$1].score || (c[$0].score == c[$1].score && $0 > $1) } }
        // Equivalence classes in order of first appearance; members sorted by index.
        var classes: [[Int]] = []
        for i in voters {
            if let k = classes.firstIndex(where: { verifier.equivalent(c[$0[0]].answer!, c[i].answer!) }) {
                classes[k].append(i)
            } else {
                classes.append([i])
            }
        }
        func weight(_ cl: [Int]) -> Double { self == .majority ? Double(cl.count) : cl.reduce(0) { $0 + c[$1].score } }
        var best = 0
        for k in classes.indices.dropFirst() where weight(classes[k]) > weight(classes[best]) { best = k }
        // Within the winning class, report its best-scored member.
        return classes[best].max { c[$0].score < c[$1].score || (c[$0].score == c[$1].score && $0 > $1) }
    }
}
