-- wrk script: POST a JSON body from a file; optional fixed per-connection delay (ms) to
-- hold a target rate below saturation; prints one JSON line of results at the end.
-- usage: wrk ... -s wrk_post.lua URL -- BODY_FILE [DELAY_MS]
-- A BODY_FILE with several lines sends them in turn (distinct requests, so no cache can help).
local delay_ms = 0
local bodies = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then n = n + 1; bodies[n] = line end
  end
  wrk.body = bodies[1]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  delay_ms = tonumber(args[2] or "0")
end
local i = 0
function request()
  if n <= 1 then return wrk.format() end
  i = i % n + 1
  return wrk.format(nil, nil, nil, bodies[i])
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
