-- wrk script for bench/rss.sh: a mix of tmcred requests, sent in turn, under the prefix of the
-- URL (e.g. http://127.0.0.1:PORT/tm). Each thread stops after the number of responses named
-- after "--" (its share of a step). Prints one RESULT line per thread: responses and the count
-- of each status code.
local threads = {}
function setup(thread)
    threads[#threads + 1] = thread
end

-- n and codes are globals so that done() can read them from each thread (thread:get).
local reqs, limit, i = {}, 0, 0
n, codes = 0, {}
function init(args)
    limit = tonumber(args[1]) or 1000
    local p = wrk.path
    if p == "/" then p = "" end
    local json = { ["Content-Type"] = "application/json" }
    local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    reqs = {
        wrk.format("GET", p .. "/api/v1/version"),                       -- 200, JSON, no DB
        wrk.format("GET", p .. "/healthz"),                              -- 200, mysql_ping
        wrk.format("GET", p .. "/login"),                                -- 200, template + CSRF cookie
        wrk.format("GET", p .. "/no/such/page"),                         -- 404, error template
        wrk.format("GET", p .. "/api/v1/nope"),                          -- 404, JSON
        wrk.format("POST", p .. "/api/v1/session", json, '{"login": "a", "password": '), -- 400 malformed JSON
        -- well-shaped but unknown session token: one prepared SELECT, then 401
        wrk.format("GET", p .. "/api/v1/me", { Cookie = "tm_session=" .. string.rep("A", 43) }),
        wrk.format("POST", p .. "/login", form, "login=a&password=b"),   -- 403, no CSRF token
    }
end

function request()
    i = i % #reqs + 1
    return reqs[i]
end

function response(status)
    n = n + 1
    codes[status] = (codes[status] or 0) + 1
    if n == limit then wrk.thread:stop() end
end

function done()
    for _, t in ipairs(threads) do
        local c, s = t:get("codes") or {}, ""
        for k, v in pairs(c) do s = s .. string.format(" s%d=%d", k, v) end
        io.write(string.format("RESULT responses=%d%s\n", t:get("n"), s))
    end
end
