"""Shared helpers for the courses / enrolment / records / credit-ledger tests
(t_courses.py, t_ledger.py).  Python 3 standard library only.

Every test builds what it needs itself: its own training base (IT-xxxxxx),
its own offerings and fresh trainees; only the demo admin (for the admin API)
and the demo trainee (whose 2024/2025 ledger is fixed by `tmcred-ctl demo`)
come from demo_logins.
"""

import datetime
import json
import random
import string

import demo_logins
import lib
from lib import Client, TestFailure, check, login

_rng = random.SystemRandom()
_admin = []
_demo_trainee = []
_base = []

LEVELS = ("junior", "intermediate", "senior")
MODULES = ("PUB", "POL", "PRA", "ADV")
SUBJECTS = ("professional", "general")

# Demo catalogue courses the tests lean on (db/seed/demo.sql).
PRO_J = "J-PRA-01"      # junior, professional, compulsory, 8 学时
GEN_J = "J-PUB-01"      # junior, general, compulsory, 8 学时
GEN_I = "I-PUB-01"      # intermediate, general
PRO_I = "I-PRA-01"      # intermediate, professional
GEN_S = "S-PUB-01"      # senior, general


def test_collector():
    tests = []

    def test(fn):
        tests.append(fn)
        return fn
    return tests, test


def json_ok(r, status, what):
    check(r.status == status, "%s: expected %d, got %s" % (what, status, r.short()))
    ct = r.header("Content-Type", "")
    check("application/json" in ct.lower(),
          "%s: Content-Type should be application/json, got %r" % (what, ct))
    j = r.json()
    check(isinstance(j, dict), "%s: body is not a JSON object: %s" % (what, r.short()))
    return j


def html_ok(r, status, what):
    check(r.status == status, "%s: expected %d, got %s" % (what, status, r.short()))
    ct = r.header("Content-Type", "")
    check("text/html" in ct.lower(), "%s: Content-Type should be text/html, got %r" % (what, ct))
    page = lib.parse_html(r.body)
    check(page.html_lang == "zh-CN", "%s: <html lang> is %r" % (what, page.html_lang))
    return page


def error_422(r, what):
    """A 422 JSON error of any code (the contract names no code)."""
    check(r.status == 422, "%s: expected 422, got %s" % (what, r.short()))
    j = r.json()
    check(isinstance(j.get("error"), dict) and j["error"].get("code"),
          "%s: no {\"error\":{\"code\"...}}: %s" % (what, r.short()))
    return j["error"]


def demo():
    try:
        return demo_logins.logins()
    except demo_logins.DemoUnavailable as e:
        raise TestFailure("demo logins unavailable: %s" % e)


def admin():
    """A logged-in client of the demo admin (ADMIN_LOGIN), cached."""
    if not _admin:
        d = demo()
        c = Client("admin")
        r = login(c, d["ADMIN_LOGIN"], d["ADMIN_PASSWORD"], expect=None)
        check(r.status == 200, "admin login (%s): %s" % (d["ADMIN_LOGIN"], r.short()))
        check(r.json().get("role") == "admin", "ADMIN_LOGIN logs in with role %r" % r.json().get("role"))
        _admin.append(c)
    return _admin[0]


def demo_trainee():
    if not _demo_trainee:
        d = demo()
        c = Client("demo-trainee")
        r = login(c, d["TRAINEE_LOGIN"], d["TRAINEE_PASSWORD"], expect=None)
        check(r.status == 200, "demo trainee login (%s): %s" % (d["TRAINEE_LOGIN"], r.short()))
        _demo_trainee.append(c)
    return _demo_trainee[0]


def fresh_trainee(tag="ce"):
    return lib.registered_and_logged_in(tag)


def today():
    # the stack runs on this machine; keep >= 2 days away from "today" in
    # every date-sensitive request so UTC vs Asia/Shanghai cannot matter
    return datetime.date.today()


def day(n):
    return (today() + datetime.timedelta(days=n)).isoformat()


def rand_code(prefix="IT-", n=6):
    return prefix + "".join(_rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def new_base(status=None):
    a = admin()
    code = rand_code()
    body = {"code": code, "name": "集成测试基地 %s" % code, "region": "浦东新区"}
    r = a.post_json("/api/v1/bases", body)
    json_ok(r, 201, "POST /api/v1/bases %s" % code)
    if status:
        r = a.post_json("/api/v1/bases/" + code, {"name": body["name"], "region": body["region"],
                                                  "status": status})
        json_ok(r, 200, "POST /api/v1/bases/%s status %s" % (code, status))
    return code


def test_base():
    """One active base shared by the tests of this run."""
    if not _base:
        _base.append(new_base())
    return _base[0]


def new_offering(course, starts=20, ends=21, capacity=10, base=None):
    """An offering created by the admin; starts/ends are day offsets from today."""
    body = {"course_code": course, "base_code": base or test_base(),
            "starts_on": day(starts), "ends_on": day(ends), "capacity": capacity}
    r = admin().post_json("/api/v1/offerings", body)
    j = json_ok(r, 201, "POST /api/v1/offerings %s" % json.dumps(body, ensure_ascii=False))
    check(isinstance(j.get("id"), int) and j["id"] > 0, "POST /api/v1/offerings: id %r" % j)
    return j["id"]


def update_offering(oid, starts, ends, capacity, status=None, expect=200):
    body = {"starts_on": day(starts), "ends_on": day(ends), "capacity": capacity}
    if status:
        body["status"] = status
    r = admin().post_json("/api/v1/offerings/%d" % oid, body)
    if expect is not None:
        check(r.status == expect, "POST /api/v1/offerings/%d %s: expected %d, got %s"
              % (oid, json.dumps(body), expect, r.short()))
    return r


def offering(course, oid, client=None):
    """The offering as GET /api/v1/courses/{code} shows it (to client, or anonymous)."""
    c = client or Client("anon")
    r = c.get("/api/v1/courses/" + course)
    j = json_ok(r, 200, "GET /api/v1/courses/%s" % course)
    offs = j.get("offerings")
    check(isinstance(offs, list), "GET /api/v1/courses/%s: offerings is not a list: %r" % (course, j))
    for o in offs:
        if o.get("id") == oid:
            return o
    raise TestFailure("GET /api/v1/courses/%s: offering %d not listed (ids %r)"
                      % (course, oid, [o.get("id") for o in offs]))


def seats_left(course, oid):
    return offering(course, oid)["seats_left"]


def enrol(client, oid):
    return client.post_json("/api/v1/enrolments", {"offering_id": oid})


def withdraw(client, oid):
    return client.post_json("/api/v1/enrolments/%d/withdraw" % oid, {})


def add_record(id_number, course, hours, on, base=None, expect=201):
    body = {"id_number": id_number, "course_code": course, "hours": hours, "completed_on": on}
    if base:
        body["base_code"] = base
    r = admin().post_json("/api/v1/records", body)
    if expect is not None:
        check(r.status == expect, "POST /api/v1/records %s %s 学时 on %s: expected %d, got %s"
              % (course, hours, on, expect, r.short()))
    return r


def add_records(id_number, course, plan):
    """plan: [(date, hours_str), ...]; returns the record ids."""
    ids = []
    for on, h in plan:
        j = add_record(id_number, course, h, on).json()
        ids.append(j["id"])
    return ids


def reverse(rid, reason="集成测试冲正", expect=201):
    r = admin().post_json("/api/v1/records/%d/reverse" % rid, {"reason": reason})
    if expect is not None:
        check(r.status == expect, "POST /api/v1/records/%d/reverse: expected %d, got %s"
              % (rid, expect, r.short()))
    return r


def credits(client, year):
    r = client.get("/api/v1/me/credits?year=%d" % year)
    return json_ok(r, 200, "GET /api/v1/me/credits?year=%d" % year)


def my_records(client):
    r = client.get("/api/v1/me/records")
    return json_ok(r, 200, "GET /api/v1/me/records")


def num_eq(a, b):
    return isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a - b) < 1e-9


def check_num(obj, key, want, what):
    check(num_eq(obj.get(key), want), "%s: %s is %r, expected %s" % (what, key, obj.get(key), want))


def fmt_hours(h):
    """How the zh-CN message spells an amount of 学时: 7.5, 40 (no .0)."""
    return ("%d" % h) if float(h).is_integer() else ("%g" % h)


def missing_message(missing, missing_pro):
    return "还差 %s 学时，其中专业科目还差 %s 学时" % (fmt_hours(missing), fmt_hours(missing_pro))


def ledger_snapshot(client, years):
    """Everything a refused request must leave unchanged for this trainee."""
    recs = my_records(client)
    return (json.dumps(recs, sort_keys=True),
            [json.dumps(credits(client, y), sort_keys=True) for y in years])
