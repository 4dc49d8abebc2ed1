-- wrk script of the benchmark: POSTs one event file and prints one
-- machine-readable line of results at the end.
--
-- Environment:
--   BENCH_BODY   the file to POST (the seed appointment.created event)
--   BENCH_SIG    an Eka-Webhook-Signature value to send, if set
--   BENCH_CONNS  the -c given to wrk (to undo its latency correction)
--   BENCH_OUT    the file the result line is appended to
--
-- wrk 4.1 "corrects" its latency histogram for coordinated omission
-- before it prints it or hands it to done(): for every sample at least
-- twice the mean interval e = duration / (requests / connections) it
-- adds made-up samples at n - e, n - 2e, ... down to e.  One machine
-- stall then dominates the tail.  done() undoes that exactly, so the
-- percentiles below are those of the requests really made; the sum of
-- the recovered counts must equal the number of requests.

local f = assert(io.open(assert(os.getenv("BENCH_BODY"), "BENCH_BODY"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local sig = os.getenv("BENCH_SIG")
if sig ~= nil and sig ~= "" then
	wrk.headers["Eka-Webhook-Signature"] = sig
end

-- The made-up samples added to the histogram, undone (see above).
local function raw_counts(latency, e)
	local data, keys = {}, {}
	for i = 1, #latency do
		local v, c = latency(i)
		if c > 0 then
			data[v] = c
			keys[#keys + 1] = v
		end
	end
	table.sort(keys)
	local raw, synth = {}, {}
	for i = #keys, 1, -1 do
		local n = keys[i]
		local s = 0
		if e > 0 and n > e then
			-- Everything real at n + k*e (k >= 1) added one here.
			s = (raw[n + e] or 0) + (synth[n + e] or 0)
		end
		synth[n] = s
		raw[n] = data[n] - s
	end
	return raw, keys
end

local function percentile(raw, keys, total, p)
	local want = math.ceil(total * p / 100)
	local seen = 0
	for _, v in ipairs(keys) do
		seen = seen + raw[v]
		if seen >= want then
			return v
		end
	end
	return keys[#keys] or 0
end

done = function(summary, latency, requests)
	local conns = tonumber(os.getenv("BENCH_CONNS") or "1")
	local n = summary.requests
	local e = 0
	if conns > 0 and math.floor(n / conns) > 0 then
		e = math.floor(summary.duration / math.floor(n / conns))
	end
	local raw, keys = raw_counts(latency, e)
	local total = 0
	for _, v in ipairs(keys) do
		total = total + raw[v]
	end
	local errs = summary.errors
	local line = string.format(
	    "requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d " ..
	    "max_us=%d non2xx=%d errors=%d hist_total=%d",
	    n, summary.duration, n * 1e6 / summary.duration,
	    percentile(raw, keys, total, 50), percentile(raw, keys, total, 99),
	    keys[#keys] or 0, errs.status,
	    errs.connect + errs.read + errs.write + errs.timeout, total)
	local out = os.getenv("BENCH_OUT")
	if out ~= nil and out ~= "" then
		local o = assert(io.open(out, "a"))
		o:write(line, "\n")
		o:close()
	end
	io.write(line, "\n")
end
