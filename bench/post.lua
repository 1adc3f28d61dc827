-- wrk -s bench/post.lua: every request is the same small non-streamed chat completion.
-- The body comes from $BENCH_BODY and extra headers from $BENCH_HEADERS ("Name: value" lines), both set
-- by bench/wrk.ts, so the driver and wrk agree on them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY") or '{"model":"llama3.2:1b","messages":[{"role":"user","content":"Hello"}],"stream":false}'
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

-- Machine-readable summary for bench/run.ts, which merges several short runs: totals, errors, and the
-- latency distribution as a grid of percentiles (microseconds).
local grid = { 0.1, 0.5 }
for p = 1, 99 do grid[#grid + 1] = p end
for _, p in ipairs({ 99.5, 99.9, 99.99 }) do grid[#grid + 1] = p end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH summary %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("BENCH pct 0 %d\n", latency.min))
  for _, p in ipairs(grid) do
    io.write(string.format("BENCH pct %s %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("BENCH pct 100 %d\n", latency.max))
end
