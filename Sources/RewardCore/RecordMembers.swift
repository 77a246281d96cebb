/// Where the members that `RecordDecoder.decode` reads lie in a record, found in one pass over
/// the object: each member key is sorted by its `PlainKey` shape to the one or two decoder keys
/// it could be, where `value(recordKey:)` per key went over every member about fifteen times a
/// line. Only indices are kept (no value is copied until the decoder reads it). The first member
/// with a key wins, as with `value(recordKey:)` (the parser already merged duplicates).
struct RecordMembers {
    let members: [JSONMember]
    // Member indices, -1 when absent.
    var id = -1, reference = -1, answer = -1, group = -1, promptID = -1, problem = -1
    var prompt = -1, response = -1, completion = -1, messages = -1, chosen = -1, rejected = -1
    var steps = -1, completions = -1, labels = -1

    init(_ o: JSONObject) {
        members = o.members
        for i in o.members.indices {
            let k = o.members[i].key
            // Only keys of the right length and first byte are compared (`PlainKey`).
            switch PlainKey.shape(k) {
            case 2 * 256 + 0x69: _ = Self.take(&id, "id", i, k)
            case 9 * 256 + 0x72: _ = Self.take(&reference, "reference", i, k)
            case 8 * 256 + 0x72: _ = Self.take(&response, "response", i, k) || Self.take(&rejected, "rejected", i, k)
            case 6 * 256 + 0x61: _ = Self.take(&answer, "answer", i, k)
            case 5 * 256 + 0x67: _ = Self.take(&group, "group", i, k)
            case 9 * 256 + 0x70: _ = Self.take(&promptID, "prompt_id", i, k)
            case 7 * 256 + 0x70: _ = Self.take(&problem, "problem", i, k)
            case 6 * 256 + 0x70: _ = Self.take(&prompt, "prompt", i, k)
            case 10 * 256 + 0x63: _ = Self.take(&completion, "completion", i, k)
            case 11 * 256 + 0x63: _ = Self.take(&completions, "completions", i, k)
            case 6 * 256 + 0x63: _ = Self.take(&chosen, "chosen", i, k)
            case 8 * 256 + 0x6D: _ = Self.take(&messages, "messages", i, k)
            case 5 * 256 + 0x73: _ = Self.take(&steps, "steps", i, k)
            case 6 * 256 + 0x6C: _ = Self.take(&labels, "labels", i, k)
            default: break
            }
        }
    }

    /// Sets `slot` to `i` (unless already set) when `key` is `name`.
    @inline(__always)
    static func take(_ slot: inout Int, _ name: String, _ i: Int, _ key: String) -> Bool {
        guard key == name else { return false }
        if slot < 0 { slot = i }
        return true
    }

    /// The value of the member at `index` (nil for -1).
    @inline(__always)
    subscript(_ index: Int) -> JSONValue? {
        // `.none`, not `nil`: JSONValue is ExpressibleByNilLiteral, and `nil` here was `.null`.
        guard index >= 0 else { return .none }
        return members[index].value
    }
}
