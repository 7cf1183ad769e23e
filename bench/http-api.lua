-- bench/http-api.lua — wrk's script for bench/http-api: the request to send, and one
-- line of results for the shell script to read.
--
-- The request comes from the environment, so that one script serves every measurement:
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     the body of a POST, sent as application/json, the same every time
-- The path is the URL's, given to wrk on its command line.
--
-- When wrk ends, done() prints
--   result requests=N seconds=S rps=R p50_us=A p99_us=B non2xx=N errors=N
-- where errors adds up wrk's connect, read, write and timeout errors and non2xx counts
-- replies that were neither 2xx nor 3xx.  bench/http-api refuses a measurement in which
-- either is not 0: a figure for refused or failed requests is not a figure for the API.
-- Read next: bench/http-api, docs/performance.md.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "result requests=%d seconds=%.3f rps=%.3f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50), latency:percentile(99),
        e.status, e.connect + e.read + e.write + e.timeout))
end
