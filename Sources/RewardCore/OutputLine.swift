/// Builds an output line: the input object with result fields appended. When the
/// input line was a JSON object that has none of the added keys, its original bytes
/// are reused verbatim (exact round-trip, no re-serialization); otherwise the parsed
/// object is re-serialized with the added keys replaced. With `raw`, `object` may hold only
/// some of the line's members (a filtered parse), as long as it holds every added key the
/// line has: only the re-serializing path needs the whole object.
public enum OutputLine {
    public static func make(raw: [UInt8]?, object: JSONObject?, additions: [JSONMember], into out: inout JSONWriter) {
        if let raw, let object, !additions.contains(where: { object.contains($0.key) }),
           let close = raw.lastIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A) }),
           raw[close] == UInt8(ascii: "}")
        {
            out.bytes.append(contentsOf: raw[..<close])
            // Empty input object: the byte before '}' (whitespace aside) is its '{'.
            var first = raw[..<close].last(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A) }) == UInt8(ascii: "{")
            for m in additions {
                if !first { out.bytes.append(UInt8(ascii: ",")) }
                first = false
                out.write(string: m.key)
                out.bytes.append(UInt8(ascii: ":"))
                out.write(m.value)
            }
            out.bytes.append(UInt8(ascii: "}"))
        } else {
            var o = object ?? JSONObject()
            for m in additions { o[m.key] = m.value }
            out.write(.object(o))
        }
        out.bytes.append(0x0A)
    }
}
