import Foundation
import Testing
@testable import RewardEngine

/// The Jinja subset: byte-for-byte renders of the real chat templates against transformers'
/// `apply_chat_template(tokenize=False)` (fixtures/hf/templates.json), unit tests of the
/// language, and errors for unsupported or broken templates.
@Suite("Jinja chat templates")
struct JinjaTemplateTests {
    static func render(_ src: String, _ vars: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplateJinja(src).render(variables: vars)
    }

    static func error(_ src: String, _ vars: [String: JinjaValue] = [:]) -> String {
        do { return "rendered: " + (try render(src, vars)) } catch { return "\(error)" }
    }

    static func obj(_ v: JinjaValue) -> JinjaObject {
        if case .object(let o) = v { return o }
        return JinjaObject()
    }

    @Test func realTemplatesRenderLikeTransformers() throws {
        let text = String(decoding: try Data(contentsOf: try Fixture.url("hf/templates.json")), as: UTF8.self)
        let root = Self.obj(try JinjaValue.parseJSON(text))
        let convs = Self.obj(root["conversations"]!)
        guard case .array(let renders)? = root["renders"] else { Issue.record("no renders"); return }
        #expect(renders.count >= 60)
        var seen = Set<String>()
        var failures: [String] = []
        for r in renders.map(Self.obj) {
            guard case .string(let file)? = r["template"], case .string(let conv)? = r["conversation"],
                  case .array(let msgs)? = convs[conv] else { Issue.record("bad fixture entry"); continue }
            let src = String(decoding: try Data(contentsOf: try Fixture.url("hf/templates/\(file)")), as: UTF8.self)
            let tpl = try ChatTemplateJinja(src)
            var special: [String: String] = [:]
            for (k, v) in Self.obj(r["special_tokens"]!).pairs { if case .string(let s) = v { special[k] = s } }
            var extra: [String: JinjaValue] = [:]
            for (k, v) in Self.obj(r["extra"]!).pairs { extra[k] = v }
            let tools: JinjaValue = r["tools"] == .bool(true) ? root["tools"]! : .none
            let label = "\(file) \(conv) agp=\(r["add_generation_prompt"]!.printed) tools=\(r["tools"]!.printed) \(extra.keys.sorted())"
            do {
                let got = try tpl.render(messages: msgs, addGenerationPrompt: r["add_generation_prompt"]!.isTruthy, tools: tools,
                                         specialTokens: special, extra: extra)
                if case .string(let want)? = r["expected"] {
                    if got != want { failures.append("\(label):\n got \(got.debugDescription)\nwant \(want.debugDescription)") }
                } else {
                    failures.append("\(label): rendered but transformers raised \(r["error"]!.printed)")
                }
            } catch {
                if case .string = r["expected"] { failures.append("\(label): \(error)") }
            }
            seen.insert(file)
        }
        #expect(failures.isEmpty, "\(failures.count) renders differ:\n\(failures.prefix(4).joined(separator: "\n"))")
        #expect(seen.count == 5)
    }

    @Test func whitespaceControlAsTransformers() throws {
        // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before it.
        #expect(try Self.render("{% if true %}\n  a\n  {% endif %}\nb") == "  a\nb")
        #expect(try Self.render("x  {%- if true -%}  y  {%- endif -%}  z") == "xyz")
        #expect(try Self.render("{{ 'a' }}\n{{ 'b' }}") == "a\nb")  // no trim after expressions
        #expect(try Self.render("a {# comment #}\nb") == "a b")
        #expect(try Self.render("  {%+ if true %}x{% endif %}") == "  x")
        #expect(try Self.render("line\n") == "line")  // keep_trailing_newline=False
        #expect(try Self.render("a\r\nb") == "a\nb")
    }

    @Test func expressionsAndPythonSemantics() throws {
        #expect(try Self.render("{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 1 / 2 }} {{ 2 ** 10 }}") == "7 3 -4 1 0.5 1024")
        #expect(try Self.render("{{ 'a' ~ 1 ~ none }} {{ true }} {{ none }} {{ [1, 'x'] }} {{ {'k': 1.0} }}") == "a1None True None [1, 'x'] {'k': 1.0}")
        #expect(try Self.render("{{ x }}|{{ x is defined }}|{{ (x.y is defined) if x is defined else 'u' }}") == "|False|u")
        #expect(try Self.render("{{ 'abc'[::-1] }} {{ [1,2,3][1:] }} {{ [1,2,3][-1] }} {{ 'héllo'[1] }}") == "cba [2, 3] 3 é")
        #expect(try Self.render("{{ 'b' in 'abc' }} {{ 2 not in [1] }} {{ 'k' in {'k': 1} }}") == "True True True")
        #expect(try Self.render("{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}") == "a b|a|['a', 'b', '', 'c']|['a', 'b']")
        #expect(try Self.render("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'aaa'.replace('a', 'b', 2) }}") == "True True bba")
        #expect(try Self.render("{{ 'x' if false }}|{{ 'y' if 0 else 'z' }}|{{ none or 'd' }}|{{ 1 and 2 }}") == "|z|d|2")
    }

    @Test func filtersAndTests() throws {
        let vars: [String: JinjaValue] = ["m": .object(JinjaObject([("b", .int(1)), ("a", .string("é\"\n"))]))]
        #expect(try Self.render("{{ m | tojson }}", vars) == "{\"b\": 1, \"a\": \"é\\\"\\n\"}")
        #expect(try Self.render("{{ m | tojson(indent=2) }}", vars) == "{\n  \"b\": 1,\n  \"a\": \"é\\\"\\n\"\n}")
        #expect(try Self.render("{% for k, v in m | items %}{{ k }}={{ v is number }};{% endfor %}", vars) == "b=True;a=False;")
        #expect(try Self.render("{{ [1,2,3] | join('-') }} {{ ['a','b','a'] | reject('equalto', 'a') | list }} {{ [3,4] | first }}{{ [3,4] | last }}") == "1-2-3 ['b'] 34")
        #expect(try Self.render("{{ '  T  ' | trim | lower }}{{ 'x' | upper }}{{ u | default('d') }}{{ '' | default('e', true) }}") == "tXde")
        #expect(try Self.render("{{ 1 is number }}{{ 'a' is string }}{{ m is mapping }}{{ none is none }}{{ [1] is iterable }}{{ false is false }}", vars) == "TrueTrueTrueTrueTrueTrue")
        #expect(try Self.render("{{ [{'n': 'a'}, {'n': 'b'}] | map(attribute='n') | join }}") == "ab")
    }

    @Test func loopsNamespacesMacros() throws {
        #expect(try Self.render("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}")
            == "1TrueFalse3 2FalseFalse3 3FalseTrue3 ")
        #expect(try Self.render("{% for x in [1,2,3,4] if x is even %}{{ x }}{{ loop.index }}{% endfor %}") == "2142")
        #expect(try Self.render("{% for x in [] %}a{% else %}empty{% endfor %}") == "empty")
        #expect(try Self.render("{% for x in [1,2,3] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}") == "1")
        // set inside a loop does not leak; namespace attributes do.
        #expect(try Self.render("{% set a = 1 %}{% set ns = namespace(b=1) %}{% for x in [5] %}{% set a = x %}{% set ns.b = x %}{% endfor %}{{ a }}{{ ns.b }}") == "15")
        #expect(try Self.render("{% macro m(x, y='d') %}<{{ x }}{{ y }}>{% endmacro %}{{ m(1) }}{{ m(2, y='z') }}") == "<1d><2z>")
        #expect(try Self.render("{% set s %}in{{ 1 }}{% endset %}[{{ s }}]") == "[in1]")
        #expect(try Self.render("{% generation %}g{% endgeneration %}") == "g")
        #expect(try Self.render("{{ strftime_now('%Y') | length }}") == "4")
    }

    @Test func errorsNameConstructAndPosition() {
        #expect(Self.error("a\n{% include 'x' %}").contains("2:1: unsupported statement '{% include %}'"))
        #expect(Self.error("{{ x | wordwrap }}").contains("unsupported filter 'wordwrap'"))
        #expect(Self.error("{{ x is foo }}").contains("unsupported test 'foo'"))
        #expect(Self.error("{{ 'a'.zfill(3) }}").contains("unsupported method 'zfill' on string"))
        #expect(Self.error("{{ raise_exception('bad role') }}").contains("template raised: bad role"))
        #expect(Self.error("{% if true %}x").contains("'{% endif %}'"))
        #expect(Self.error("{{ 'a' ").contains("unclosed '{{'"))
        #expect(Self.error("{{ 'abc }}").contains("unclosed"))
        #expect(Self.error("{{ 1 + }}").contains("expected an expression"))
        #expect(Self.error("{{ 'a' + 1 }}").contains("unsupported operand types for +: string and int"))
        #expect(Self.error("{{ [1][5] }}").contains("out of range"))
        #expect(Self.error("{{ u.x }}").contains("'x' of an undefined value"))
    }

    @Test func hardLimitsStopRunawayTemplates() throws {
        var t = try ChatTemplateJinja("{% for a in r %}{% for b in r %}{% for c in r %}x{% endfor %}{% endfor %}{% endfor %}")
        t.limits.maxLoopIterations = 10_000
        let r = JinjaValue.array((0..<100).map { .int($0) })
        #expect(throws: JinjaError.self) { try t.render(variables: ["r": r]) }
        var big = try ChatTemplateJinja("{% for a in r %}{{ s }}{% endfor %}")
        big.limits.maxOutputBytes = 1 << 20
        #expect(throws: JinjaError.self) { try big.render(variables: ["r": r, "s": .string(String(repeating: "y", count: 20_000))]) }
        let deep = try ChatTemplateJinja("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}")
        #expect(throws: JinjaError.self) { try deep.render(variables: [:]) }
        let nested = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: JinjaError.self) { try ChatTemplateJinja("{{ \(nested) }}") }
    }
}
