"""Courses: the public catalogue (JSON and /courses pages), admin bases and
offerings, enrolment and withdrawal (JSON and HTML forms), seats under a
parallel race, and "every 4xx changes nothing" for enrolments."""

import json
import threading

import lib
from batches_common import ledger_years_mismatches
from lib import Client, api_error, check, detail_codes, has_cjk, parse_html
from courses_common import (GEN_I, GEN_J, GEN_S, LEVELS, MODULES, PRO_J, SUBJECTS, admin,
                            day, demo, enrol, fresh_trainee, html_ok, json_ok, new_offering,
                            offering, rand_code, seats_left, test_base, test_collector,
                            update_offering, withdraw)

TESTS, test = test_collector()

COURSE_FIELDS = ("code", "title", "level", "level_name", "module", "module_name", "hours",
                 "practical", "compulsory", "subject", "subject_name")
OFFERING_FIELDS = ("id", "base_code", "base_name", "region", "starts_on", "ends_on", "capacity",
                   "seats_left", "status", "enrollable", "enrolled", "withdrawable")


def _courses(query=""):
    demo()  # the catalogue comes with `tmcred-ctl demo` (run once, cached)
    r = Client().get("/api/v1/courses" + query)
    j = json_ok(r, 200, "GET /api/v1/courses" + query)
    cs = j.get("courses")
    check(isinstance(cs, list), "GET /api/v1/courses%s: courses is not a list: %s" % (query, r.short()))
    check(j.get("count") == len(cs), "GET /api/v1/courses%s: count %r but %d courses"
          % (query, j.get("count"), len(cs)))
    return cs


def _check_course_shape(c, what):
    for k in COURSE_FIELDS:
        check(k in c, "%s: course lacks %r: %r" % (what, k, c))
    check(c["level"] in LEVELS, "%s: level %r" % (what, c["level"]))
    check(c["module"] in MODULES, "%s: module %r" % (what, c["module"]))
    check(c["subject"] in SUBJECTS, "%s: subject %r" % (what, c["subject"]))
    for k in ("title", "level_name", "module_name", "subject_name"):
        check(isinstance(c[k], str) and has_cjk(c[k]), "%s: %s should be zh-CN text: %r" % (what, k, c[k]))
    h = c["hours"]
    check(isinstance(h, (int, float)) and not isinstance(h, bool) and h > 0 and float(h * 2).is_integer(),
          "%s: hours should be a positive JSON number in half hours: %r" % (what, h))
    for k in ("practical", "compulsory"):
        check(isinstance(c[k], bool), "%s: %s should be a JSON boolean: %r" % (what, k, c[k]))


# ------------------------------------------------------------------ catalogue


@test
def courses_catalogue_and_filters():
    allc = _courses()
    check(len(allc) >= 17, "GET /api/v1/courses: expected the 17 demo courses, got %d" % len(allc))
    for c in allc:
        _check_course_shape(c, "GET /api/v1/courses %s" % c.get("code"))
    codes = [c["code"] for c in allc]
    check(len(set(codes)) == len(codes), "duplicate course codes: %r" % codes)
    for code in (PRO_J, GEN_J, GEN_I, GEN_S):
        check(code in codes, "demo course %s not in the catalogue" % code)
    by = {c["code"]: c for c in allc}
    pj, gj = by[PRO_J], by[GEN_J]
    check(pj["subject"] == "professional" and pj["level"] == "junior" and pj["module"] == "PRA",
          "%s should be junior PRA professional: %r" % (PRO_J, pj))
    check(gj["subject"] == "general" and gj["compulsory"] is True and gj["module"] == "PUB",
          "%s should be junior PUB general compulsory: %r" % (GEN_J, gj))
    check(pj["level_name"] == "初级", "junior level_name %r, expected 初级" % pj["level_name"])

    seen = set()
    for lv in LEVELS:
        sub = _courses("?level=" + lv)
        check(sub, "GET /api/v1/courses?level=%s: empty" % lv)
        bad = [c["code"] for c in sub if c["level"] != lv]
        check(not bad, "GET /api/v1/courses?level=%s lists other levels: %r" % (lv, bad))
        want = {c["code"] for c in allc if c["level"] == lv}
        check({c["code"] for c in sub} == want, "GET /api/v1/courses?level=%s: %r, expected %r"
              % (lv, sorted(c["code"] for c in sub), sorted(want)))
        seen |= want
    check(seen == set(codes), "level filters do not cover the catalogue")
    for m in MODULES:
        sub = _courses("?module=" + m)
        want = {c["code"] for c in allc if c["module"] == m}
        check({c["code"] for c in sub} == want, "GET /api/v1/courses?module=%s: %r, expected %r"
              % (m, sorted(c["code"] for c in sub), sorted(want)))
    sub = _courses("?level=junior&module=PRA")
    want = {c["code"] for c in allc if c["level"] == "junior" and c["module"] == "PRA"}
    check(want and {c["code"] for c in sub} == want, "GET /api/v1/courses?level=junior&module=PRA: %r, "
          "expected %r" % (sorted(c["code"] for c in sub), sorted(want)))


@test
def courses_bad_filter_422():
    for q in ("?level=expert", "?module=XYZ", "?level=junior&module=nope", "?module=PUB&level=3",
              "?level=junior%27%20OR%201%3D1--"):
        r = Client().get("/api/v1/courses" + q)
        api_error(r, 422, "validation_failed", "GET /api/v1/courses" + q)


@test
def course_detail_and_unknown():
    allc = {c["code"]: c for c in _courses()}
    oid = new_offering(PRO_J, 25, 26, 7)
    r = Client().get("/api/v1/courses/" + PRO_J)
    j = json_ok(r, 200, "GET /api/v1/courses/" + PRO_J)
    for k in COURSE_FIELDS:
        check(k in j, "GET /api/v1/courses/%s lacks the course field %r: %s" % (PRO_J, k, r.short()))
        check(j[k] == allc[PRO_J][k], "GET /api/v1/courses/%s: %s is %r, the list says %r"
              % (PRO_J, k, j[k], allc[PRO_J][k]))
    o = offering(PRO_J, oid)
    for k in OFFERING_FIELDS:
        check(k in o, "offering %d lacks %r: %r" % (oid, k, o))
    check(o["base_code"] == test_base(), "offering base_code %r, expected %r" % (o["base_code"], test_base()))
    check(has_cjk(o["base_name"]) and has_cjk(o["region"]), "offering base_name/region: %r" % o)
    check(o["starts_on"] == day(25) and o["ends_on"] == day(26), "offering dates %r/%r, expected %s/%s"
          % (o["starts_on"], o["ends_on"], day(25), day(26)))
    check(o["capacity"] == 7 and o["seats_left"] == 7, "new offering capacity/seats_left %r/%r, expected 7/7"
          % (o["capacity"], o["seats_left"]))
    check(o["status"] == "open", "new offering status %r" % o["status"])
    check(o["enrolled"] is False and o["withdrawable"] is False,
          "anonymous view: enrolled/withdrawable should be false: %r" % o)
    for code in ("NO-SUCH-9", "J-PRA-99"):
        api_error(Client().get("/api/v1/courses/" + code), 404, "course_not_found", "GET /api/v1/courses/" + code)


# ------------------------------------------------------------------ admin: bases


@test
def admin_bases_create_update_list():
    a = admin()
    code = rand_code()
    r = a.post_json("/api/v1/bases", {"code": code, "name": "集成测试基地甲", "region": "徐汇区"})
    json_ok(r, 201, "POST /api/v1/bases %s" % code)
    r = a.post_json("/api/v1/bases", {"code": code, "name": "另一个基地", "region": "静安区"})
    api_error(r, 409, "base_code_taken", "POST /api/v1/bases with a taken code")
    r = a.get("/api/v1/bases")
    bases = json_ok(r, 200, "GET /api/v1/bases").get("bases")
    check(isinstance(bases, list), "GET /api/v1/bases: bases is not a list")
    mine = [b for b in bases if b.get("code") == code]
    check(len(mine) == 1, "GET /api/v1/bases: %s listed %d times" % (code, len(mine)))
    check(mine[0].get("name") == "集成测试基地甲" and mine[0].get("region") == "徐汇区",
          "the 409 must not have changed the base: %r" % mine[0])
    for c in ("SH-STEX", "SH-FUDAN", "SH-SJTU", "SH-TONGJI"):
        check(any(b.get("code") == c for b in bases), "demo base %s not in GET /api/v1/bases" % c)

    r = a.post_json("/api/v1/bases/" + code, {"name": "集成测试基地乙", "region": "长宁区", "status": "suspended"})
    json_ok(r, 200, "POST /api/v1/bases/%s" % code)
    bases = json_ok(a.get("/api/v1/bases"), 200, "GET /api/v1/bases").get("bases")
    b = [x for x in bases if x.get("code") == code][0]
    check(b.get("name") == "集成测试基地乙" and b.get("region") == "长宁区" and b.get("status") == "suspended",
          "after the update: %r" % b)
    # an inactive base takes no offerings
    r = a.post_json("/api/v1/offerings", {"course_code": GEN_J, "base_code": code, "starts_on": day(20),
                                          "ends_on": day(21), "capacity": 5})
    api_error(r, 404, "base_not_found", "POST /api/v1/offerings on a suspended base")
    r = a.post_json("/api/v1/bases/" + code, {"name": "集成测试基地乙", "region": "长宁区", "status": "closed"})
    json_ok(r, 200, "POST /api/v1/bases/%s status closed" % code)
    r = a.post_json("/api/v1/offerings", {"course_code": GEN_J, "base_code": code, "starts_on": day(20),
                                          "ends_on": day(21), "capacity": 5})
    api_error(r, 404, "base_not_found", "POST /api/v1/offerings on a closed base")
    r = a.post_json("/api/v1/bases/" + code, {"name": "集成测试基地乙", "region": "长宁区", "status": "active"})
    json_ok(r, 200, "POST /api/v1/bases/%s status active" % code)
    new_offering(GEN_J, 20, 21, 5, base=code)


@test
def admin_endpoints_refuse_trainee_and_anonymous():
    t, _ = fresh_trainee("adm403")
    code = rand_code()
    before = json.dumps(admin().get("/api/v1/bases").json(), sort_keys=True)
    off = {"course_code": GEN_J, "base_code": test_base(), "starts_on": day(20), "ends_on": day(21),
           "capacity": 5}
    oid = new_offering(GEN_J, 22, 23, 5)
    reqs = [("GET", "/api/v1/bases", None),
            ("POST", "/api/v1/bases", {"code": code, "name": "越权基地", "region": "浦东新区"}),
            ("POST", "/api/v1/bases/" + test_base(), {"name": "越权改名", "region": "浦东新区", "status": "closed"}),
            ("POST", "/api/v1/offerings", off),
            ("POST", "/api/v1/offerings/%d" % oid, {"starts_on": day(22), "ends_on": day(23), "capacity": 1,
                                                    "status": "cancelled"}),
            ("POST", "/api/v1/offerings/%d/complete" % oid, {}),
            ("POST", "/api/v1/records", {"id_number": lib.make_id(), "course_code": GEN_J, "hours": "2",
                                         "completed_on": day(-3)})]
    for who, c, status, ecode in (("trainee", t, 403, "forbidden"), ("anonymous", Client(), 401, "unauthorized")):
        for m, p, body in reqs:
            r = c.get(p) if m == "GET" else c.post_json(p, body)
            api_error(r, status, ecode, "%s %s %s" % (who, m, p))
    after = json.dumps(admin().get("/api/v1/bases").json(), sort_keys=True)
    check(before == after, "refused base requests changed GET /api/v1/bases")
    o = offering(GEN_J, oid)
    check(o["status"] == "open" and o["capacity"] == 5, "refused offering update changed it: %r" % o)


# ------------------------------------------------------------------ admin: offerings


@test
def admin_offering_validation():
    a = admin()
    base = test_base()
    good = {"course_code": GEN_J, "base_code": base, "starts_on": day(20), "ends_on": day(21), "capacity": 5}

    def post(**over):
        return a.post_json("/api/v1/offerings", dict(good, **over))

    def ids():
        r = a.get("/api/v1/offerings")
        offs = json_ok(r, 200, "GET /api/v1/offerings").get("offerings")
        check(isinstance(offs, list), "GET /api/v1/offerings: offerings is not a list")
        return sorted(o.get("id") for o in offs)
    before = ids()
    api_error(post(starts_on=day(21), ends_on=day(20)), 422, "dates_invalid", "ends before starts")
    api_error(post(course_code="NOPE-01"), 404, "course_not_found", "unknown course")
    api_error(post(base_code="ZZ-NOSUCH"), 404, "base_not_found", "unknown base")
    for bad in ("2026/12/01", "01.12.2026", "2026-02-30", "tomorrow", "2027-1-5"):
        e = api_error(post(starts_on=bad), 422, "validation_failed", "starts_on %r" % bad)
        check(("starts_on", "date_invalid") in detail_codes(e),
              "starts_on %r: details should hold (starts_on, date_invalid): %r" % (bad, e.get("details")))
    e = api_error(post(ends_on="2027-13-01"), 422, "validation_failed", "ends_on 2027-13-01")
    check(("ends_on", "date_invalid") in detail_codes(e), "ends_on details: %r" % e.get("details"))
    check(ids() == before, "refused POST /api/v1/offerings created offerings")


@test
def admin_offering_update_and_capacity_below_enrolled():
    oid = new_offering(GEN_J, 30, 31, 3)
    t1, _ = fresh_trainee("cap1")
    t2, _ = fresh_trainee("cap2")
    json_ok(enrol(t1, oid), 201, "enrol t1")
    json_ok(enrol(t2, oid), 201, "enrol t2")
    check(seats_left(GEN_J, oid) == 1, "seats_left after 2 of 3: %r" % seats_left(GEN_J, oid))
    r = update_offering(oid, 30, 31, 1, expect=None)
    api_error(r, 409, "capacity_below_enrolled", "capacity 1 with 2 enrolled")
    o = offering(GEN_J, oid)
    check(o["capacity"] == 3 and o["seats_left"] == 1, "a refused capacity change changed the offering: %r" % o)
    json_ok(update_offering(oid, 32, 34, 2), 200, "capacity 2 with 2 enrolled")
    o = offering(GEN_J, oid)
    check(o["capacity"] == 2 and o["seats_left"] == 0, "after capacity 2: %r" % o)
    check(o["starts_on"] == day(32) and o["ends_on"] == day(34), "dates not updated: %r" % o)
    t3, _ = fresh_trainee("cap3")
    api_error(enrol(t3, oid), 409, "offering_full", "enrol in the shrunk, full offering")
    api_error(update_offering(oid, 34, 33, 2, expect=None), 422, "dates_invalid", "update with ends before starts")
    r = admin().post_json("/api/v1/offerings/99999999", {"starts_on": day(20), "ends_on": day(21), "capacity": 5})
    api_error(r, 404, "offering_not_found", "POST /api/v1/offerings/99999999")


@test
def admin_offering_complete():
    a = admin()
    past = new_offering(GEN_J, -10, -8, 5)
    r = a.post_json("/api/v1/offerings/%d/complete" % past, {})
    j = json_ok(r, 200, "complete a past offering")
    check(j.get("credited") == 0, "complete a past offering with nobody enrolled: credited %r" % j.get("credited"))
    fut = new_offering(GEN_J, 20, 21, 5)
    r = a.post_json("/api/v1/offerings/%d/complete" % fut, {})
    api_error(r, 409, "offering_not_finished", "complete a future offering")
    running = new_offering(GEN_J, -2, 3, 5)
    r = a.post_json("/api/v1/offerings/%d/complete" % running, {})
    api_error(r, 409, "offering_not_finished", "complete an offering that has not ended")


@test
def offering_complete_credits_the_enrolled():
    """Enrol, then the admin moves the offering into the past: withdrawing is
    refused (started) and completion credits the one still enrolled."""
    oid = new_offering(PRO_J, 20, 21, 5)
    ta, _ = fresh_trainee("done-a")
    tb, _ = fresh_trainee("done-b")
    json_ok(enrol(ta, oid), 201, "enrol a")
    json_ok(enrol(tb, oid), 201, "enrol b")
    json_ok(withdraw(tb, oid), 200, "withdraw b")
    r = update_offering(oid, -4, -3, 5, expect=None)
    if r.status != 200:
        return "SKIP the admin may not move an offering with enrolments into the past (%s)" % r.short()
    api_error(withdraw(ta, oid), 409, "offering_started", "withdraw after the start")
    r = admin().post_json("/api/v1/offerings/%d/complete" % oid, {})
    j = json_ok(r, 200, "complete")
    check(j.get("credited") == 1, "complete with one enrolled (one withdrawn): credited %r" % j.get("credited"))
    hours = [c for c in _courses("?level=junior") if c["code"] == PRO_J][0]["hours"]
    ra = ta.get("/api/v1/me/records").json().get("records") or []
    check([x.get("course_code") for x in ra] == [PRO_J] and ra[0].get("hours") == hours,
          "trainee a after completion: records %r, expected one %s of %s 学时" % (ra, PRO_J, hours))
    rb = tb.get("/api/v1/me/records").json().get("records")
    check(rb == [], "the withdrawn trainee got records: %r" % rb)
    check(ledger_years_mismatches() in ([0, 0], None),
          "ledger_years differs from training_records after an offering's completion: %r" % ledger_years_mismatches())


# ------------------------------------------------------------------ enrolment


@test
def enrol_withdraw_flow():
    oid = new_offering(GEN_J, 20, 21, 4)
    t, _ = fresh_trainee("enrol")
    o = offering(GEN_J, oid, t)
    check(o["enrollable"] is True and o["enrolled"] is False and o["withdrawable"] is False,
          "before enrolling: %r" % o)
    r = enrol(t, oid)
    j = json_ok(r, 201, "POST /api/v1/enrolments")
    check(j.get("offering_id") == oid and j.get("course_code") == GEN_J and j.get("status") == "enrolled",
          "enrol body %r" % j)
    o = offering(GEN_J, oid, t)
    check(o["seats_left"] == 3, "seats_left after enrolling: %r, expected 3" % o["seats_left"])
    check(o["enrolled"] is True and o["withdrawable"] is True and o["enrollable"] is False,
          "after enrolling: %r" % o)
    api_error(enrol(t, oid), 409, "already_enrolled", "enrol twice")
    check(seats_left(GEN_J, oid) == 3, "the refused second enrolment changed seats_left")
    r = withdraw(t, oid)
    j = json_ok(r, 200, "POST /api/v1/enrolments/%d/withdraw" % oid)
    check(j.get("status") == "withdrawn", "withdraw body %r" % j)
    o = offering(GEN_J, oid, t)
    check(o["seats_left"] == 4 and o["enrolled"] is False and o["withdrawable"] is False,
          "after withdrawing: %r" % o)
    api_error(withdraw(t, oid), 409, "not_enrolled", "withdraw twice")
    t2, _ = fresh_trainee("notenr")
    api_error(withdraw(t2, oid), 409, "not_enrolled", "withdraw without an enrolment")
    check(seats_left(GEN_J, oid) == 4, "refused withdrawals changed seats_left")


@test
def enrol_refusals_change_nothing():
    t, _ = fresh_trainee("refuse")
    full = new_offering(GEN_J, 20, 21, 1)
    other, _ = fresh_trainee("filler")
    json_ok(enrol(other, full), 201, "fill the capacity-1 offering")
    started = new_offering(GEN_J, -1, 3, 5)
    past = new_offering(GEN_J, -6, -5, 5)
    cancelled = new_offering(GEN_J, 20, 21, 5)
    json_ok(update_offering(cancelled, 20, 21, 5, status="cancelled"), 200, "cancel")
    check(offering(GEN_J, cancelled)["status"] == "cancelled", "status after cancelling")
    inter = new_offering(GEN_I, 20, 21, 5)
    senior = new_offering(GEN_S, 20, 21, 5)
    # (the contract leaves open whether "enrollable" reflects the trainee's level access;
    # for a full, started or cancelled offering it cannot be true)
    cases = [(full, GEN_J, 409, "offering_full", True), (started, GEN_J, 409, "offering_started", True),
             (past, GEN_J, 409, "offering_started", True), (cancelled, GEN_J, 409, "offering_cancelled", True),
             (inter, GEN_I, 422, "level_not_open", False), (senior, GEN_S, 422, "level_not_open", False)]
    before = {oid: offering(course, oid)["seats_left"] for oid, course, _, _, _ in cases}
    for oid, course, status, code, closed in cases:
        api_error(enrol(t, oid), status, code, "enrol in offering %d (%s)" % (oid, code))
        o = offering(course, oid, t)
        check(o["enrolled"] is False, "after a refused enrolment (%s) the trainee shows as enrolled" % code)
        check(not closed or o["enrollable"] is False,
              "offering with %s is shown enrollable to this trainee: %r" % (code, o))
    after = {oid: offering(course, oid)["seats_left"] for oid, course, _, _, _ in cases}
    check(before == after, "refused enrolments changed seats_left: %r -> %r" % (before, after))
    api_error(enrol(t, 99999999), 404, "offering_not_found", "enrol in an unknown offering")
    for bad in ({}, {"offering_id": "abc"}, {"offering_id": -1}):
        r = t.post_json("/api/v1/enrolments", bad)
        check(r.status in (404, 422), "POST /api/v1/enrolments %r: expected 404/422, got %s" % (bad, r.short()))
    check(t.get("/api/v1/me/records").json().get("records") == [], "refusals created records")


@test
def enrol_needs_a_trainee():
    oid = new_offering(GEN_J, 20, 21, 5)
    api_error(Client().post_json("/api/v1/enrolments", {"offering_id": oid}), 401, "unauthorized",
              "enrol without a session")
    api_error(admin().post_json("/api/v1/enrolments", {"offering_id": oid}), 403, "forbidden",
              "enrol as the admin (no person)")
    api_error(Client().post_json("/api/v1/enrolments/%d/withdraw" % oid, {}), 401, "unauthorized",
              "withdraw without a session")
    check(seats_left(GEN_J, oid) == 5, "refused enrolments changed seats_left")


def _parallel(fns):
    """Run the callables at once (barrier), return their results in order."""
    out = [None] * len(fns)
    bar = threading.Barrier(len(fns))

    def run(i):
        try:
            bar.wait(timeout=30)
            out[i] = fns[i]()
        except Exception as e:  # noqa: BLE001
            out[i] = e
    ths = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for th in ths:
        th.start()
    for th in ths:
        th.join(60)
    check(not any(th.is_alive() for th in ths), "parallel requests did not finish within 60 s")
    return out


def _status_code(r):
    if isinstance(r, Exception):
        return "exception %s: %s" % (type(r).__name__, r)
    code = None
    if r.status >= 400:
        try:
            code = r.json()["error"]["code"]
        except Exception:  # noqa: BLE001
            code = r.body[:80]
    return (r.status, code)


@test
def last_seat_race_many_trainees():
    n = 8
    oid = new_offering(GEN_J, 20, 21, 1)
    trainees = [fresh_trainee("race%d" % i)[0] for i in range(n)]
    res = _parallel([(lambda c=c: enrol(c, oid)) for c in trainees])
    got = [_status_code(r) for r in res]
    wins = [g for g in got if g == (201, None)]
    full = [g for g in got if g == (409, "offering_full")]
    check(len(wins) == 1 and len(full) == n - 1,
          "%d trainees racing for 1 seat: expected one 201 and %d x 409 offering_full, got %r"
          % (n, n - 1, got))
    o = offering(GEN_J, oid)
    check(o["seats_left"] == 0, "seats_left after the race: %r, expected 0" % o["seats_left"])
    enrolled = [c for c in trainees if offering(GEN_J, oid, c)["enrolled"]]
    check(len(enrolled) == 1, "%d trainees see themselves enrolled, expected 1" % len(enrolled))


@test
def last_seats_race_capacity_three():
    n, cap = 9, 3
    oid = new_offering(PRO_J, 20, 21, cap)
    trainees = [fresh_trainee("race3-%d" % i)[0] for i in range(n)]
    got = [_status_code(r) for r in _parallel([(lambda c=c: enrol(c, oid)) for c in trainees])]
    wins = [g for g in got if g == (201, None)]
    full = [g for g in got if g == (409, "offering_full")]
    check(len(wins) == cap and len(full) == n - cap,
          "%d trainees racing for %d seats: expected %d x 201 and %d x 409 offering_full, got %r"
          % (n, cap, cap, n - cap, got))
    check(seats_left(PRO_J, oid) == 0, "seats_left after the race: %r" % seats_left(PRO_J, oid))


@test
def same_trainee_double_enrol_race():
    oid = new_offering(GEN_J, 20, 21, 5)
    t, _ = fresh_trainee("dbl")
    got = [_status_code(r) for r in _parallel([(lambda: enrol(t, oid)) for _ in range(6)])]
    wins = [g for g in got if g == (201, None)]
    dup = [g for g in got if g == (409, "already_enrolled")]
    check(len(wins) == 1 and len(dup) == 5,
          "one trainee enrolling 6 times at once: expected one 201 and 5 x 409 already_enrolled, got %r" % got)
    check(seats_left(GEN_J, oid) == 4, "seats_left after the double-enrol race: %r, expected 4"
          % seats_left(GEN_J, oid))


# ------------------------------------------------------------------ HTML


@test
def html_courses_page_and_filters():
    allc = _courses()
    r = Client().get("/courses")
    html_ok(r, 200, "GET /courses")
    for c in allc:
        check(('href="/courses/%s"' % c["code"]) in r.text, "GET /courses: no link to /courses/%s" % c["code"])
    for lv in LEVELS:
        check(('href="/courses?level=%s"' % lv) in r.text, "GET /courses: no filter link /courses?level=%s" % lv)
    for m in MODULES:
        check(("/courses?module=%s" % m) in r.text, "GET /courses: no filter link for module %s" % m)
    check("初级" in r.text and "中级" in r.text and "高级" in r.text, "GET /courses: level names missing")
    r = Client().get("/courses?level=junior")
    html_ok(r, 200, "GET /courses?level=junior")
    for c in allc:
        link = 'href="/courses/%s"' % c["code"]
        if c["level"] == "junior":
            check(link in r.text, "GET /courses?level=junior: no link to junior %s" % c["code"])
        else:
            check(link not in r.text, "GET /courses?level=junior lists %s (%s)" % (c["code"], c["level"]))


def _offering_forms(page, oid):
    enrol_f = [f for f in page.forms if (f["action"] or "") == "/enrolments"
               and any(i.get("name") == "offering_id" and i.get("value") == str(oid) for i in f["inputs"])]
    wd = page.form_with_action("/enrolments/%d/withdraw" % oid)
    return (enrol_f[0] if enrol_f else None), wd


def _has_button(form, cls):
    return any(cls in (b.get("class") or "").split() for b in form["buttons"])


@test
def html_course_page_enrol_and_withdraw():
    oid = new_offering(GEN_J, 20, 21, 6)
    path = "/courses/" + GEN_J
    # anonymous: the offering, but no enrol form
    r = Client().get(path)
    page = html_ok(r, 200, "GET %s (anonymous)" % path)
    check(page.text_of("offering-%d" % oid) is not None, "GET %s: no li#offering-%d" % (path, oid))
    ef, wf = _offering_forms(page, oid)
    check(ef is None and wf is None, "GET %s anonymous: shows enrol/withdraw forms" % path)

    t, _ = fresh_trainee("htmlenrol")
    r = t.get(path)
    page = html_ok(r, 200, "GET %s (trainee)" % path)
    li = page.text_of("offering-%d" % oid)
    check(li is not None, "GET %s: no li#offering-%d" % (path, oid))
    check("已报名" not in li, "li#offering-%d says 已报名 before enrolling: %r" % (oid, li))
    ef, wf = _offering_forms(page, oid)
    check(ef is not None, "GET %s (trainee): no <form action=/enrolments> with offering_id=%d" % (path, oid))
    check(wf is None, "GET %s: withdraw form shown before enrolling" % path)
    check(ef["method"] == "post", "enrol form method %r" % ef["method"])
    check(_has_button(ef, "enrol"), "enrol form has no button.enrol: %r" % ef["buttons"])
    tok = next((i.get("value") for i in ef["inputs"] if i.get("name") == "csrf"), None)
    check(tok, "enrol form has no csrf value")

    # without the token: refused, nothing changes
    r = t.post_form("/enrolments", {"offering_id": str(oid)})
    check(r.status == 403, "POST /enrolments without csrf: expected 403, got %s" % r.short())
    check(seats_left(GEN_J, oid) == 6, "a refused form enrolment changed seats_left")

    r = t.post_form("/enrolments", {"offering_id": str(oid), "csrf": tok})
    check(r.status == 303, "POST /enrolments: expected 303, got %s" % r.short())
    check(r.location_path() == path + "?done=enrolled", "POST /enrolments Location %r, expected %s?done=enrolled"
          % (r.header("Location"), path))
    check(seats_left(GEN_J, oid) == 5, "seats_left after the form enrolment: %r" % seats_left(GEN_J, oid))
    r = t.get(path + "?done=enrolled")
    page = html_ok(r, 200, "GET %s?done=enrolled" % path)
    notes = [x for x in page.class_text.get("notice") or [] if x.strip()]
    check(notes and has_cjk(notes[0]), "no zh-CN p.notice after enrolling: %r" % notes)
    check("已报名" in (page.text_of("offering-%d" % oid) or ""), "li#offering-%d lacks 已报名" % oid)
    ef, wf = _offering_forms(page, oid)
    check(ef is None, "enrol form still shown after enrolling")
    check(wf is not None and _has_button(wf, "withdraw"), "no withdraw form with button.withdraw after enrolling")
    wtok = next((i.get("value") for i in wf["inputs"] if i.get("name") == "csrf"), None)
    r = t.post_form("/enrolments/%d/withdraw" % oid, {"csrf": wtok})
    check(r.status == 303, "POST /enrolments/%d/withdraw: expected 303, got %s" % (oid, r.short()))
    check(r.location_path() == path + "?done=withdrawn", "withdraw Location %r" % r.header("Location"))
    r = t.get(path + "?done=withdrawn")
    page = html_ok(r, 200, "GET %s?done=withdrawn" % path)
    notes = [x for x in page.class_text.get("notice") or [] if x.strip()]
    check(notes and has_cjk(notes[0]), "no zh-CN p.notice after withdrawing: %r" % notes)
    check("已报名" not in (page.text_of("offering-%d" % oid) or ""), "li still says 已报名 after withdrawing")
    check(seats_left(GEN_J, oid) == 6, "seats_left after the form withdrawal: %r" % seats_left(GEN_J, oid))
    api_error(Client().get("/api/v1/courses/NOPE-404"), 404, "course_not_found", "unknown course")
    r = Client().get("/courses/NOPE-404")
    check(r.status == 404, "GET /courses/NOPE-404: expected 404, got %s" % r.short())


@test
def html_form_enrol_full_does_not_enrol():
    oid = new_offering(GEN_J, 20, 21, 1)
    t1, _ = fresh_trainee("hf1")
    t2, _ = fresh_trainee("hf2")
    page = parse_html(t2.get("/courses/" + GEN_J).body)
    ef, _ = _offering_forms(page, oid)
    check(ef is not None, "trainee 2 sees no enrol form for the open offering")
    tok = next((i.get("value") for i in ef["inputs"] if i.get("name") == "csrf"), None)
    json_ok(enrol(t1, oid), 201, "trainee 1 takes the last seat")
    r = t2.post_form("/enrolments", {"offering_id": str(oid), "csrf": tok})
    check(r.status != 303 or "done=enrolled" not in (r.location_path() or ""),
          "POST /enrolments on a full offering answered %s" % r.short())
    check(r.status in (303, 409), "POST /enrolments (form) on a full offering: expected 409 (or a 303 to an "
          "error notice), got %s" % r.short())
    check(seats_left(GEN_J, oid) == 0, "seats_left changed")
    check(offering(GEN_J, oid, t2)["enrolled"] is False, "trainee 2 enrolled in a full offering")
