/// Where the program comes from in a response: the last fenced block by default (what chat
/// models emit), the first one, or the whole response (raw completions).
public enum CodeExtraction: String, Sendable, CaseIterable {
    case lastBlock = "last_block"
    case firstBlock = "first_block"
    case whole

    /// The code, or nil when a block was required and none exists. An unterminated final fence
    /// (generation cut off) still yields its contents.
    public func extract(from response: String, requireBlock: Bool = false) -> String? {
        if self == .whole { return response }
        let blocks = CodeExtraction.fencedBlocks(response)
        if let b = (self == .lastBlock ? blocks.last : blocks.first) { return b }
        return requireBlock ? nil : response
    }

    static func fencedBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            if t.hasPrefix("```") {
                if let c = current {
                    blocks.append(c.joined(separator: "\n"))
                    current = nil
                } else {
                    current = []
                }
            } else if current != nil {
                current!.append(line)
            }
        }
        if let c = current, !c.isEmpty { blocks.append(c.joined(separator: "\n")) }
        return blocks
    }
}
