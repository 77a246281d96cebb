import Foundation
import Testing
@testable import RewardServer
import RewardCore

/// A real reward (reads the `score` field) that also records the batch sizes it was called with.
struct RecordingReward: RewardFunction {
    let calls = Locked<[Int]>([])
    var kind: String { "field" }
    func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        calls.withLock { $0.append(samples.count) }
        try await Task.sleep(for: .milliseconds(20))  // a forward pass takes time; requests pile up meanwhile
        return FieldReward(field: "score").scoreSync(samples, context: context)
    }
}

func sample(_ score: Double) -> Sample {
    Sample(response: "r", fields: JSONObject(["score": .number(score)]))
}

@Suite struct ServerPartsTests {
    @Test func promptSplit() {
        #expect(PromptSplit.response(query: "Q: 1+1?\nA: 2", prompt: "Q: 1+1?\nA: ") == ("2", true))
        #expect(PromptSplit.response(query: "<s>Q: x A: 2", prompt: "Q: x A: ") == ("2", true))
        #expect(PromptSplit.response(query: "only text", prompt: "missing") == ("only text", false))
        #expect(PromptSplit.response(query: "only text", prompt: "") == ("only text", false))
        #expect(PromptSplit.response(query: "é🙂 réponse", prompt: "é🙂 ") == ("réponse", true))
        // End tokens decoded after the response are dropped; other trailing text is kept as is.
        #expect(PromptSplit.response(query: "P: <a>4</a><|im_end|>\n<|endoftext|>", prompt: "P: ") == ("<a>4</a>", true))
        #expect(PromptSplit.response(query: "P: 4 \n", prompt: "P: ") == ("4 \n", true))
        #expect(PromptSplit.response(query: "P: 4</s>", prompt: "P: ") == ("4", true))
        // Byte-wise end-token removal: Unicode line breaks and CRLF between tokens, non-ASCII text before them.
        #expect(PromptSplit.stripEndTokens("é🙂 4<|im_end|>\r\n\u{2028}<｜end▁of▁sentence｜>\u{85} ") == "é🙂 4")
        #expect(PromptSplit.stripEndTokens("4</s>x") == "4</s>x")
        #expect(PromptSplit.stripEndTokens("4 \n") == "4 \n")
        #expect(PromptSplit.stripEndTokens("<eos>") == "")
    }

    @Test func bearerAuth() {
        #expect(BearerAuth.matches(header: "Bearer k3y", key: "k3y"))
        #expect(!BearerAuth.matches(header: "Bearer k3", key: "k3y"))
        #expect(!BearerAuth.matches(header: "Bearer k3yy", key: "k3y"))
        #expect(!BearerAuth.matches(header: "Basic k3y", key: "k3y"))
        #expect(!BearerAuth.matches(header: nil, key: "k3y"))
    }

    @Test func deadlineReturnsWhatWasDone() async {
        // Slice 1 is immediate, slices 2–5 take 900 s each, the deadline is 3 s: the answer comes at the
        // deadline with slice 1 only. The margins are wide because the parallel suite runs engine tests
        // on the same 2 cores and task wake-ups lag by many seconds; a runner that waited for the
        // slices would take ≥ 3600 s; the suite has been seen to starve wake-ups for 140 s, hence 400 s.
        let t0 = ContinuousClock.now
        let out = await DeadlineRunner.run([1, 2, 3, 4, 5], until: t0.advanced(by: .seconds(3)), background: BackgroundWork()) { (i: Int) -> [Int] in
            if i > 1 { try await Task.sleep(for: .seconds(900)) }
            return [i]
        }
        guard case .timedOut(let done) = out else { Issue.record("expected a timeout, got \(out)"); return }
        #expect(done.count <= 1)
        #expect(done == Array([1, 2, 3, 4, 5].prefix(done.count)))
        #expect(ContinuousClock.now - t0 < .seconds(400))
        let fast = await DeadlineRunner.run([1, 2], until: ContinuousClock.now.advanced(by: .seconds(5)), background: BackgroundWork()) { [$0 * 10] }
        guard case .finished(let all) = fast else { Issue.record("expected finished"); return }
        #expect(all == [10, 20])
    }

    /// A slice the deadline cut off keeps running after the answer; shutdown's drain waits for it.
    @Test func cutOffSliceIsTrackedAndDrained() async {
        let background = BackgroundWork()
        let finished = Locked(false)
        let out = await DeadlineRunner.run([1, 2], until: ContinuousClock.now.advanced(by: .milliseconds(200)),
                                           background: background) { (i: Int) -> [Int] in
            if i == 2 {
                try await Task.sleep(for: .seconds(2))
                finished.withLock { $0 = true }
            }
            return [i]
        }
        // On a starved machine the whole run may beat the timer; the drain contract holds either way.
        _ = out
        #expect(await background.drain(timeout: .seconds(400)) == 0)
        #expect(finished.withLock { $0 })
        #expect(background.count == 0)
    }

    @Test func batcherMergesConcurrentRequests() async throws {
        let reward = RecordingReward()
        let metrics = ServerMetrics(inFlight: { 0 })
        let batcher = ModelBatcher(reward: reward, maxBatch: 32, maxWait: .seconds(1800), metrics: metrics)
        // 16 concurrent requests of 2 samples each: one forward of 32 samples, each request gets its own
        // slice, and the full batch goes at once instead of waiting out maxWait.
        let t0 = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (Int, [Double]).self) { g in
            for r in 0..<16 {
                g.addTask { (r, try await batcher.score([sample(Double(r)), sample(Double(r) + 0.5)]).map(\.reward)) }
            }
            var out = [[Double]](repeating: [], count: 16)
            for try await (r, v) in g { out[r] = v }
            return out
        }
        for r in 0..<16 { #expect(results[r] == [Double(r), Double(r) + 0.5]) }
        #expect(reward.calls.withLock { $0 } == [32])
        #expect(ContinuousClock.now - t0 < .seconds(400))  // waiting out maxWait would take 1800 s
        #expect(metrics.text.contains("rewardkit_batch_size_count 1\n"))
        #expect(metrics.text.contains("rewardkit_batch_queue_depth 0\n"))
    }

    @Test func batcherRespectsMaxBatch() async throws {
        let reward = RecordingReward()
        let batcher = ModelBatcher(reward: reward, maxBatch: 8, maxWait: .milliseconds(30), metrics: ServerMetrics(inFlight: { 0 }))
        try await withThrowingTaskGroup(of: Void.self) { g in
            for _ in 0..<10 { g.addTask { _ = try await batcher.score([sample(1), sample(2), sample(3)]) } }
            try await g.waitForAll()
        }
        let calls = reward.calls.withLock { $0 }
        #expect(calls.reduce(0, +) == 30)
        #expect(calls.allSatisfy { $0 <= 8 })
        #expect(calls.count < 10)
    }

    @Test func metricsText() {
        let m = ServerMetrics(inFlight: { 3 })
        m.request(route: "/get_reward", status: 200, seconds: 0.002)
        m.request(route: "/get_reward", status: 200, seconds: 0.2)
        let t = m.text
        #expect(t.contains("rewardkit_http_requests_total{route=\"/get_reward\",status=\"200\"} 2\n"))
        #expect(t.contains("rewardkit_http_request_duration_seconds_bucket{route=\"/get_reward\",le=\"0.0025\"} 1\n"))
        #expect(t.contains("rewardkit_http_request_duration_seconds_bucket{route=\"/get_reward\",le=\"+Inf\"} 2\n"))
        #expect(t.contains("rewardkit_in_flight_requests 3\n"))
    }
}
