"""Security checks of docs/security.md (OWASP ASVS 4.0 level 2) that no other module makes."""

import base64
import os
import re

import lib
from lib import Client, check

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def _session_cookie(resp):
    scs = [s for s in resp.header_all("Set-Cookie") if s.startswith("tm_session=")]
    check(len(scs) == 1, "expected one Set-Cookie tm_session, got %r" % resp.header_all("Set-Cookie"))
    return scs[0]


@test
def session_fixation_refused():
    # ASVS 3.2.1: a token the client brings is never adopted; login issues a fresh one and the
    # planted one stays worthless.
    ident = lib.identity("fix")
    c = Client("fix")
    lib.register(c, ident)
    planted = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    c.cookies["tm_session"] = planted
    r = lib.login(c, ident["email"], ident["password"])
    sc = _session_cookie(r)
    issued = sc.split(";", 1)[0].split("=", 1)[1]
    check(issued != planted, "login kept the client's session token")
    check(len(issued) == len(planted), "session token of %d characters" % len(issued))
    m = re.search(r"max-age=(\d+)", sc.lower())
    check(m and 0 < int(m.group(1)) <= 12 * 3600,
          "session cookie lifetime not bounded by 12 h (ASVS 3.3.2): %r" % sc)
    attacker = Client("attacker")
    attacker.cookies["tm_session"] = planted
    r = attacker.get("/api/v1/me")
    lib.api_error(r, 401, "unauthorized", "the planted token after the victim's login")
    r = c.get("/api/v1/me")
    check(r.status == 200, "the issued token does not work: %s" % r.short())


@test
def no_cross_origin_grants():
    # ASVS 14.5.3 / 13.2.x: no CORS grant to any origin, with or without credentials, and a
    # cross-site form post (no CSRF token) is refused.
    c, _ = lib.registered_and_logged_in("cors")
    evil = {"Origin": "https://evil.example"}
    for method, path in (("GET", "/api/v1/me"), ("OPTIONS", "/api/v1/me"),
                         ("OPTIONS", "/api/v1/session"), ("GET", "/api/v1/courses")):
        r = c.request(method, path, headers=dict(evil, **{"Access-Control-Request-Method": "POST"}))
        for h in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                  "Access-Control-Allow-Methods"):
            check(r.header(h) is None, "%s %s answered %s: %r" % (method, path, h, r.header(h)))
    r = c.request("POST", "/api/v1/enrolments", body="offering_id=1", headers=evil,
                  content_type="text/plain")
    check(r.status == 403, "a text/plain cross-site post without a CSRF token: %s" % r.short())


@test
def trace_and_unknown_methods_refused():
    # ASVS 14.5.1: only the methods of the route table; TRACE never echoes the request (cookies).
    c, _ = lib.registered_and_logged_in("trace")
    for method in ("TRACE", "TRACK", "PROPFIND", "CONNECT"):
        r = c.request(method, "/api/v1/me")
        check(r.status in (400, 405, 501), "%s /api/v1/me answered %s" % (method, r.short()))
        check(c.cookies["tm_session"].encode() not in r.body,
              "%s echoed the session cookie" % method)


@test
def secrets_at_rest_hashed_or_encrypted():
    # ASVS 2.4.1 (argon2id), 3.2.4 (session tokens hashed), 6.1.1 / 8.3 (ID numbers encrypted,
    # looked up by a keyed hash): what the database holds for a fresh trainee.
    import hashlib
    from t_certs import sql, sql1
    c, ident = lib.registered_and_logged_in("rest")
    email = ident["email"].lower()
    check("'" not in email and "\\" not in email, "unexpected e-mail %r" % email)
    pw_hash = sql1("SELECT pw_hash FROM users WHERE email = '%s'" % email)
    check(pw_hash.startswith("$argon2id$"), "password stored as %r..." % pw_hash[:12])
    check(ident["password"] not in pw_hash, "the password in clear in users.pw_hash")
    row = sql("SELECT p.name, HEX(p.id_enc), HEX(p.id_blind), p.phone, p.email, p.employer"
              " FROM persons p JOIN users u ON u.person_id = p.id WHERE u.email = '%s'" % email)
    check(len(row) == 1, "no person row for %s" % email)
    idn = ident["id_number"].upper()
    flat = " ".join(row[0])
    for form in (idn, idn.lower(), idn.encode().hex().upper(), idn[:17]):
        check(form not in flat, "the ID number in clear in persons (%r)" % form[:6])
    check(len(row[0][1]) == 58 * 2, "id_enc of %d bytes, not secretbox(nonce+MAC+18)" % (len(row[0][1]) // 2))
    tok = c.cookies["tm_session"]
    hexes = [r[0] for r in sql("SELECT HEX(token_hash) FROM sessions s JOIN users u ON u.id = s.user_id"
                               " WHERE u.email = '%s'" % email)]
    check(hexes, "no session row")
    check(tok.encode().hex().upper() not in hexes, "the session token stored in clear")
    check(hashlib.blake2b(tok.encode(), digest_size=32).hexdigest().upper() in hexes,
          "sessions.token_hash is not BLAKE2b-256 of the cookie token")


def _set_cookie(resp, name):
    scs = [s for s in resp.header_all("Set-Cookie") if s.startswith(name + "=")]
    check(len(scs) == 1, "expected one Set-Cookie %s, got %r" % (name, resp.header_all("Set-Cookie")))
    return scs[0]


@test
def host_prefixed_cookies_over_tls():
    """ASVS 3.4.4, over the stack's real TLS listener (nginx passes HTTPS=on): the session and
    CSRF cookies are named __Host-…, with Secure, Path=/ and no Domain, and only those names
    are read there, so an unprefixed cookie planted over plain HTTP or by a sibling domain
    counts for nothing. Plain HTTP (local use without TLS) keeps tm_session and tm_csrf."""
    if lib.TLS_PORT is None:
        return "SKIP needs the stack's TLS listener (TMCRED_STACK)"
    ident = lib.identity("tls")
    c = Client("tls", tls=True)
    for name, sc in (("__Host-tm_csrf", _set_cookie(c.get("/register"), "__Host-tm_csrf")),):
        attrs = [a.strip().lower() for a in sc.split(";")[1:]]
        check("secure" in attrs and "path=/" in attrs and not any(a.startswith("domain") for a in attrs),
              "%s over TLS: %r" % (name, sc))
    check("tm_csrf" not in c.cookies, "an unprefixed CSRF cookie over TLS: %r" % c.cookies)

    # The HTML forms work with the prefixed names: register, then log in through the form.
    tok = c.csrf_from("/register")
    r = c.post_form("/register", dict(ident, csrf=tok))
    check(r.status == 303, "POST /register over TLS: %s" % r.short())
    c = Client("tls-login", tls=True)
    tok = c.csrf_from("/login")
    r = c.post_form("/login", {"login": ident["email"], "password": ident["password"], "csrf": tok})
    check(r.status == 303, "form login over TLS: %s" % r.short())
    sc = _set_cookie(r, "__Host-tm_session")
    attrs = [a.strip().lower() for a in sc.split(";")[1:]]
    check("secure" in attrs and "path=/" in attrs and "httponly" in attrs
          and not any(a.startswith("domain") for a in attrs), "__Host-tm_session: %r" % sc)
    check(not any(s.startswith("tm_session=") for s in r.header_all("Set-Cookie")),
          "an unprefixed session cookie over TLS: %r" % r.header_all("Set-Cookie"))
    check(c.get("/api/v1/me").status == 200, "the prefixed session over TLS")

    token = c.cookies["__Host-tm_session"]
    plain_name = Client("tls-plain-name", tls=True)
    plain_name.cookies["tm_session"] = token
    lib.api_error(plain_name.get("/api/v1/me"), 401, "unauthorized",
                  "the session token under the unprefixed name over TLS")
    over_http = Client("http-prefixed")
    over_http.cookies["__Host-tm_session"] = token
    lib.api_error(over_http.get("/api/v1/me"), 401, "unauthorized",
                  "the prefixed name over plain HTTP")

    r = c.request("DELETE", "/api/v1/session")
    check(r.status == 200, "logout over TLS: %s" % r.short())
    sc = _set_cookie(r, "__Host-tm_session")
    check(re.search(r"max-age=0\b", sc.lower()), "logout must expire __Host-tm_session: %r" % sc)
    lib.api_error(c.get("/api/v1/me"), 401, "unauthorized", "after logout over TLS")
