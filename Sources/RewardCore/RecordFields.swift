/// What a reward reads from an input record, declared so the JSONL reader can skip building
/// the rest of the line (a reward that reads one label should not pay for the prompt and the
/// reference solution).
public struct RecordFields: Sendable, Equatable {
    /// Whether the reward reads the record's text: `Sample.prompt`, `response`, `steps`.
    public var text: Bool
    /// Input keys read through `Sample.fields`.
    public var keys: Set<String>
    /// Whether the reward reads the record's key fields: `Sample.id`, `reference`, `group`. When
    /// false (and `text` is false) the reader validates them but builds no String for them; the
    /// pipeline still builds `group` when it normalizes by group.
    public var recordKeys: Bool

    public init(text: Bool, keys: Set<String> = [], recordKeys: Bool = true) {
        self.text = text
        self.keys = keys
        self.recordKeys = recordKeys
    }

    /// What a set of rewards reads together; nil when any of them may read anything.
    public static func union(_ all: [RecordFields?]) -> RecordFields? {
        var u = RecordFields(text: false, recordKeys: false)
        for f in all {
            guard let f else { return nil }
            u.text = u.text || f.text
            u.recordKeys = u.recordKeys || f.recordKeys
            u.keys.formUnion(f.keys)
        }
        return u
    }
}
