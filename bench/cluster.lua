-- wrk script of bench/cluster.sh: GET /api/v1/verify/SERIAL?s=TOKEN of a random certificate of
-- the file named after "--" (lines "SERIAL LINK" as `tmcred-ctl cert-import-many` prints them).
-- Prints one RESULT line like bench/verify.lua.
local reqs = {}
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

function init(args)
    math.randomseed(os.time() * 100 + (thread_no or 0))
    for line in io.lines(args[1]) do
        local serial, token = line:match("^(%S+) %S+/([A-Z2-7]+)$")
        assert(serial, "bad line in " .. args[1] .. ": " .. line)
        reqs[#reqs + 1] = "/api/v1/verify/" .. serial .. "?s=" .. token
    end
    assert(#reqs > 0, "no links in " .. args[1])
end

function request()
    return wrk.format("GET", reqs[math.random(#reqs)])
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.timeout, e.status))
end
