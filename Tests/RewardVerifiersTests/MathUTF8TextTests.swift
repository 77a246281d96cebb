import Foundation
import Testing
@testable import RewardVerifiers

/// The byte-level stand-ins for Foundation's trimming and `contains` must give Foundation's
/// results, Unicode spaces included.
@Suite struct MathUTF8TextTests {
    static let samples = [
        "", " ", "42", " 42 ", "\t\n 3/4 \r\n", "\u{00A0}5\u{00A0}", " \u{2009}x = 2\u{3000} ", "\u{0085}7", "a\u{2028}",
        "\u{000B}\u{000C}9", "é", " é ", "x\u{0301} ", "\n\n", "\u{FEFF}1", "\u{200B}2", " \\frac{1}{2}\t",
    ]

    @Test func trimmedMatchesFoundation() {
        for s in Self.samples {
            #expect(UTF8Text.trimmed(s) == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(s.unicodeScalars))")
            #expect(UTF8Text.trimmed(s, newlines: false) == s.trimmingCharacters(in: .whitespaces), "\(Array(s.unicodeScalars))")
        }
    }

    @Test func extractorTrimMatchesFoundation() {
        for s in Self.samples {
            let b = Array(s.utf8)
            #expect(AnswerExtractor.str(b, 0..<b.count) == s.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func containsMatchesFoundation() {
        for (s, n) in [("a \\boxed{1}", "\\boxed"), ("\\box", "\\boxed"), ("1, 2, ..., 9", ".."), ("####", "####"), ("", "..")] {
            #expect(UTF8Text.contains(s, "\\boxed") == s.contains("\\boxed"))
            #expect(UTF8Text.contains(s, "..") == s.contains(".."))
            #expect(UTF8Text.contains(s, "####") == s.contains("####"))
            _ = n
        }
    }

    @Test func listAndSeparatorGapsOnBytes() {
        let b = Array("$1$ , AND $2$ or x= $3$".utf8)
        #expect(AnswerExtractor.listGap(b, 3..<10))          // " , AND "
        #expect(AnswerExtractor.listGap(Array(" Or ".utf8), 0..<4))
        #expect(!AnswerExtractor.listGap(Array(" then ".utf8), 0..<6))
        #expect(AnswerExtractor.separatorsOnly(Array(", and x_2=".utf8), 0..<10))
        #expect(!AnswerExtractor.separatorsOnly(Array(" so ".utf8), 0..<4))
        #expect(AnswerExtractor.separatorsOnly(Array(" \\quad ".utf8), 0..<7))
        #expect(!AnswerExtractor.separatorsOnly(Array("(p,q)=".utf8), 0..<6))
    }
}
