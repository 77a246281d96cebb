/// What a reward reads from an input record, declared so the JSONL reader can skip building
/// the rest of the line (a reward that reads one label should not pay for the prompt and the
/// reference solution). The record's keys (`id`, `reference`/`answer`, `group`, …) are always
/// built, since every record is decoded the same way.
public struct RecordFields: Sendable, Equatable {
    /// Whether the reward reads the record's text: `Sample.prompt`, `response`, `steps`.
    public var text: Bool
    /// Input keys read through `Sample.fields`.
    public var keys: Set<String>

    public init(text: Bool, keys: Set<String> = []) {
        self.text = text
        self.keys = keys
    }

    /// What a set of rewards reads together; nil when any of them may read anything.
    public static func union(_ all: [RecordFields?]) -> RecordFields? {
        var u = RecordFields(text: false)
        for f in all {
            guard let f else { return nil }
            u.text = u.text || f.text
            u.keys.formUnion(f.keys)
        }
        return u
    }
}
