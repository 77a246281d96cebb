/// Byte-level stand-ins for the Foundation string calls the verifier used on every line
/// (`trimmingCharacters`, `contains`): those bridge through NSString and cost about a third
/// of the verifier's time on real responses. Results are identical: only a non-ASCII byte
/// at an edge being trimmed takes the Foundation path, which handles Unicode spaces.
enum UTF8Text {
    /// `s.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)`.
    static func trimmed(_ s: String, newlines: Bool = true) -> String {
        let u = s.utf8
        guard let first = u.first, let last = u.last else { return s }
        @inline(__always) func space(_ c: UInt8) -> Bool { c == 32 || c == 9 || (newlines && c >= 10 && c <= 13) }
        if !space(first), !space(last), first < 0x80, last < 0x80 { return s }
        var i = u.startIndex, e = u.endIndex
        while i < e, space(u[i]) { i = u.index(after: i) }
        while e > i, space(u[u.index(before: e)]) { e = u.index(before: e) }
        if i < e, u[i] >= 0x80 || u[u.index(before: e)] >= 0x80 {
            return s.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
        }
        return String(s[i..<e])
    }

    /// Whether the bytes of `needle` occur in `s` (an ASCII needle: byte and character
    /// matches are the same).
    static func contains(_ s: String, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        let p = needle.utf8Start
        let u = s.utf8
        if let r = u.withContiguousStorageIfAvailable({ b -> Bool in
            guard n > 0 else { return true }
            guard b.count >= n else { return false }
            let f = p[0]
            var i = 0
            while i + n <= b.count {
                if b[i] == f {
                    var k = 1
                    while k < n, b[i + k] == p[k] { k += 1 }
                    if k == n { return true }
                }
                i += 1
            }
            return false
        }) { return r }
        return contains(String(decoding: Array(u), as: UTF8.self), needle)
    }
}

import Foundation
