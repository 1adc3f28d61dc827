-- wrk -s bench/post.lua: every request is the same small non-streamed chat completion.
-- The body comes from $BENCH_BODY (bench/run.ts sets it) so the driver and wrk agree on it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY") or '{"model":"llama3.2:1b","messages":[{"role":"user","content":"Hello"}],"stream":false}'

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
