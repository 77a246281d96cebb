-- wrk script: POST a JSON body from a file; optional fixed per-connection delay (ms) to
-- hold a target rate below saturation; prints one JSON line of results at the end.
-- usage: wrk ... -s wrk_post.lua URL -- BODY_FILE [DELAY_MS]
local delay_ms = 0
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  delay_ms = tonumber(args[2] or "0")
end
function delay()
  return delay_ms
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"non2xx":%d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
