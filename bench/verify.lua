-- wrk script of bench/verify.sh: each request verifies a random certificate of the file named
-- after "--" (lines "SERIAL LINK", as `tmcred-ctl cert-import-many` prints them), so lookups
-- spread over the whole table. Mode (second argument):
--   json    GET /tm/api/v1/verify/SERIAL?s=TOKEN     (the JSON API, genuine token)
--   page    GET <path of LINK>, i.e. /TM/V/SERIAL/TOKEN (what a phone opens from the QR code)
--   forged  GET /tm/api/v1/verify/SERIAL?s=TOKEN'    (one character of the token's signature
--           part replaced by another base32 character: decodes, then fails Ed25519)
-- The paths are built in init(); each request is one random index and one wrk.format, as in the
-- kit's random_serial.lua (which every reference target uses), so the client costs about the
-- same for all targets. Prints one RESULT line like the kit's script.
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

local B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

-- Token bytes 38..101 are the signature (certs/README.md "Token"); base32 character i (0-based)
-- holds bits 5i..5i+4, so characters 62..161 lie wholly inside it.
local function forge(token)
    local p = math.random(63, 162)             -- 1-based
    local c = token:sub(p, p)
    local i = B32:find(c, 1, true)
    assert(i, "token character not base32: " .. c)
    local j = (i - 1 + math.random(1, 31)) % 32 + 1   -- any other character
    return token:sub(1, p - 1) .. B32:sub(j, j) .. token:sub(p + 1)
end

local reqs = {}
function init(args)
    local file, mode = args[1], args[2] or "json"
    math.randomseed(os.time() * 100 + thread_no)
    for line in io.lines(file) do
        local serial, link = line:match("^(%S+) (%S+)$")
        assert(serial, "bad line in " .. file .. ": " .. line)
        local path = link:match("^[Hh][Tt][Tt][Pp][Ss]?://[^/]+(/.*)$")
        local token = link:match("/([A-Z2-7]+)$")
        assert(path and token and #token > 162, "bad link: " .. link)
        local p
        if mode == "json" then
            p = "/tm/api/v1/verify/" .. serial .. "?s=" .. token
        elseif mode == "page" then
            p = path
        elseif mode == "forged" then
            p = "/tm/api/v1/verify/" .. serial .. "?s=" .. forge(token)
        else
            error("unknown mode " .. tostring(mode))
        end
        reqs[#reqs + 1] = p
    end
    assert(#reqs > 0, "no links in " .. tostring(file))
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
