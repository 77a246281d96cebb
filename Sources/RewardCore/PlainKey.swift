/// Keys the readers name themselves (`id`, `response`, `reward`, `is_correct`, …) are "plain": lowercase
/// ASCII letters, digits and '_'. No character decomposes canonically into those bytes, so a member key
/// can equal a plain key (String `==` is canonical equivalence) only if it has the same UTF-8 length and
/// first byte. Lookups compare that shape first and skip the String comparison for the other keys: an
/// unequal String comparison is a call into the runtime's slow path, and a line's lookups made dozens.
enum PlainKey {
    /// Whether `key` is plain (so `mayEqual(_:plain:)` may be used with it).
    static func isPlain(_ key: String) -> Bool {
        key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// The part of a key compared before String equality: UTF-8 length and first byte, in one integer
    /// (`length * 256 + first`; 0 for "").
    @inline(__always)
    static func shape(_ key: String) -> Int {
        guard let first = key.utf8.first else { return 0 }
        return key.utf8.count * 256 + Int(first)
    }

    /// Whether `key` equals the plain key `plain`, mostly without a String comparison.
    @inline(__always)
    static func equals(_ key: String, plain: String) -> Bool {
        key.utf8.count == plain.utf8.count && key.utf8.first == plain.utf8.first && key == plain
    }
}
