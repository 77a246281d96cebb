/// Tracks generated text against stop strings. Text that might be the start of a stop string is
/// held back from streaming until it is either confirmed (generation ends before it) or ruled out.
/// Incremental: each `append` only looks at the new text and the few scalars before it that a stop
/// string could span, so a long generation costs O(length), not O(length²).
public struct StopStringMatcher: Sendable {
    public let stops: [String]
    private let stopScalars: [[Unicode.Scalar]]
    private var scalars: [Unicode.Scalar] = []
    private var emitted = 0  // scalars already released

    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        stopScalars = self.stops.map { Array($0.unicodeScalars) }
    }

    /// The text so far (cut just before a stop string once one was hit).
    public var text: String { Self.string(scalars[...]) }

    /// Adds decoded text. Returns (text safe to release now, whether a stop string was hit).
    /// On a hit, `text` is truncated just before the stop string.
    public mutating func append(_ piece: String) -> (release: String, stopped: Bool) {
        let old = scalars.count
        scalars.append(contentsOf: piece.unicodeScalars)
        guard !stopScalars.isEmpty else { return (releaseUpTo(scalars.count), false) }
        // Earliest stop string that ends inside the new piece.
        var earliest: Int? = nil
        for sc in stopScalars {
            var i = max(0, old - sc.count + 1)
            while i + sc.count <= scalars.count {
                if earliest.map({ i < $0 }) ?? true, scalars[i..<(i + sc.count)].elementsEqual(sc) { earliest = i; break }
                i += 1
            }
        }
        if let cut = earliest {
            scalars.removeLast(scalars.count - cut)
            return (releaseUpTo(cut), true)
        }
        // Hold back the longest suffix that is a proper prefix of some stop string.
        var hold = 0
        for sc in stopScalars {
            var k = min(sc.count - 1, scalars.count)
            while k > hold {
                if scalars[(scalars.count - k)...].elementsEqual(sc[..<k]) { hold = k; break }
                k -= 1
            }
        }
        return (releaseUpTo(scalars.count - hold), false)
    }

    /// Releases whatever is still held (generation ended for another reason).
    public mutating func finish() -> String { releaseUpTo(scalars.count) }

    private mutating func releaseUpTo(_ n: Int) -> String {
        guard n > emitted else { return "" }
        defer { emitted = n }
        return Self.string(scalars[emitted..<n])
    }

    private static func string(_ s: ArraySlice<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }
}
