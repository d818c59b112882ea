"""JSON API tests: health, registration, session, validation, bad input,
duplicates, CSRF on form posts, login throttle, SQL metacharacters."""

import copy
import datetime
import json
import random
import urllib.parse

from lib import (Client, api_error, assert_nothing_stored, bad_checksum,
                 check, detail_codes, fresh_phone, has_cjk, identity, login, make_id,
                 mask_id, mask_phone, parse_html, register, wait_until)

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def _json_ok(r, status, what):
    check(r.status == status, "%s: expected %d, got %s" % (what, status, r.short()))
    ct = r.header("Content-Type", "")
    check("application/json" in ct.lower(),
          "%s: Content-Type should be application/json, got %r" % (what, ct))
    return r.json()


# ------------------------------------------------------------------ health


@test
def stack_reachable():
    c = Client()
    res, info = wait_until(lambda: c.get("/healthz", record=False).status == 200,
                           timeout=30, interval=0.5)
    check(res, "GET /healthz never answered 200 within 30 s (last: %r)" % (info,))


@test
def healthz_ok():
    r = Client().get("/healthz")
    j = _json_ok(r, 200, "GET /healthz")
    check(j.get("status") == "ok", "healthz status: %r" % j)
    check(j.get("db") == "ok", "healthz db: %r" % j)
    check(isinstance(j.get("version"), str) and j["version"],
          "healthz version missing: %r" % j)


@test
def version_endpoint():
    r = Client().get("/api/v1/version")
    j = _json_ok(r, 200, "GET /api/v1/version")
    check(isinstance(j.get("version"), str) and j["version"],
          "version missing: %r" % j)
    h = Client().get("/healthz").json()
    check(h.get("version") == j["version"],
          "/healthz version %r != /api/v1/version %r" % (h.get("version"), j["version"]))


# ------------------------------------------------------------------ happy path


@test
def register_login_me_logout():
    ident = identity("flow")
    c = Client("flow")
    r = register(c, ident)
    j = _json_ok(r, 201, "POST /api/v1/trainees")
    for k in ("user_id", "person_id"):
        check(isinstance(j.get(k), int) and j[k] > 0, "register: %s should be a positive int: %r" % (k, j))
    check(j.get("name") == ident["name"], "register: name %r != %r" % (j.get("name"), ident["name"]))
    check(j.get("email") == ident["email"], "register: email %r != %r" % (j.get("email"), ident["email"]))
    check(j.get("employer") == ident["employer"], "register: employer %r" % j.get("employer"))
    check(j.get("phone_masked") == mask_phone(ident["phone"]),
          "register: phone_masked %r, expected %r" % (j.get("phone_masked"), mask_phone(ident["phone"])))
    check(j.get("id_number_masked") == mask_id(ident["id_number"]),
          "register: id_number_masked %r, expected %r" % (j.get("id_number_masked"), mask_id(ident["id_number"])))
    for k in ("id_number", "phone", "password", "password_hash"):
        check(k not in j, "register response must not contain %r: %r" % (k, j))

    r = login(c, ident["email"], ident["password"])
    lj = _json_ok(r, 200, "POST /api/v1/session")
    check(lj.get("user_id") == j["user_id"], "login user_id %r != %r" % (lj.get("user_id"), j["user_id"]))
    check(lj.get("role") == "trainee", "login role %r" % lj.get("role"))
    check(lj.get("name") == ident["name"], "login name %r" % lj.get("name"))
    scs = [s for s in r.header_all("Set-Cookie") if s.startswith("tm_session=")]
    check(len(scs) == 1, "login: expected one Set-Cookie tm_session, got %r" % r.header_all("Set-Cookie"))
    attrs = [a.strip().lower() for a in scs[0].split(";")[1:]]
    check("httponly" in attrs, "tm_session cookie lacks HttpOnly: %r" % scs[0])
    check("samesite=lax" in attrs, "tm_session cookie lacks SameSite=Lax: %r" % scs[0])
    check("path=/" in attrs, "tm_session cookie lacks Path=/: %r" % scs[0])
    check("secure" not in attrs, "tm_session cookie must not be Secure over plain http: %r" % scs[0])
    check(len(c.cookies.get("tm_session", "")) >= 20,
          "tm_session value looks too short to be unguessable: %r" % c.cookies.get("tm_session"))

    r = c.get("/api/v1/me")
    mj = _json_ok(r, 200, "GET /api/v1/me")
    expect = {"user_id": j["user_id"], "role": "trainee", "name": ident["name"],
              "email": ident["email"], "phone_masked": mask_phone(ident["phone"]),
              "employer": ident["employer"], "id_number_masked": mask_id(ident["id_number"])}
    for k, v in expect.items():
        check(mj.get(k) == v, "/api/v1/me %s: expected %r, got %r" % (k, v, mj.get(k)))

    old = dict(c.cookies)
    r = c.request("DELETE", "/api/v1/session")
    dj = _json_ok(r, 200, "DELETE /api/v1/session")
    check(dj.get("status") == "logged_out", "logout body %r" % dj)

    # the old cookie must be dead server-side, not only deleted in the jar
    c2 = Client("replay")
    c2.cookies = old
    r = c2.get("/api/v1/me")
    api_error(r, 401, "unauthorized", "GET /api/v1/me with the logged-out cookie")
    r = c.get("/api/v1/me")
    api_error(r, 401, "unauthorized", "GET /api/v1/me after logout")


@test
def login_with_phone():
    ident = identity("phone")
    c = Client()
    register(c, ident)
    r = login(c, ident["phone"], ident["password"])
    check(r.json().get("name") == ident["name"], "login by phone: %s" % r.short())
    r = c.get("/api/v1/me")
    check(r.status == 200 and r.json().get("email") == ident["email"], "me after phone login: %s" % r.short())


@test
def me_requires_session():
    api_error(Client().get("/api/v1/me"), 401, "unauthorized", "GET /api/v1/me without a cookie")
    c = Client()
    c.cookies["tm_session"] = "0" * 43
    api_error(c.get("/api/v1/me"), 401, "unauthorized", "GET /api/v1/me with a forged cookie")
    c.cookies["tm_session"] = "'; DROP TABLE sessions; --"
    api_error(c.get("/api/v1/me"), 401, "unauthorized", "GET /api/v1/me with an SQL-ish cookie")


@test
def lowercase_x_stored_as_upper():
    idn = make_id(check_char="X")
    ident = identity("lowx", id_number=idn.lower())
    c = Client()
    r = register(c, ident)
    check(r.json().get("id_number_masked") == mask_id(idn),
          "lower-case x: masked %r, expected %r" % (r.json().get("id_number_masked"), mask_id(idn)))
    # The same number with an upper-case X is the same person -> 409.
    other = identity("lowx2", id_number=idn)
    r = Client().post_json("/api/v1/trainees", other)
    e = api_error(r, 409, "id_number_taken", "same ID number with upper-case X")
    check(idn not in r.text and idn.lower() not in r.text, "409 body shows the ID number in clear")


@test
def known_valid_vectors_accepted():
    # The domain's own test vectors must pass validation.  They may already
    # be taken from an earlier run on the same database: 201 or 409
    # id_number_taken are both fine, a 422 is not.
    for idn in ("11010519491231002X", "34052419800101001X", "310101199001011234"):
        r = Client().post_json("/api/v1/trainees", identity("vec", id_number=idn))
        if r.status == 409:
            api_error(r, 409, "id_number_taken", "vector %s" % idn)
        else:
            check(r.status == 201, "valid vector %s rejected: %s" % (idn, r.short()))
            check(r.json().get("id_number_masked") == mask_id(idn), "vector %s masked %r" % (idn, r.json()))


@test
def json_content_type_with_charset_accepted():
    ident = identity("charset")
    r = Client().request("POST", "/api/v1/trainees", body=json.dumps(ident, ensure_ascii=False),
                         content_type="application/json; charset=utf-8")
    check(r.status == 201, "Content-Type with charset=utf-8: %s" % r.short())


@test
def password_length_boundaries():
    # 12 to 128 characters (ASVS 2.1.1, 2.1.2), counted as code points: 12 CJK characters
    # are 36 bytes, 128 of them 384
    for pw in ("123456789012", "a" * 128, "测" * 12, "测" * 128, "密码" * 6 + "a" * 116):
        ident = identity("pw", password=pw)
        r = Client().post_json("/api/v1/trainees", ident)
        check(r.status == 201, "password of %d bytes should be accepted: %s"
              % (len(pw.encode()), r.short()))
        login(Client(), ident["email"], pw)


# ------------------------------------------------------------------ validation

_today = datetime.date.today()


def _years_ago(n, extra_days=0):
    try:
        d = _today.replace(year=_today.year - n)
    except ValueError:  # 29 Feb
        d = _today.replace(year=_today.year - n, day=28)
    return d + datetime.timedelta(days=extra_days)


def _set(field, value):
    def f(d):
        d[field] = value
    return f


def _drop(field):
    def f(d):
        d.pop(field, None)
    return f


# (label, mutation, field, acceptable codes)
VALIDATION_CASES = [
    ("name missing", _drop("name"), "name", {"required"}),
    ("name empty", _set("name", ""), "name", {"required"}),
    ("name too long", _set("name", "张" * 300), "name", {"too_long"}),
    ("name control char", _set("name", "张\u0007三"), "name", {"name_invalid"}),
    ("id missing", _drop("id_number"), "id_number", {"required"}),
    ("id empty", _set("id_number", ""), "id_number", {"required"}),
    ("id 17 chars", lambda d: d.__setitem__("id_number", d["id_number"][:17]), "id_number", {"id_number_length"}),
    ("id 19 chars", lambda d: d.__setitem__("id_number", d["id_number"] + "1"), "id_number", {"id_number_length"}),
    ("id letter inside", lambda d: d.__setitem__("id_number", d["id_number"][:8] + "A" + d["id_number"][9:]),
     "id_number", {"id_number_charset"}),
    ("id X not last", lambda d: d.__setitem__("id_number", "X" + d["id_number"][1:]), "id_number", {"id_number_charset"}),
    ("id province 99", lambda d: d.__setitem__("id_number", make_id(prov=99)), "id_number", {"id_number_province"}),
    ("id province 20", lambda d: d.__setitem__("id_number", make_id(prov=20)), "id_number", {"id_number_province"}),
    ("id province 83", lambda d: d.__setitem__("id_number", make_id(prov=83)), "id_number", {"id_number_province"}),
    ("id 30 Feb", lambda d: d.__setitem__("id_number", make_id(birth="19900230")), "id_number", {"id_number_birth_date"}),
    ("id 29 Feb non-leap", lambda d: d.__setitem__("id_number", make_id(birth="19910229")), "id_number", {"id_number_birth_date"}),
    ("id month 13", lambda d: d.__setitem__("id_number", make_id(birth="19901301")), "id_number", {"id_number_birth_date"}),
    ("id born 1899", lambda d: d.__setitem__("id_number", make_id(birth="18991231")), "id_number", {"id_number_birth_date"}),
    ("id born in the future", lambda d: d.__setitem__("id_number", make_id(birth=_today + datetime.timedelta(days=40))),
     "id_number", {"id_number_birth_date"}),
    ("id age 15", lambda d: d.__setitem__("id_number", make_id(birth=_years_ago(15, -10))), "id_number", {"id_number_birth_date"}),
    ("id age 101", lambda d: d.__setitem__("id_number", make_id(birth=_years_ago(101, -10))), "id_number", {"id_number_birth_date"}),
    ("id bad checksum", lambda d: d.__setitem__("id_number", bad_checksum(d["id_number"])), "id_number", {"id_number_checksum"}),
    ("id vector 340524198001010013", _set("id_number", "340524198001010013"), "id_number", {"id_number_checksum"}),
    ("phone missing", _drop("phone"), "phone", {"required"}),
    ("phone 2nd digit 2", lambda d: d.__setitem__("phone", "12" + d["phone"][2:]), "phone", {"phone_invalid"}),
    ("phone 10 digits", lambda d: d.__setitem__("phone", d["phone"][:10]), "phone", {"phone_invalid"}),
    ("phone 12 digits", lambda d: d.__setitem__("phone", d["phone"] + "1"), "phone", {"phone_invalid"}),
    ("phone letter", lambda d: d.__setitem__("phone", d["phone"][:10] + "a"), "phone", {"phone_invalid"}),
    ("email missing", _drop("email"), "email", {"required"}),
    ("email no at", _set("email", "not-an-email"), "email", {"email_invalid"}),
    ("email no domain", _set("email", "someone@"), "email", {"email_invalid"}),
    ("email no local part", _set("email", "@example.com"), "email", {"email_invalid"}),
    ("email too long", _set("email", "a" * 300 + "@example.com"), "email", {"too_long", "email_invalid"}),
    ("employer missing", _drop("employer"), "employer", {"required"}),
    ("employer too long", _set("employer", "公司" * 300), "employer", {"too_long"}),
    ("password missing", _drop("password"), "password", {"required"}),
    ("password 11 characters", _set("password", "12345678901"), "password", {"password_too_short"}),
    ("password 11 CJK characters (33 bytes)", _set("password", "测" * 11), "password",
     {"password_too_short"}),
    ("password 129 characters", _set("password", "a" * 129), "password", {"password_too_long"}),
    ("password 129 CJK characters", _set("password", "测" * 129), "password", {"password_too_long"}),
]


def _run_validation(prefix):
    problems = []
    for label, mut, field, codes in VALIDATION_CASES:
        if not label.startswith(prefix):
            continue
        ident = identity("val")
        bad = copy.deepcopy(ident)
        mut(bad)
        r = Client().post_json("/api/v1/trainees", bad)
        try:
            e = api_error(r, 422, "validation_failed", label)
            got = detail_codes(e)
            if not any((field, c) in got for c in codes):
                problems.append("%s: expected detail field=%s code in %s, got %s"
                                % (label, field, sorted(codes), sorted(got, key=str)))
            for d in e.get("details") or []:
                if not has_cjk(d.get("message", "")):
                    problems.append("%s: detail message not zh-CN: %r" % (label, d))
            other = {f for f, _ in got} - {field}
            if other:
                problems.append("%s: unexpected extra bad fields %s" % (label, sorted(other, key=str)))
        except AssertionError as ex:
            problems.append(str(ex))
            if r.status == 201:
                continue  # it was stored; the follow-up check would only add noise
        try:
            assert_nothing_stored(ident, label)
        except AssertionError as ex:
            problems.append(str(ex))
    check(not problems, "%d problem(s): %s" % (len(problems), " | ".join(problems)))


@test
def validation_name():
    _run_validation("name")


@test
def validation_id_number():
    _run_validation("id")


@test
def validation_phone():
    _run_validation("phone")


@test
def validation_email():
    _run_validation("email")


@test
def validation_employer():
    _run_validation("employer")


@test
def validation_password():
    _run_validation("password")


@test
def validation_reports_every_bad_field():
    r = Client().post_json("/api/v1/trainees", {})
    e = api_error(r, 422, "validation_failed", "empty object")
    got = detail_codes(e)
    for f in ("name", "id_number", "phone", "email", "employer", "password"):
        check((f, "required") in got, "{}: no required detail for %s (got %s)" % (f, sorted(got, key=str)))

    ident = identity("multi")
    bad = dict(ident, name="", id_number=bad_checksum(ident["id_number"]),
               phone="123", email="nope", password="short")
    r = Client().post_json("/api/v1/trainees", bad)
    e = api_error(r, 422, "validation_failed", "five bad fields")
    got = detail_codes(e)
    for f, c in (("name", "required"), ("id_number", "id_number_checksum"), ("phone", "phone_invalid"),
                 ("email", "email_invalid"), ("password", "password_too_short")):
        check((f, c) in got, "five bad fields: missing %s/%s in %s" % (f, c, sorted(got, key=str)))
    assert_nothing_stored(ident, "five bad fields")


# ------------------------------------------------------------------ duplicates


@test
def duplicates_conflict():
    a = identity("dupa")
    register(Client(), a)
    for field, code in (("id_number", "id_number_taken"), ("email", "email_taken"), ("phone", "phone_taken")):
        b = identity("dupb", **{field: a[field]})
        r = Client().post_json("/api/v1/trainees", b)
        api_error(r, 409, code, "duplicate %s" % field)
        check(a["id_number"] not in r.text, "409 body shows the ID number in clear: %s" % r.short())
        # nothing of b was stored: b with a fresh value for that field registers
        fixed = dict(b)
        fixed[field] = identity("dupfix")[field]
        assert_nothing_stored(fixed, "after 409 %s" % code)
    # the original account is untouched
    login(Client(), a["email"], a["password"])


# ------------------------------------------------------------------ bad input


@test
def invalid_json():
    ident = identity("badjson")
    good = json.dumps(ident, ensure_ascii=False).encode()
    bodies = [
        ("truncated", good[:-1]),
        ("trailing garbage", good + b" x"),
        ("unquoted keys", b"{name: 1}"),
        ("single quotes", b"{'name': 'a'}"),
        ("trailing comma", good[:-1] + b",}"),
        ("empty body", b""),
        ("array", b"[1, 2]"),
        ("string", b'"hello"'),
        ("number", b"42"),
        ("null", b"null"),
        ("array of the object", b"[" + good + b"]"),
    ]
    problems = []
    for label, body in bodies:
        r = Client().request("POST", "/api/v1/trainees", body=body, content_type="application/json")
        try:
            api_error(r, 400, "invalid_json", label)
        except AssertionError as ex:
            problems.append(str(ex))
    r = Client().request("POST", "/api/v1/session", body=b'{"login":', content_type="application/json")
    try:
        api_error(r, 400, "invalid_json", "session truncated")
    except AssertionError as ex:
        problems.append(str(ex))
    check(not problems, " | ".join(problems))
    assert_nothing_stored(ident, "after invalid JSON")


def _form_body(ident, override_raw=None):
    """urlencoded body of ident; override_raw maps field -> raw (already
    percent-encoded, possibly malformed) value."""
    parts = []
    for k, v in ident.items():
        if override_raw and k in override_raw:
            parts.append("%s=%s" % (k, override_raw[k]))
        else:
            parts.append("%s=%s" % (k, urllib.parse.quote_plus(v, encoding="utf-8")))
    return "&".join(parts).encode("ascii")


@test
def invalid_form_encoding():
    ident = identity("badform")
    c = Client()
    tok = c.csrf_from("/register")
    problems = []
    for label, raw in (("%zz", {"name": "%zz"}), ("%4 at end", {"employer": "abc%4"}),
                       ("%G1", {"name": "a%G1b"}), ("lone %", {"name": "a%"})):
        body = _form_body(ident, raw)
        if label == "%4 at end":  # make sure the truncated escape is the very end of the body
            body = _form_body({k: v for k, v in ident.items() if k != "employer"}) + b"&employer=abc%4"
        r = c.request("POST", "/api/v1/trainees", body=body,
                      content_type="application/x-www-form-urlencoded",
                      headers={"X-CSRF-Token": tok})
        try:
            api_error(r, 400, "invalid_form", "form with %s" % label)
        except AssertionError as ex:
            problems.append(str(ex))
    check(not problems, " | ".join(problems))
    assert_nothing_stored(ident, "after invalid form")


@test
def invalid_utf8():
    ident = identity("badutf8")
    problems = []
    for label, bad in (("ff fe", b"\xff\xfe"), ("overlong /", b"\xc0\xaf"),
                       ("surrogate", b"\xed\xa0\x80"), ("truncated 3-byte", b"\xe5\xbc")):
        body = json.dumps(dict(ident, name="NAMEPLACEHOLDER"), ensure_ascii=False).encode()
        body = body.replace(b"NAMEPLACEHOLDER", b"ab" + bad + b"cd")
        r = Client().request("POST", "/api/v1/trainees", body=body, content_type="application/json")
        try:
            api_error(r, 400, "invalid_utf8", "JSON string with %s" % label)
        except AssertionError as ex:
            problems.append(str(ex))
    c = Client()
    tok = c.csrf_from("/register")
    for label, raw in (("%FF%FE", "ab%FF%FEcd"), ("%C0%AF", "%C0%AF"), ("%E5%BC", "x%E5%BC")):
        r = c.request("POST", "/api/v1/trainees", body=_form_body(ident, {"name": raw}),
                      content_type="application/x-www-form-urlencoded", headers={"X-CSRF-Token": tok})
        try:
            api_error(r, 400, "invalid_utf8", "form value %s" % label)
        except AssertionError as ex:
            problems.append(str(ex))
    r = Client().request("POST", "/api/v1/session",
                         body=b'{"login":"\xff\xfe@example.com","password":"whatever1"}',
                         content_type="application/json")
    try:
        api_error(r, 400, "invalid_utf8", "session login with \\xff\\xfe")
    except AssertionError as ex:
        problems.append(str(ex))
    check(not problems, " | ".join(problems))
    assert_nothing_stored(ident, "after invalid UTF-8")


@test
def payload_too_large_app():
    ident = identity("big1")
    body = json.dumps(dict(ident, employer="x" * (1536 * 1024))).encode()
    r = Client().raw_request("POST", "/api/v1/trainees", body, {"Content-Type": "application/json"})
    api_error(r, 413, "payload_too_large", "1.5 MiB JSON body")
    # just over the limit
    body = json.dumps(dict(ident, employer="")).encode()
    body = body.replace(b'"employer": ""', b'"employer": "' + b"y" * (1024 * 1024 + 1 - len(body)) + b'"')
    check(len(body) > 1024 * 1024, "test bug: body not over 1 MiB")
    r = Client().raw_request("POST", "/api/v1/trainees", body, {"Content-Type": "application/json"})
    api_error(r, 413, "payload_too_large", "JSON body of %d bytes" % len(body))
    assert_nothing_stored(ident, "after 413")


@test
def payload_too_large_nginx():
    ident = identity("big2")
    body = json.dumps(dict(ident, employer="x" * (3 * 1024 * 1024))).encode()
    r = Client().raw_request("POST", "/api/v1/trainees", body, {"Content-Type": "application/json"})
    api_error(r, 413, "payload_too_large", "3 MiB body (nginx limit)")
    assert_nothing_stored(ident, "after nginx 413")


@test
def unsupported_media_type():
    ident = identity("ctype")
    problems = []
    for ct, body in (("application/xml", b"<trainee><name>x</name></trainee>"),
                     ("image/png", b"\x89PNG\r\n\x1a\n"),
                     ("text/csv", b"name,email\nx,y\n")):
        r = Client().request("POST", "/api/v1/trainees", body=body, content_type=ct)
        try:
            api_error(r, 415, "unsupported_media_type", "POST trainees as %s" % ct)
        except AssertionError as ex:
            problems.append(str(ex))
    # JSON bytes under a non-JSON, non-form type are not accepted either
    r = Client().request("POST", "/api/v1/trainees", body=json.dumps(ident).encode(),
                         content_type="application/octet-stream")
    try:
        api_error(r, 415, "unsupported_media_type", "JSON as application/octet-stream")
    except AssertionError as ex:
        problems.append(str(ex))
    check(not problems, " | ".join(problems))
    assert_nothing_stored(ident, "after 415")


@test
def unknown_path_404():
    problems = []
    for p in ("/api/v1/does-not-exist", "/api/v1/trainees/extra/segments", "/api/v2/trainees", "/api/"):
        r = Client().get(p)
        try:
            api_error(r, 404, "not_found", "GET %s" % p)
        except AssertionError as ex:
            problems.append(str(ex))
    r = Client().get("/no-such-page-%d" % id(problems))
    if r.status != 404:
        problems.append("GET unknown HTML page: expected 404, got %s" % r.short())
    check(not problems, " | ".join(problems))


@test
def wrong_method_405():
    problems = []
    for m, p in (("PUT", "/api/v1/trainees"), ("GET", "/api/v1/trainees"), ("DELETE", "/api/v1/trainees"),
                 ("PATCH", "/api/v1/session"), ("GET", "/api/v1/session"),
                 ("DELETE", "/api/v1/me"), ("PUT", "/api/v1/me"), ("DELETE", "/api/v1/version")):
        r = Client().request(m, p)
        try:
            api_error(r, 405, "method_not_allowed", "%s %s" % (m, p))
        except AssertionError as ex:
            problems.append(str(ex))
    r = Client().request("POST", "/api/v1/me", body=b"{}", content_type="application/json")
    try:
        api_error(r, 405, "method_not_allowed", "POST /api/v1/me")
    except AssertionError as ex:
        problems.append(str(ex))
    check(not problems, " | ".join(problems))


# ------------------------------------------------------------------ CSRF (API, form bodies)


def _multipart(fields, boundary="----tmcredBoundary7MA4YWxkTrZu0gW"):
    out = []
    for k, v in fields.items():
        out.append("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v))
    out.append("--%s--\r\n" % boundary)
    return "".join(out).encode("utf-8"), "multipart/form-data; boundary=%s" % boundary


@test
def csrf_on_form_posts():
    ident = identity("csrf")
    c = Client("csrf")
    tok = c.csrf_from("/register")
    check("tm_csrf" in c.cookies, "GET /register set no tm_csrf cookie (cookies: %r)" % list(c.cookies))
    other = Client("csrf-other")
    other_tok = other.csrf_from("/register")
    flipped = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    form = "application/x-www-form-urlencoded"
    attempts = [
        ("form without csrf", dict(body=_form_body(ident), content_type=form)),
        ("form with empty csrf", dict(body=_form_body(dict(ident, csrf="")), content_type=form)),
        ("form with wrong csrf", dict(body=_form_body(dict(ident, csrf="x" * max(16, len(tok)))), content_type=form)),
        ("form with altered csrf", dict(body=_form_body(dict(ident, csrf=flipped)), content_type=form)),
        ("form with another client's csrf", dict(body=_form_body(dict(ident, csrf=other_tok)), content_type=form)),
        ("form with wrong X-CSRF-Token", dict(body=_form_body(ident), content_type=form,
                                               headers={"X-CSRF-Token": flipped})),
        ("form with right token but no cookie", dict(body=_form_body(dict(ident, csrf=tok)), content_type=form,
                                                     cookies=False)),
        ("text/plain without csrf", dict(body=_form_body(ident), content_type="text/plain")),
        ("no content type", dict(body=json.dumps(ident).encode(), content_type=None)),
    ]
    mp_body, mp_ct = _multipart(ident)
    attempts.append(("multipart without csrf", dict(body=mp_body, content_type=mp_ct)))
    problems = []
    for label, kw in attempts:
        r = c.request("POST", "/api/v1/trainees", **kw)
        try:
            api_error(r, 403, "csrf_invalid", label)
        except AssertionError as ex:
            problems.append(str(ex))
    check(not problems, " | ".join(problems))

    # the right token in the form field works, and proves nothing was stored before
    r = c.post_form("/api/v1/trainees", dict(ident, csrf=tok))
    j = _json_ok(r, 201, "form registration with the right csrf token")
    check(j.get("id_number_masked") == mask_id(ident["id_number"]), "form registration body %r" % j)

    # the right token in the header works too
    ident2 = identity("csrfh")
    r = c.request("POST", "/api/v1/trainees", body=_form_body(ident2), content_type=form,
                  headers={"X-CSRF-Token": tok})
    _json_ok(r, 201, "form registration with X-CSRF-Token header")

    # login as a form: needs the token too
    r = c.post_form("/api/v1/session", {"login": ident["email"], "password": ident["password"]})
    api_error(r, 403, "csrf_invalid", "form login without csrf")
    check("tm_session" not in c.cookies, "a 403 login set a session cookie")
    r = c.post_form("/api/v1/session", {"login": ident["email"], "password": ident["password"], "csrf": tok})
    _json_ok(r, 200, "form login with csrf")
    check("tm_session" in c.cookies, "form login set no tm_session cookie")


# ------------------------------------------------------------------ login throttle


@test
def wrong_password_and_unknown_login_look_the_same():
    ident = identity("cred")
    register(Client(), ident)
    r1 = login(Client(), ident["email"], ident["password"] + "-wrong", expect=None)
    e1 = api_error(r1, 401, "invalid_credentials", "wrong password")
    r2 = login(Client(), "nobody.%s" % ident["email"], ident["password"], expect=None)
    e2 = api_error(r2, 401, "invalid_credentials", "unknown login")
    check(e1.get("message") == e2.get("message"),
          "wrong password and unknown login give different messages: %r vs %r" % (e1.get("message"), e2.get("message")))
    r3 = login(Client(), fresh_phone(), ident["password"], expect=None)
    api_error(r3, 401, "invalid_credentials", "unknown phone")
    check("tm_session" not in "".join(r1.header_all("Set-Cookie") + r2.header_all("Set-Cookie")),
          "a failed login set a session cookie")
    # The 12-character minimum is for new passwords: a login of any length is only checked
    # against the stored hash (accounts made under the older 8-byte rule keep working).
    r4 = login(Client(), ident["email"], "short", expect=None)
    api_error(r4, 401, "invalid_credentials", "a short password at login")
    # ... but no more than TM_MAX_PASSWORD_BYTES (512) bytes: the work of a login is bounded
    e = api_error(login(Client(), ident["email"], "密" * 171, expect=None), 422, "validation_failed",
                  "a 513-byte password at login")
    check(("password", "password_too_long") in detail_codes(e), "513 bytes at login: %r" % e)
    login(Client(), ident["email"], ident["password"])  # one failure does not lock the account


@test
def login_throttle():
    ident = identity("throttle")
    register(Client(), ident)
    bystander = identity("bystander")
    register(Client(), bystander)
    for i in range(1, 6):
        r = login(Client(), ident["email"], "wrong-password-%d" % i, expect=None)
        api_error(r, 401, "invalid_credentials", "failed attempt %d" % i)
    c = Client()
    r = login(c, ident["email"], ident["password"], expect=None)
    api_error(r, 429, "login_throttled", "6th attempt with the right password")
    check("tm_session" not in c.cookies, "a throttled login set a session cookie")
    r = login(Client(), ident["email"], "wrong-again", expect=None)
    api_error(r, 429, "login_throttled", "7th attempt (wrong password)")
    # other accounts are not affected
    login(Client(), bystander["email"], bystander["password"])


# ------------------------------------------------------------------ SQL metacharacters


META = [
    ("<script>alert(1)</script>", "'; DROP TABLE users; --"),
    ("\" OR 1=1 --", "<script>alert(1)</script>"),
    ("O'Brien\\\\x\\", "反斜杠\\ \\' \\\" %_ `x` &amp; <b>粗</b>"),
]


@test
def sql_metacharacters_verbatim():
    problems = []
    for name, employer in META:
        ident = identity("meta", name=name, employer=employer)
        c = Client()
        r = c.post_json("/api/v1/trainees", ident)
        if r.status != 201:
            problems.append("register name=%r employer=%r: %s" % (name, employer, r.short()))
            continue
        j = r.json()
        if j.get("name") != name or j.get("employer") != employer:
            problems.append("register echoed name=%r employer=%r" % (j.get("name"), j.get("employer")))
        login(c, ident["email"], ident["password"])
        mj = c.get("/api/v1/me").json()
        if mj.get("name") != name:
            problems.append("/api/v1/me name %r != %r" % (mj.get("name"), name))
        if mj.get("employer") != employer:
            problems.append("/api/v1/me employer %r != %r" % (mj.get("employer"), employer))
        r = c.get("/me")
        if r.status != 200:
            problems.append("GET /me: %s" % r.short())
            continue
        page = parse_html(r.body)
        for eid, want in (("me-name", name), ("me-employer", employer)):
            got = page.text_of(eid)
            if got is None or got.strip() != want:
                problems.append("/me #%s text %r != %r" % (eid, got, want))
        if "<script>alert(1)</script>" in r.text:
            problems.append("/me shows <script>alert(1)</script> unescaped")
        if "<script>" in name + employer and "&lt;script&gt;alert(1)&lt;/script&gt;" not in r.text:
            problems.append("/me does not contain &lt;script&gt;alert(1)&lt;/script&gt;")
        if "<b>粗</b>" in r.text:
            problems.append("/me shows <b> unescaped")
    check(not problems, " | ".join(problems))


@test
def sql_injection_in_login_fails():
    # a per-run tag keeps reruns on one database clear of the login throttle
    tag = "%06d" % random.SystemRandom().randint(0, 999999)
    for lg, pw in (("\" OR 1=1 -- " + tag, "x' OR '1'='1"), ("' OR '1'='1' -- " + tag, "' OR '1'='1"),
                   ("admin'--" + tag, "anything1"), ("%" + tag + "%", "%%%%%%%%"), ("*" + tag, "********")):
        r = login(Client(), lg, pw, expect=None)
        check(r.status == 401, "login %r / %r: expected 401, got %s" % (lg, pw, r.short()))
    r = Client().get("/healthz")
    check(r.status == 200, "healthz after injection attempts: %s" % r.short())
    ident = identity("after-sqli")
    register(Client(), ident)
    login(Client(), ident["email"], ident["password"])


# ------------------------------------------------------------------ first admin (tmcred-ctl)

@test
def ctl_admin_create_first_admin():
    """tmcred-ctl admin-create: the first admin of a deployment without demo data
    (docs/operations.md). Refusals change nothing."""
    from t_certs import ctl, sql1
    email = "ops-%d@example.org" % random.randrange(10**9)
    pw = "运维 correct horse %d" % random.randrange(10**6)

    def users():
        return int(sql1("SELECT COUNT(*) FROM users WHERE email = '%s'" % email))

    err = ctl("admin-create", email, "运维管理员", stdin=b"short\n", expect_rc=2)
    # 11 characters (33 bytes): under the 12-character minimum of every new password
    ctl("admin-create", email, "运维管理员", stdin=("测" * 11 + "\n").encode(), expect_rc=2)
    ctl("admin-create", email, "运维管理员", stdin=("a" * 129 + "\n").encode(), expect_rc=2)
    ctl("admin-create", "not-an-email", "运维管理员", stdin=(pw + "\n").encode(), expect_rc=2)
    ctl("admin-create", email, "", stdin=(pw + "\n").encode(), expect_rc=2)
    ctl("admin-create", email, stdin=(pw + "\n").encode(), expect_rc=2)
    check(users() == 0 and err == "", "refused admin-create stored an account or printed %r" % err)
    out = ctl("admin-create", email.upper(), "运维管理员", stdin=(pw + "\n").encode())
    check(pw not in out, "admin-create echoed the password it was given")
    check(users() == 1, "admin-create: %d accounts with the address" % users())
    check(int(sql1("SELECT COUNT(*) FROM audit_log a JOIN users u ON a.object_id = u.id"
                   " WHERE u.email = '%s' AND a.action = 'account.register'" % email)) == 1,
          "admin-create wrote no account.register audit row")
    ctl("admin-create", email, "又一个", stdin=(pw + "\n").encode(), expect_rc=1)
    check(users() == 1, "a second admin-create with the same address stored another account")
    c = Client("ops")
    r = login(c, email, pw)
    check(r.json().get("role") == "admin" and r.json().get("name") == "运维管理员",
          "the new admin logs in as %r" % r.json())
    r = c.get("/api/v1/level-rules")
    check(r.status == 200, "the new admin on an admin route: %s" % r.short())
