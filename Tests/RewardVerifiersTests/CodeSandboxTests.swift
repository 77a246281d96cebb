import Foundation
import Testing
import RewardCore
@testable import RewardVerifiers
#if canImport(Glibc)
import Glibc
#endif

/// Real jail, real Python: these need root (per-slot uids, namespaces), as CI has.
enum SandboxTestSupport {
    static let isRoot = geteuid() == 0

    static func reward(_ fields: JSONObject = [:]) throws -> CodeReward {
        var f = fields
        if f["timeout"] == nil { f["timeout"] = 1.5 }
        if f["workers"] == nil { f["workers"] = 8 }
        var o = ComponentOptions(name: "code", type: "code", fields: f)
        let r = try CodeReward(options: &o)
        try o.finish()
        return r
    }

    static func sample(_ response: String, _ fields: JSONObject) -> Sample {
        var f = fields
        f["response"] = .string(response)
        return Sample(response: response, fields: f)
    }

    static func humanEval() throws -> [Sample] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/code/humaneval_subset", withExtension: "jsonl"))
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let o = try #require(try JSONParser.parse(String(line)).objectValue)
            return Sample(prompt: .text(o["prompt"]!.stringValue!), response: o["response"]!.stringValue!, fields: o)
        }
    }

    /// Processes owned by the hostile test's sandbox uids (62000…62063) still alive anywhere.
    static func survivors() -> [String] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }.compactMap { pid in
            guard let st = try? fm.attributesOfItem(atPath: "/proc/\(pid)"),
                  let uid = (st[.ownerAccountID] as? NSNumber)?.intValue, (62000..<62064).contains(uid) else { return nil }
            return "\(pid) uid \(uid)"
        }
    }

    static func leftoverDirs() -> [String] {
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let prefix = "rewardkit-sbx-\(getpid())-"
        return ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix(prefix) }
    }
}

@Suite struct CodeComparisonTests {
    @Test func lcbIsExactPerLineWithDecimalTokens() {
        let c = OutputComparison.lcb
        #expect(c.matches("1 2\n3\n", "  1 2 \n3"))
        #expect(c.matches("0.50\n", "0.5"))
        #expect(!c.matches("0.5000001", "0.5"))
        #expect(!c.matches("1\n2", "1 2"))
        #expect(!c.matches("YES", "yes"))
        #expect(!c.matches("1\n\n2", "1\n2"))
    }

    @Test func sandboxFusionIsLenient() {
        let c = OutputComparison.sandboxfusion
        #expect(c.matches("YES\n", "yes"))
        #expect(c.matches("1.000001", "1.0"))
        #expect(!c.matches("1.1", "1.0"))
    }

    @Test func exactOnlyDropsTrailingNewlines() {
        #expect(OutputComparison.exact.matches("a b\n\n", "a b"))
        #expect(!OutputComparison.exact.matches("a b ", "a b"))
    }

    @Test func callResultsCompareAsJSON() throws {
        #expect(JSONValue.callResultMatches(try JSONParser.parse("[1, 2.0]"), try JSONParser.parse("[1.0, 2]")))
        #expect(!JSONValue.callResultMatches(try JSONParser.parse("[1, 2]"), try JSONParser.parse("[2, 1]")))
        #expect(!JSONValue.callResultMatches(try JSONParser.parse("true"), try JSONParser.parse("1")))
    }

    @Test func extractionTakesTheLastFencedBlock() {
        let r = "first\n```python\nprint(1)\n```\ntext\n```py\nprint(2)\n```\n"
        #expect(CodeExtraction.lastBlock.extract(from: r) == "print(2)")
        #expect(CodeExtraction.firstBlock.extract(from: r) == "print(1)")
        #expect(CodeExtraction.lastBlock.extract(from: "x = 1") == "x = 1")
        #expect(CodeExtraction.lastBlock.extract(from: "x = 1", requireBlock: true) == nil)
        #expect(CodeExtraction.lastBlock.extract(from: "```python\nprint(3)") == "print(3)")
    }

    @Test func recordFormats() throws {
        let stdio = try CodeTask.from(fields: ["inputs": ["1\n", "2\n"], "outputs": ["2", "4"]], prompt: "", code: "x")
        #expect(stdio.mode == .stdio && stdio.tests.count == 2 && stdio.tests[1].expected == "4")
        let call = try CodeTask.from(fields: ["tests": [["input": "[1, 2]", "output": "3"]], "fn_name": "add"], prompt: "", code: "x")
        #expect(call.mode == .call && call.fnName == "add")
        let mbpp = try CodeTask.from(fields: ["test_list": ["assert f(1) == 1", "assert f(2) == 2"]], prompt: "", code: "def f(x): return x\nif __name__ == '__main__':\n    pass")
        #expect(mbpp.mode == .program && mbpp.tests.count == 2 && !mbpp.code.contains("__main__"))
        let cc = try CodeTask.from(fields: ["public_tests": ["input": ["1"], "output": ["1"]], "private_tests": ["input": ["2"], "output": ["2"]]], prompt: "", code: "x")
        #expect(cc.tests.count == 2)
        #expect(throws: (any Error).self) { try CodeTask.from(fields: ["inputs": ["1"], "outputs": []], prompt: "", code: "x") }
        #expect(throws: (any Error).self) { try CodeTask.from(fields: [:], prompt: "", code: "x") }
    }
}

@Suite(.enabled(if: SandboxTestSupport.isRoot, "the jail needs root"), .serialized)
struct CodeSandboxTests {
    @Test func humanEvalCanonicalSolutionsPassAndBrokenOnesFail() async throws {
        let r = try SandboxTestSupport.reward(["timeout": 5])
        let good = try SandboxTestSupport.humanEval()
        var bad = good
        for i in bad.indices { bad[i].response = "    return None\n" }
        let res = try await r.score(good + bad)
        for (i, x) in res.prefix(good.count).enumerated() {
            #expect(x.reward == 1, "\(good[i].fields["task_id"]!): \(x.diagnostics.text)")
        }
        for x in res.suffix(bad.count) {
            #expect(x.reward == 0)
            #expect(x.diagnostics["status"]?.stringValue == "wrong_answer")
        }
        #expect(res[0].diagnostics["isolation"]?.stringValue?.hasPrefix("uid,rlimits,pidns,netns,mntns,seccomp") == true)
    }

    @Test func stdioCallAndMBPPModes() async throws {
        let frac = try SandboxTestSupport.reward(["reward": "fraction", "warm": false])  // one jail per sample
        let stdioFields: JSONObject = ["inputs": ["1 2\n", "5 7\n", "0 0\n"], "outputs": ["3", "12", "1"]]
        let code = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
        let callFields: JSONObject = ["tests": [["input": "[1, 2]\n3", "output": "[1, 2, 3]"], ["input": "[]\n0", "output": "[0]"]], "fn_name": "push"]
        let solClass = "class Solution:\n    def push(self, xs, x):\n        return tuple(xs + [x])\n"
        let mbpp: JSONObject = ["test_list": ["assert sq(2) == 4", "assert sq(3) == 9", "assert sq(4) == 15"]]
        let res = try await frac.score([
            SandboxTestSupport.sample(code, stdioFields),
            SandboxTestSupport.sample("```python\n" + solClass + "```", callFields),
            SandboxTestSupport.sample("def sq(x):\n    return x * x\n", mbpp),
        ])
        #expect(abs(res[0].reward - 2.0 / 3.0) < 1e-12, "\(res[0].diagnostics.text)")
        #expect(res[1].reward == 1, "\(res[1].diagnostics.text)")
        #expect(abs(res[2].reward - 2.0 / 3.0) < 1e-12, "\(res[2].diagnostics.text)")
        let tests = try #require(res[0].diagnostics["tests"]?.arrayValue)
        #expect(tests.map { $0["status"]?.stringValue } == ["passed", "passed", "failed"])
        // first_k scores only the first k tests; binary needs all.
        let firstK = try SandboxTestSupport.reward(["reward": "first_k", "k": 2])
        #expect(try await firstK.score([SandboxTestSupport.sample(code, stdioFields)])[0].reward == 1)
        let binary = try SandboxTestSupport.reward()
        #expect(try await binary.score([SandboxTestSupport.sample(code, stdioFields)])[0].reward == 0)
    }

    /// Every hostile program of issue 13 in one parallel batch with a well-behaved sample: each
    /// scores 0 with the expected verdict, the good one still passes, and nothing is left behind.
    @Test func hostilePrograms() async throws {
        // The test's own loopback listener: nothing may reach it.
        let lfd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(lfd >= 0)
        defer { close(lfd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(lfd, $0, len) } }
        listen(lfd, 8)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(lfd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        _ = fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK)

        let marker = "rk-hostile-\(getpid())"
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let he: JSONObject = ["prompt": "def f(x):\n", "test": "def check(c):\n    assert c(2) == 4\n    assert c(3) == 9\n", "entry_point": "f"]
        let io: JSONObject = ["inputs": ["3\n"], "outputs": ["9"]]
        let cases: [(String, String, JSONObject, [String])] = [
            ("good", "    return x * x\n", he, ["passed"]),
            ("infinite loop", "    while True: pass\n", he, ["timeout"]),
            ("ignores SIGXCPU and SIGTERM", "    import signal\n    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True: pass\n", he, ["timeout"]),
            ("sleep forever", "    import time\n    time.sleep(1e9)\n", he, ["timeout"]),
            ("fork bomb", "    import os\n    for _ in range(2000):\n        try:\n            os.fork()\n        except OSError:\n            pass\n    while True: pass\n", he, ["timeout", "runtime_error"]),
            ("memory hog", "    b = bytearray(8 << 30)\n    return x * x\n", he, ["memory_limit"]),
            ("1 GB of output", "import sys\nchunk = 'x' * 65536\nfor _ in range(16384):\n    sys.stdout.write(chunk)\n", io, ["output_limit"]),
            ("stderr forever", "import sys\nwhile True:\n    sys.stderr.write('y' * 65536)\n", io, ["output_limit"]),
            ("network connect", "    import socket\n    socket.create_connection(('127.0.0.1', \(port)), timeout=1).sendall(b'hi')\n    return x * x\n", he, ["runtime_error"]),
            ("write outside the temp dir", """
                    import os
                    for d in ['\(repo)', '/root', '/etc', '/var/tmp', '/dev/shm', '/tmp', '..', '/tmp/w']:
                        try:
                            open(os.path.join(d, '\(marker)'), 'w').write('x')
                        except OSError:
                            pass
                    assert False

                """, he, ["wrong_answer"]),
            ("read the answers and other samples", """
                import glob, os
                found = []
                for pat in ['/tmp/rewardkit-sbx-*/*', '/tmp/*', '../*', '/proc/*/environ', '/proc/1/cwd/*', '/tmp/w/*']:
                    for p in glob.glob(pat):
                        try:
                            found.append(open(p).read(100))
                        except OSError:
                            pass
                print('9' if any(f.strip() == '9' for f in found) else 'nothing')

                """, io, ["wrong_answer"]),
            ("setsid sleep-forever grandchild", "    import os, time\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(1e9)\n        os._exit(0)\n    return x + 1\n", he, ["wrong_answer"]),
            ("kill the parent", "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(-1, signal.SIGKILL)\n    return x * x\n", he, ["runtime_error"]),
            ("os._exit(0) before the tests", "    return x * x\nimport os\nos._exit(0)\n", he, ["wrong_answer"]),
            ("sys.exit(0) before the tests", "    return x * x\nimport sys\nsys.exit(0)\n", he, ["runtime_error", "wrong_answer"]),
            ("always-equal object", "    class E:\n        def __eq__(self, o): return True\n    return E()\n", he, ["wrong_answer"]),
            ("always-equal int subclass", "    class E(int):\n        def __eq__(self, o): return True\n        __hash__ = int.__hash__\n    return E(0)\n", he, ["wrong_answer"]),
            ("deep recursion", "    import sys\n    sys.setrecursionlimit(10 ** 8)\n    def r(n): return r(n + 1)\n    return r(0)\n", he, ["runtime_error", "memory_limit", "timeout"]),
        ]
        // Own uid range, so the survivor check cannot see other tests' jails (CLI tests run in parallel).
        let r = try SandboxTestSupport.reward(["workers": 6, "uid_base": 62000])
        let samples = cases.map { c in
            var f = c.2
            if f["prompt"] != nil { return Sample(prompt: .text(f["prompt"]!.stringValue!), response: c.1, fields: { f["response"] = .string(c.1); return f }()) }
            return SandboxTestSupport.sample(c.1, f)
        }
        let t0 = Date()
        let res = try await r.score(samples)
        let elapsed = Date().timeIntervalSince(t0)
        for (c, x) in zip(cases, res) {
            let status = x.diagnostics["status"]?.stringValue ?? "?"
            if c.0 == "good" {
                #expect(x.reward == 1, "\(c.0): \(x.diagnostics.text)")
            } else {
                #expect(x.reward == 0, "\(c.0): \(x.diagnostics.text)")
            }
            #expect(c.3.contains(status), "\(c.0): status \(status): \(x.diagnostics.text)")
            let wall = x.diagnostics["tests"]?.arrayValue?.first?["wall_ms"]?.doubleValue ?? -1
            print("hostile | \(c.0) | \(status) | \(Int(wall)) ms")
        }
        print("hostile batch: \(cases.count) samples in \(String(format: "%.1f", elapsed)) s")
        // Nothing reached the listener, nothing was written, nothing survived (once the warm
        // jails, which are meant to outlive a batch, are stopped).
        WarmJails.shared.closeAll()
        #expect(accept(lfd, nil, nil) < 0)
        for d in [repo, "/root", "/etc", "/var/tmp", "/dev/shm", "/tmp"] {
            #expect(!FileManager.default.fileExists(atPath: d + "/" + marker), "wrote \(d)/\(marker)")
        }
        // A killed namespace is torn down asynchronously by the kernel: allow it 3 s.
        var left = SandboxTestSupport.survivors()
        for _ in 0..<30 where !left.isEmpty {
            try await Task.sleep(nanoseconds: 100_000_000)
            left = SandboxTestSupport.survivors()
        }
        #expect(left.isEmpty, "\(left)")
        #expect(SandboxTestSupport.leftoverDirs().isEmpty, "\(SandboxTestSupport.leftoverDirs())")
        #expect(elapsed < 60)
    }

    /// Samples that share a warm jail (one worker, one slot) must not see each other's files.
    @Test func warmSlotIsWipedBetweenSamples() async throws {
        let r = try SandboxTestSupport.reward(["workers": 1, "uid_base": 62100])
        let io: JSONObject = ["inputs": [""], "outputs": ["clean"]]
        let plant = "import os\nfor d in ['/tmp', '/dev/shm', '/var/tmp', '.']:\n    try:\n        open(os.path.join(d, 'planted'), 'w').write('x')\n    except OSError:\n        pass\nprint('clean')\n"
        let look = "import glob\nprint('clean' if not glob.glob('/tmp/**/planted', recursive=True) + glob.glob('/dev/shm/planted') + glob.glob('/var/tmp/planted') else 'leaked')\n"
        let res = try await r.score([SandboxTestSupport.sample(plant, io), SandboxTestSupport.sample(look, io)])
        #expect(res.map(\.reward) == [1, 1], "\(res.map { $0.diagnostics.text })")
        #expect(res[1].diagnostics["isolation"]?.stringValue?.hasSuffix(",warm") == true)
        WarmJails.shared.closeAll()
    }

    @Test func launcherRefusesWhenALayerIsOff() async throws {
        let sb = try Sandbox(policy: .strict)
        var l = SandboxLimits()
        l.timeout = 1
        // --no-seccomp with --strict must refuse, never run unjailed.
        var strictOff = sb
        strictOff.extraLauncherArgs = ["--no-seccomp"]
        let rep = try await strictOff.run(slot: 63, files: [:], stdin: [], argv: ["/usr/bin/true"], limits: l, cpuSeconds: 1, wallMs: 5000)
        #expect(rep.status == "sandbox_error")
        #expect(rep.error?.contains("seccomp") == true)
    }
}

extension JSONObject {
    /// Diagnostics as one JSON line, for failure messages.
    var text: String { JSONValue.object(self).jsonString }
}
