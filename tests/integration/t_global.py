"""Checks over every response the earlier tests saw."""

import lib
from lib import Client, check

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def _is_register_rerender(r):
    # The contract keeps the entered values (except the password) when the
    # HTML register form is re-rendered with errors; that echo is allowed.
    return r.method == "POST" and r.path == "/register" and r.status == 422


@test
def no_clear_id_number_in_any_response():
    check(lib.SEEN, "no responses recorded")
    ids = {i for i in lib.KNOWN_IDS if len(i) == 18}
    leaks = []
    for r in lib.SEEN:
        if _is_register_rerender(r):
            continue
        body = r.body.decode("utf-8", "replace")
        hdrs = " ".join("%s: %s" % kv for kv in r.headers)
        for idn in ids:
            if idn in body or idn.lower() in body or idn in hdrs:
                leaks.append("%s %s -> %d" % (r.method, r.path, r.status))
                break
    check(not leaks, "clear ID number in %d response(s): %s" % (len(leaks), "; ".join(leaks[:15])))


def _missing_security_headers(r):
    miss = []
    if (r.header("X-Content-Type-Options") or "").lower() != "nosniff":
        miss.append("X-Content-Type-Options")
    if not r.header("Content-Security-Policy"):
        miss.append("Content-Security-Policy")
    if (r.header("X-Frame-Options") or "").upper() not in ("DENY", "SAMEORIGIN"):
        miss.append("X-Frame-Options")
    return miss


@test
def security_headers_on_every_response():
    # make sure some less common answers are in the sample too
    c = Client()
    c.get("/no-such-page-for-headers")
    c.request("PUT", "/api/v1/version")
    c.get("/me")
    bad = {}
    for r in lib.SEEN:
        miss = _missing_security_headers(r)
        if miss:
            key = "%s %s -> %d lacks %s" % (r.method, r.path.split("?")[0], r.status, "/".join(miss))
            bad[key] = bad.get(key, 0) + 1
    check(not bad, "%d kind(s) of responses without security headers: %s"
          % (len(bad), "; ".join(sorted(bad)[:20])))


@test
def no_server_internals_in_errors():
    needles = ("mysql", "mariadb", "sqlstate", "syntax error", "/work/", "/tmp/", ".c:", "segfault",
               "traceback", "nginx/")
    bad = []
    for r in lib.SEEN:
        if r.status < 400:
            continue
        low = r.body.decode("utf-8", "replace").lower()
        for n in needles:
            if n in low:
                bad.append("%s %s -> %d contains %r" % (r.method, r.path, r.status, n))
                break
    check(not bad, "; ".join(bad[:15]))


def _stack_file(*parts):
    import os
    check(lib.STACK, "TMCRED_STACK is not set")
    path = os.path.join(lib.STACK, *parts)
    check(os.path.exists(path), "no %s" % path)
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


@test
def logs_hold_no_query_strings_or_id_numbers():
    # ASVS 7.1: queries can carry personal data (a candidate search by name), so nginx logs the
    # path only; neither log may hold an ID number in clear.
    access = _stack_file("log", "nginx-access.log")
    lines = [ln for ln in access.splitlines() if ln.strip()]
    check(len(lines) > 50, "only %d access log lines" % len(lines))
    with_query = [ln for ln in lines if "?" in ln]
    check(not with_query, "%d access log line(s) with a query string, e.g. %r"
          % (len(with_query), with_query[:1]))
    agents = [ln for ln in lines if "Python-urllib" in ln or "Mozilla" in ln or "curl/" in ln]
    check(not agents, "User-Agent in the access log, e.g. %r" % agents[:1])
    app = _stack_file("log", "tmcred.log")
    ids = {i for i in lib.KNOWN_IDS if len(i) == 18}
    leaks = [i for i in ids if i in access or i in app or i.lower() in app]
    check(ids, "no known ID numbers to look for")
    check(not leaks, "%d ID number(s) in clear in the logs" % len(leaks))


@test
def public_posts_are_rate_limited_in_nginx():
    # The anonymous POSTs that hash a password (login, registration; form and API) sit behind
    # nginx's login limit; the verification pages behind the verify limit.
    import re
    conf = _stack_file("nginx", "nginx.conf")
    want = {"/login": "login", "/register": "login", "/api/v1/session": "login",
            "/api/v1/trainees": "login", "/verify": "verify", "/V/": "verify", "/v/": "verify",
            "/api/v1/verify/": "verify"}
    bad = []
    for path, zone in sorted(want.items()):
        m = re.search(r"location\s+(=\s+)?%s\s*\{([^}]*)\}" % re.escape(path), conf)
        if not m or not re.search(r"limit_req\s+zone=%s\b" % zone, m.group(2)):
            bad.append("%s (zone %s)" % (path, zone))
    check(not bad, "not rate limited in nginx.conf: %s" % ", ".join(bad))
