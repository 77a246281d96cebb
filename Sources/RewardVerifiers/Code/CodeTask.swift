import Foundation
import RewardCore

/// One test: what the jail sees (`input`, or `code` for assert tests) and what only the parent
/// sees (`expected`).
public struct CodeTestCase: Sendable, Hashable {
    public var input: String
    public var expected: String
    /// Assert code for program tests (HumanEval `test`, one MBPP assert).
    public var code: String
    public init(input: String = "", expected: String = "", code: String = "") {
        self.input = input
        self.expected = expected
        self.code = code
    }
}

/// A sample turned into something runnable: the program and its tests.
public struct CodeTask: Sendable {
    public enum Mode: String, Sendable {
        /// The benchmark's asserts run after the program (HumanEval, MBPP).
        case program
        /// stdin → stdout per test (APPS, CodeContests, LiveCodeBench stdin tests).
        case stdio
        /// `fn_name(*json_args)` per test, result compared as JSON (LiveCodeBench functional, APPS fn_name).
        case call
    }

    public var mode: Mode
    public var code: String
    public var tests: [CodeTestCase]
    public var entryPoint: String?
    public var fnName: String?

    /// Reads the record fields named in issue 13. `code` is the extracted program.
    /// Throws a message naming the field when the record has no usable tests.
    public static func from(fields f: JSONObject, prompt: String, code: String) throws -> CodeTask {
        func str(_ k: String) throws -> String? {
            guard let v = f[k], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw SandboxError("field '\(k)' must be a string, got \(v.typeName)") }
            return s
        }
        // HumanEval: prompt + completion, then the benchmark's check(entry_point).
        if let test = try str("test"), let ep = try str("entry_point") {
            let p = try str("prompt") ?? prompt
            // A completion that restates the function is appended to the prompt (the later def
            // wins, and helpers defined in the prompt stay available); a bare body continues it.
            let program = code.contains("def \(ep)(") ? p + "\n\n" + code : p + code
            return CodeTask(mode: .program, code: program, tests: [CodeTestCase(code: test)], entryPoint: ep)
        }
        // MBPP: setup code, the completion cut at `if __name__ ==`, then one test per assert.
        if let v = f["test_list"] {
            guard let list = v.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) else {
                throw SandboxError("field 'test_list' must be a non-empty list of strings")
            }
            var body = code
            if let r = body.range(of: "if __name__ ==") { body = String(body[..<r.lowerBound]) }
            let setup = try str("test_setup_code") ?? ""
            return CodeTask(mode: .program, code: setup + "\n" + body,
                            tests: list.map { CodeTestCase(code: $0.stringValue!) })
        }
        // stdin/stdout or call-based, in any of the usual spellings.
        var fn = try str("fn_name") ?? str("func_name")
        if fn == nil, let meta = f["metadata"] {
            let m: JSONObject? = meta.objectValue ?? meta.stringValue.flatMap { try? JSONParser.parse($0) }?.objectValue
            fn = m?["func_name"]?.stringValue
        }
        var tests: [CodeTestCase] = []
        func text(_ v: JSONValue, _ what: String) throws -> String {
            switch v {
            case .string(let s): return s
            case .array(let a) where a.allSatisfy({ $0.stringValue != nil }):
                return a.map { $0.stringValue! }.joined(separator: "\n")  // APPS: a list of lines
            default:
                // Call-based tests sometimes carry JSON values instead of text.
                if fn != nil { return v.jsonString }
                throw SandboxError("\(what) must be a string, got \(v.typeName)")
            }
        }
        func pairs(_ ins: JSONValue?, _ outs: JSONValue?, _ name: String) throws {
            guard let ins, let outs else { return }
            guard let a = ins.arrayValue, let b = outs.arrayValue else {
                throw SandboxError("field '\(name)': inputs and outputs must be lists")
            }
            guard a.count == b.count else {
                throw SandboxError("field '\(name)': \(a.count) inputs but \(b.count) outputs")
            }
            for (i, (x, y)) in zip(a, b).enumerated() {
                tests.append(CodeTestCase(input: try text(x, "\(name) input \(i)"), expected: try text(y, "\(name) output \(i)")))
            }
        }
        var source = f
        // APPS keeps tests in a JSON string `input_output`.
        if let io = try str("input_output") {
            guard let o = (try? JSONParser.parse(io))?.objectValue else { throw SandboxError("field 'input_output' is not a JSON object") }
            source = o
            if fn == nil { fn = o["fn_name"]?.stringValue }
        }
        try pairs(source["inputs"], source["outputs"], "inputs/outputs")
        if let t = f["tests"] ?? f["public_test_cases"] {
            let arr: [JSONValue]? = t.arrayValue ?? t.stringValue.flatMap { try? JSONParser.parse($0) }?.arrayValue
            guard let arr else { throw SandboxError("field 'tests' must be a list of {input, output}") }
            for (i, item) in arr.enumerated() {
                guard let o = item.objectValue, let x = o["input"], let y = o["output"] else {
                    throw SandboxError("field 'tests': item \(i) must be {input, output}")
                }
                if fn == nil, o["testtype"]?.stringValue == "functional" {
                    throw SandboxError("field 'tests': item \(i) is functional but no 'fn_name' (or metadata.func_name) is given")
                }
                tests.append(CodeTestCase(input: try text(x, "tests[\(i)].input"), expected: try text(y, "tests[\(i)].output")))
            }
        }
        for k in ["public_tests", "private_tests", "generated_tests"] {
            if let o = f[k]?.objectValue { try pairs(o["input"], o["output"], k) }
        }
        guard !tests.isEmpty else {
            throw SandboxError("no tests: give 'test' + 'entry_point', 'test_list', 'inputs'/'outputs', 'tests' or 'input_output'")
        }
        return CodeTask(mode: fn == nil ? .stdio : .call, code: code, tests: tests, fnName: fn)
    }
}
