/// The members of a record that `RecordDecoder.decode` reads, found in one pass over the object:
/// each member key is sorted by its `PlainKey` shape to the one or two decoder keys it could be,
/// where `value(recordKey:)` per key went over every member about fifteen times a line. The first
/// member with a key wins, as with `value(recordKey:)` (the parser already merged duplicates).
struct RecordMembers {
    var id, reference, answer, group, promptID, problem: JSONValue?
    var prompt, response, completion, messages, chosen, rejected, steps, completions, labels: JSONValue?

    init(_ o: JSONObject) {
        for m in o.members {
            let k = m.key
            @inline(__always) func take(_ slot: inout JSONValue?, _ name: String) -> Bool {
                guard k == name else { return false }
                if slot == nil { slot = m.value }
                return true
            }
            // Only keys of the right length and first byte are compared (`PlainKey`).
            switch PlainKey.shape(k) {
            case 2 * 256 + 0x69: _ = take(&id, "id")
            case 9 * 256 + 0x72: _ = take(&reference, "reference")
            case 8 * 256 + 0x72: _ = take(&response, "response") || take(&rejected, "rejected")
            case 6 * 256 + 0x61: _ = take(&answer, "answer")
            case 5 * 256 + 0x67: _ = take(&group, "group")
            case 9 * 256 + 0x70: _ = take(&promptID, "prompt_id")
            case 7 * 256 + 0x70: _ = take(&problem, "problem")
            case 6 * 256 + 0x70: _ = take(&prompt, "prompt")
            case 10 * 256 + 0x63: _ = take(&completion, "completion")
            case 11 * 256 + 0x63: _ = take(&completions, "completions")
            case 6 * 256 + 0x63: _ = take(&chosen, "chosen")
            case 8 * 256 + 0x6D: _ = take(&messages, "messages")
            case 5 * 256 + 0x73: _ = take(&steps, "steps")
            case 6 * 256 + 0x6C: _ = take(&labels, "labels")
            default: break
            }
        }
    }
}
