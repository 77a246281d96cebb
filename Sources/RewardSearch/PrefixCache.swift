import Foundation
import RewardEngine

/// The local generator's memory of computed prefixes, so a search tree's contexts are prefilled once:
///
/// - **KV entries**: sequences in a `SequenceBatch` whose KV cache holds exactly `tokens` (and whose logits
///   are the distribution after the last of them), looked up by longest token-id prefix. Bounded by a byte
///   budget, least recently used evicted first.
/// - **Texts**: for every text the generator returned (context + completion), the token ids that produced
///   it. A later context that extends such a text is tokenized as those ids + the tokens of the new
///   suffix only, so it hits the KV entry of the sample that produced it (re-tokenizing the whole text
///   could merge the step delimiter with the next step's first token and miss the cache).
///
/// Not thread-safe; `LocalGenerator` serializes access.
final class PrefixCache {
    struct Entry {
        var tokens: [Int32]
        let id: SequenceBatch.ID
        let bytes: Int
        var lastUse: UInt64
        /// Pinned entries (a context whose samples are still being forked) are never evicted.
        var pins = 0
    }

    /// Token ids covering a returned text, plus the text's tail that no whole token covers
    /// (a stop string that ended inside a token).
    struct TokenizedText {
        var tokens: [Int32]
        var remainder: String
        var lastUse: UInt64
    }

    let batch: SequenceBatch
    let budgetBytes: Int
    let maxTexts: Int
    private(set) var entries: [SequenceBatch.ID: Entry] = [:]
    private var texts: [[UInt8]: TokenizedText] = [:]
    private var clock: UInt64 = 0

    init(batch: SequenceBatch, budgetBytes: Int, maxTexts: Int = 8192) {
        self.batch = batch
        self.budgetBytes = max(0, budgetBytes)
        self.maxTexts = max(1, maxTexts)
    }

    var bytes: Int { entries.values.reduce(0) { $0 + $1.bytes } }
    var textCount: Int { texts.count }

    private func tick() -> UInt64 { clock += 1; return clock }

    // MARK: texts

    /// Remembers the token ids that produced `text` (`remainder` = its tail not covered by them).
    func remember(text: String, tokens: [Int32], remainder: String) {
        texts[Array(text.utf8)] = TokenizedText(tokens: tokens, remainder: remainder, lastUse: tick())
        if texts.count > maxTexts {
            // Drop the oldest eighth at once so the sort is amortized.
            let drop = texts.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, maxTexts / 8))
            for (k, _) in drop { texts[k] = nil }
        }
    }

    /// Token ids for `context`: the remembered ids of the longest remembered text it starts with, then
    /// the tokenization of the rest; a fresh tokenization (special tokens parsed, BOS if the model wants
    /// one) when no remembered text is a prefix.
    func tokens(for context: String, tokenizer: any Tokenizer) -> [Int32] {
        let c = Array(context.utf8)
        var best: (key: [UInt8], value: TokenizedText)? = nil
        for (k, v) in texts where k.count <= c.count && k.count > (best?.key.count ?? -1) {
            let same = k.withUnsafeBufferPointer { kp in c.withUnsafeBufferPointer { cp in
                k.isEmpty || memcmp(kp.baseAddress!, cp.baseAddress!, k.count) == 0 } }
            if same { best = (k, v) }
        }
        if let b = best {
            texts[b.key]?.lastUse = tick()
            let rest = b.value.remainder + String(decoding: c[b.key.count...], as: UTF8.self)
            return b.value.tokens + (rest.isEmpty ? [] : tokenizer.encode(rest, parseSpecial: true))
        }
        var ids = tokenizer.encode(context, parseSpecial: true)
        if tokenizer.addBOS, let bos = tokenizer.bosId, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }

    // MARK: KV entries

    /// The entry with the longest token prefix of `tokens` (possibly all of them).
    func longestPrefix(of tokens: [Int32]) -> Entry? {
        var best: Entry? = nil
        for e in entries.values where e.tokens.count <= tokens.count && e.tokens.count > (best?.tokens.count ?? 0) {
            let same = e.tokens.withUnsafeBufferPointer { ep in tokens.withUnsafeBufferPointer { tp in
                memcmp(ep.baseAddress!, tp.baseAddress!, e.tokens.count * 4) == 0 } }
            if same { best = e }
        }
        if let b = best { entries[b.id]?.lastUse = tick() }
        return best
    }

    /// Takes ownership of a live sequence whose KV holds exactly `tokens`.
    func insert(_ id: SequenceBatch.ID, tokens: [Int32], bytes: Int, pinned: Bool = false) {
        entries[id] = Entry(tokens: tokens, id: id, bytes: bytes, lastUse: tick(), pins: pinned ? 1 : 0)
    }

    func pin(_ id: SequenceBatch.ID) { entries[id]?.pins += 1 }
    func unpin(_ id: SequenceBatch.ID) { if let p = entries[id]?.pins, p > 0 { entries[id]?.pins = p - 1 } }

    /// Evicts least recently used unpinned entries until the budget holds.
    func evict() {
        var total = bytes
        guard total > budgetBytes else { return }
        for e in entries.values.sorted(by: { $0.lastUse < $1.lastUse }) where e.pins == 0 {
            if total <= budgetBytes { break }
            batch.remove(e.id)
            entries[e.id] = nil
            total -= e.bytes
        }
    }

    /// Frees every entry (the model stays loaded).
    func clear() {
        for id in entries.keys { batch.remove(id) }
        entries.removeAll()
        texts.removeAll()
    }
}
