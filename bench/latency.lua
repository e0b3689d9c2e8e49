-- wrk script: stop after a number of requests (first argument, 0 for no limit) and print one
-- JSON line with the throughput and latency percentiles (microseconds) when done.
--   wrk -t1 -c2 -d6s -s bench/latency.lua http://127.0.0.1:8000/ -- 20000

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  limit = tonumber(args[1]) or 0
  sent = 0
end

function request()
  sent = sent + 1
  if limit > 0 and sent > limit then
    wrk.thread:stop()
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "bad_status": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
