/// Builds an output line: the input object with result fields appended. When the
/// input line was a JSON object that has none of the added keys, its original bytes
/// are reused verbatim (exact round-trip, no re-serialization); otherwise the parsed
/// object is re-serialized with the added keys replaced. With `raw`, `object` may hold only
/// some of the line's members (a filtered parse), as long as it holds every added key the
/// line has: only the re-serializing path needs the whole object.
public enum OutputLine {
    @_disfavoredOverload
    public static func make(raw: [UInt8]?, object: JSONObject?, additions: [JSONMember], into out: inout JSONWriter) {
        make(raw: raw?[...], object: object, additions: additions, into: &out)
    }

    /// As `make(raw:…)` with the input line's bytes where they lie (a slice of its batch buffer).
    public static func make(raw: ArraySlice<UInt8>?, object: JSONObject?, additions: [JSONMember], into out: inout JSONWriter) {
        if let raw, let object, !additions.contains(where: { object.contains($0.key) }), splice(raw: raw, additions: additions, into: &out) { return }
        var o = object ?? JSONObject()
        for m in additions { o[m.key] = m.value }
        out.write(.object(o))
        out.bytes.append(0x0A)
    }

    /// The output line made from `raw`, a JSON object's bytes that have none of the added keys (the
    /// caller knows): its bytes up to the closing '}', the additions, '}' and a newline. False, and
    /// nothing written, when `raw` does not end with '}'.
    public static func splice(raw: ArraySlice<UInt8>, additions: [JSONMember], into out: inout JSONWriter) -> Bool {
        splice(raw: raw, into: &out) { out, first in
            for m in additions { member(m.key, m.value, first: &first, into: &out) }
        }
    }

    /// As `splice(raw:additions:into:)` with the added members written by `members` (with `member`).
    @inline(__always)
    static func splice(raw: ArraySlice<UInt8>, into out: inout JSONWriter, members: (inout JSONWriter, inout Bool) -> Void) -> Bool {
        guard let close = raw.withUnsafeBufferPointer({ lastNonSpace($0, before: $0.count) }), raw[raw.startIndex + close] == UInt8(ascii: "}") else {
            return false
        }
        // Empty input object: the byte before '}' (whitespace aside) is its '{'.
        var first = false
        raw.withUnsafeBufferPointer { b in
            out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<close]))
            first = lastNonSpace(b, before: close).map { b[$0] == UInt8(ascii: "{") } ?? false
        }
        members(&out, &first)
        out.bytes.append(UInt8(ascii: "}"))
        out.bytes.append(0x0A)
        return true
    }

    /// One added member, after a comma unless it is the object's first.
    @inline(__always)
    static func member(_ key: String, _ value: JSONValue, first: inout Bool, into out: inout JSONWriter) {
        if !first { out.bytes.append(UInt8(ascii: ",")) }
        first = false
        out.write(string: key)
        out.bytes.append(UInt8(ascii: ":"))
        out.write(value)
    }

    /// Index of the last byte before `end` that is not JSON whitespace.
    @inline(__always)
    static func lastNonSpace(_ b: UnsafeBufferPointer<UInt8>, before end: Int) -> Int? {
        var i = end - 1
        while i >= 0 {
            let c = b[i]
            if !(c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A) { return i }
            i -= 1
        }
        return nil
    }
}
