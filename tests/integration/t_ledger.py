"""Training records and the credit ledger: admin POST /api/v1/records and
reversals, /api/v1/me/records, /api/v1/me/credits (the 90 学时 / ⅔
professional rule, end to end), the statement, level access from records,
the /me/records, /me/credits, /me/credits/statement pages, and "every 4xx
changes nothing" for records."""

import lib
from batches_common import ledger_years_mismatches
from lib import Client, api_error, check, detail_codes, has_cjk
from courses_common import (GEN_I, GEN_J, GEN_S, PRO_I, PRO_J, admin, add_record, add_records,
                            check_num, credits, day, demo_trainee, enrol, error_422, fresh_trainee,
                            html_ok, json_ok, ledger_snapshot, missing_message, my_records,
                            new_offering, num_eq, offering, reverse, test_collector, today)

TESTS, test = test_collector()

RECORD_FIELDS = ("id", "completed_on", "course_code", "course_title", "level", "level_name", "base",
                 "hours", "subject", "subject_name", "compulsory", "source")
CREDIT_FIELDS = ("year", "total", "professional", "general", "compulsory", "capped", "required",
                 "required_professional", "missing", "missing_professional", "professional_share_met",
                 "met", "message", "rule", "rolling")


def _d(year, month, dd):
    return "%04d-%02d-%02d" % (year, month, dd)


# ------------------------------------------------------------------ records


@test
def record_create_and_list():
    t, ident = fresh_trainee("rec")
    j = my_records(t)
    check(j.get("records") == [] and j.get("count") == 0, "a fresh trainee's records: %r" % j)
    y = today().year - 1
    r = add_record(ident["id_number"], PRO_J, "4.5", _d(y, 5, 6), base="SH-STEX")
    j = json_ok(r, 201, "POST /api/v1/records")
    check(isinstance(j.get("id"), int) and isinstance(j.get("person_id"), int), "record ids: %r" % j)
    check(j.get("course_code") == PRO_J and j.get("completed_on") == _d(y, 5, 6), "record body %r" % j)
    check_num(j, "hours", 4.5, "POST /api/v1/records body")
    check(ident["id_number"] not in r.text, "POST /api/v1/records echoes the ID number in clear")
    r2 = add_record(ident["id_number"], GEN_J, "3", _d(y, 5, 7))
    j2 = r2.json()
    check(j2.get("person_id") == j["person_id"], "same person, different person_id: %r vs %r" % (j2, j))
    check_num(j2, "hours", 3, "POST /api/v1/records body (integer hours)")

    lst = my_records(t)
    recs = lst.get("records")
    check(lst.get("count") == 2 and len(recs) == 2, "GET /api/v1/me/records after 2 records: %r" % lst)
    by = {x.get("id"): x for x in recs}
    check(set(by) == {j["id"], j2["id"]}, "record ids listed %r, expected %r" % (sorted(by), [j["id"], j2["id"]]))
    for x in recs:
        for k in RECORD_FIELDS:
            check(k in x, "GET /api/v1/me/records: record lacks %r: %r" % (k, x))
    a = by[j["id"]]
    check(a["course_code"] == PRO_J and a["completed_on"] == _d(y, 5, 6) and num_eq(a["hours"], 4.5),
          "record a: %r" % a)
    check(a["level"] == "junior" and a["level_name"] == "初级", "record a level: %r" % a)
    check(a["subject"] == "professional" and has_cjk(a["subject_name"]) and has_cjk(a["course_title"]),
          "record a subject/title: %r" % a)
    check(a["compulsory"] is True, "record a (%s) compulsory %r" % (PRO_J, a["compulsory"]))
    check(isinstance(a["base"], str) and ("SH-STEX" in a["base"] or "上海技术交易所" in a["base"]),
          "record a base %r, expected SH-STEX's" % a["base"])
    b = by[j2["id"]]
    check(b["subject"] == "general" and b["compulsory"] is True and num_eq(b["hours"], 3), "record b: %r" % b)
    check("reverses" not in a or a["reverses"] in (None, 0), "a plain record has reverses=%r" % a.get("reverses"))
    # somebody else's records stay invisible
    t2, _ = fresh_trainee("rec-other")
    check(my_records(t2).get("records") == [], "another trainee sees records")
    check(ledger_years_mismatches() in ([0, 0], None),
          "ledger_years differs from training_records after admin entries: %r" % ledger_years_mismatches())


@test
def record_validation_changes_nothing():
    t, ident = fresh_trainee("recval")
    y = today().year - 1
    add_record(ident["id_number"], PRO_J, "5", _d(y, 6, 3))
    years = (y, today().year)
    snap = ledger_snapshot(t, years)
    idn = ident["id_number"]
    stranger = lib.make_id()
    lib.KNOWN_IDS.add(stranger)
    a = admin()

    def post(**over):
        body = {"id_number": idn, "course_code": GEN_J, "hours": "2", "completed_on": _d(y, 6, 4)}
        body.update(over)
        return a.post_json("/api/v1/records", body)
    for h in ("0", "-1", "-0.5", "4.25", "0.3", "2.75"):
        e = api_error(post(hours=h), 422, "validation_failed", "hours %r" % h)
        check(("hours", "hours_invalid") in detail_codes(e),
              "hours %r: details should hold (hours, hours_invalid): %r" % (h, e.get("details")))
    for h in ("abc", ""):
        error_422(post(hours=h), "hours %r" % h)
    api_error(post(hours="3.5", completed_on=_d(y, 6, 3)), 422, "hours_over_daily_cap",
              "5 + 3.5 学时 on one day")
    api_error(post(hours="8.5"), 422, "hours_over_daily_cap", "8.5 学时 in one entry")
    api_error(post(completed_on=day(2)), 422, "date_in_future", "completed_on the day after tomorrow")
    api_error(post(completed_on=day(400)), 422, "date_in_future", "completed_on next year")
    api_error(post(course_code="NOPE-01"), 422, "course_unknown", "unknown course")
    api_error(post(id_number=stranger), 422, "person_not_found", "unknown ID number")
    for bad in ("2025-02-30", "2025/03/01", "yesterday"):
        error_422(post(completed_on=bad), "completed_on %r" % bad)
    check(ledger_snapshot(t, years) == snap, "refused POST /api/v1/records changed the trainee's ledger")
    # the day still takes exactly 3 more
    add_record(idn, GEN_J, "3", _d(y, 6, 3))
    api_error(post(hours="0.5", completed_on=_d(y, 6, 3)), 422, "hours_over_daily_cap", "8 + 0.5 学时 on one day")


@test
def record_daily_cap_is_per_person():
    t1, i1 = fresh_trainee("cap-a")
    t2, i2 = fresh_trainee("cap-b")
    on = _d(today().year - 1, 7, 1)
    add_record(i1["id_number"], PRO_J, "8", on)
    add_record(i2["id_number"], PRO_J, "8", on)
    add_record(i1["id_number"], PRO_J, "8", _d(today().year - 1, 7, 2))
    api_error(add_record(i2["id_number"], GEN_J, "0.5", on, expect=None), 422, "hours_over_daily_cap",
              "a full day")
    c1 = credits(t1, today().year - 1)
    check_num(c1, "total", 16, "trainee 1 credits")
    check_num(c1, "capped", 0, "trainee 1 credits")


@test
def record_reversal():
    t, ident = fresh_trainee("rev")
    y = today().year - 1
    on = _d(y, 8, 5)
    rid = add_record(ident["id_number"], PRO_J, "4.5", on).json()["id"]
    add_record(ident["id_number"], PRO_J, "2", _d(y, 8, 6))
    snap = ledger_snapshot(t, (y,))
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = admin().post_json("/api/v1/records/%d/reverse" % rid, body)
        error_422(r, "reverse without a reason %r" % body)
    tr, _ = fresh_trainee("rev-trainee")
    api_error(tr.post_json("/api/v1/records/%d/reverse" % rid, {"reason": "想撤销"}), 403, "forbidden",
              "a trainee reversing a record")
    api_error(Client().post_json("/api/v1/records/%d/reverse" % rid, {"reason": "匿名"}), 401, "unauthorized",
              "an anonymous reversal")
    api_error(admin().post_json("/api/v1/records/99999999/reverse", {"reason": "不存在"}), 404,
              "record_not_found", "reverse an unknown record")
    check(ledger_snapshot(t, (y,)) == snap, "refused reversals changed the ledger")

    r = reverse(rid, "登记错误：学时有误")
    j = json_ok(r, 201, "POST /api/v1/records/%d/reverse" % rid)
    check(isinstance(j.get("id"), int) and j["id"] != rid, "reversal id %r" % j.get("id"))
    rev_id = j["id"]
    recs = {x["id"]: x for x in my_records(t)["records"]}
    check(rid in recs, "the reversed record disappeared from /api/v1/me/records (records are append-only)")
    check(num_eq(recs[rid]["hours"], 4.5), "the reversed record changed: %r" % recs[rid])
    check(rev_id in recs, "the reversal is not listed: %r" % sorted(recs))
    rv = recs[rev_id]
    check(num_eq(rv["hours"], -4.5) and rv["completed_on"] == on and rv["course_code"] == PRO_J,
          "reversal entry %r, expected -4.5 学时 of %s on %s" % (rv, PRO_J, on))
    check(rv.get("reverses") == rid, "reversal reverses=%r, expected %d" % (rv.get("reverses"), rid))
    check(rv.get("reason") == "登记错误：学时有误", "reversal reason %r" % rv.get("reason"))
    c = credits(t, y)
    check_num(c, "total", 2, "credits after the reversal")
    check_num(c, "professional", 2, "credits after the reversal")

    api_error(reverse(rid, "再冲一次", expect=None), 409, "already_reversed", "reverse twice")
    api_error(reverse(rev_id, "冲正的冲正", expect=None), 409, "record_not_reversible", "reverse a reversal")
    check_num(credits(t, y), "total", 2, "credits after refused reversals")
    check(len(my_records(t)["records"]) == 3, "refused reversals added records")
    check(ledger_years_mismatches() in ([0, 0], None),
          "ledger_years differs from training_records after reversals: %r" % ledger_years_mismatches())


# ------------------------------------------------------------------ credits


def _check_credit_shape(c, year, what):
    for k in CREDIT_FIELDS:
        check(k in c, "%s: lacks %r" % (what, k))
    check(c["year"] == year, "%s: year %r" % (what, c["year"]))
    check_num(c, "required", 90, what)
    check_num(c, "required_professional", 60, what)
    for k in ("met", "professional_share_met"):
        check(isinstance(c[k], bool), "%s: %s should be a boolean: %r" % (what, k, c[k]))
    rule = c["rule"]
    check(isinstance(rule, dict), "%s: rule %r" % (what, rule))
    for k in ("effective_from", "annual", "professional_num", "professional_den", "daily_cap", "minutes_per_hour"):
        check(k in rule, "%s: rule lacks %r: %r" % (what, k, rule))
    check(num_eq(rule["annual"], 90) and rule["professional_num"] == 2 and rule["professional_den"] == 3
          and num_eq(rule["daily_cap"], 8), "%s: rule %r, expected 90 / 2/3 / daily 8" % (what, rule))
    check(isinstance(rule["minutes_per_hour"], int) and rule["minutes_per_hour"] > 0,
          "%s: rule minutes_per_hour %r" % (what, rule["minutes_per_hour"]))
    roll = c["rolling"]
    for k in ("from", "to", "total", "professional", "general", "compulsory", "years"):
        check(k in roll, "%s: rolling lacks %r: %r" % (what, k, roll))
    check(roll["to"] == year and roll["from"] == year - 2, "%s: rolling %r-%r, expected %d-%d"
          % (what, roll["from"], roll["to"], year - 2, year))
    ys = roll["years"]
    check([x.get("year") for x in ys] == [year - 2, year - 1, year], "%s: rolling years %r"
          % (what, [x.get("year") for x in ys]))
    for k in ("total", "professional", "general", "compulsory"):
        check(num_eq(roll[k], sum(x.get(k, 0) for x in ys)), "%s: rolling %s %r != sum of the years"
              % (what, k, roll[k]))
    check(ys[-1].get("total") == c["total"] and ys[-1].get("met") == c["met"],
          "%s: rolling's last year disagrees with the year: %r" % (what, ys[-1]))


@test
def demo_trainee_credits_2024_met_2025_not():
    t = demo_trainee()
    c = credits(t, 2024)
    _check_credit_shape(c, 2024, "demo 2024")
    for k, v in (("total", 104), ("professional", 72), ("general", 32), ("missing", 0),
                 ("missing_professional", 0)):
        check_num(c, k, v, "demo trainee 2024")
    check(c["met"] is True and c["professional_share_met"] is True, "demo 2024 should be met: %r" % c)
    check(c["message"] == "已达标", "demo 2024 message %r" % c["message"])
    c = credits(t, 2025)
    _check_credit_shape(c, 2025, "demo 2025")
    for k, v in (("total", 50), ("professional", 40), ("general", 10), ("missing", 40),
                 ("missing_professional", 20)):
        check_num(c, k, v, "demo trainee 2025")
    check(c["met"] is False and c["professional_share_met"] is False, "demo 2025 should not be met: %r" % c)
    check(c["message"] == missing_message(40, 20), "demo 2025 message %r, expected %r"
          % (c["message"], missing_message(40, 20)))
    check(num_eq(c["rolling"]["total"], 154), "demo rolling 2023-2025 total %r, expected 154" % c["rolling"]["total"])
    recs = my_records(t)
    check(recs.get("count") == len(recs.get("records") or []) and recs["count"] > 0, "demo records %r" % recs.get("count"))
    s24 = sum(x["hours"] for x in recs["records"] if x["completed_on"].startswith("2024-"))
    check(num_eq(s24, 104), "demo records of 2024 sum to %r, credits say 104" % s24)


@test
def credits_bad_year_422():
    t = demo_trainee()
    for q in ("abc", "20x4", "-1", "99999", "2024.5"):
        r = t.get("/api/v1/me/credits?year=" + q)
        error_422(r, "GET /api/v1/me/credits?year=%s" % q)
    api_error(Client().get("/api/v1/me/credits?year=2024"), 401, "unauthorized", "credits without a session")
    api_error(Client().get("/api/v1/me/records"), 401, "unauthorized", "records without a session")
    api_error(Client().get("/api/v1/me/credits/statement?from=2024&to=2025"), 401, "unauthorized",
              "statement without a session")


@test
def credits_two_thirds_boundary_end_to_end():
    t, ident = fresh_trainee("ledger")
    idn = ident["id_number"]
    y = today().year - 2
    # 30 general (J-PUB-01, compulsory) on four days
    add_records(idn, GEN_J, [(_d(y, 3, d), "7.5") for d in (2, 3, 4, 5)])
    # 7 x 7.5 + 7 = 59.5 professional (J-PRA-01)
    pro_ids = add_records(idn, PRO_J, [(_d(y, 4, d), "7.5") for d in range(1, 8)])
    add_record(idn, PRO_J, "7", _d(y, 4, 8))
    c = credits(t, y)
    _check_credit_shape(c, y, "ledger %d" % y)
    for k, v in (("total", 89.5), ("professional", 59.5), ("general", 30), ("compulsory", 30),
                 ("missing", 0.5), ("missing_professional", 0.5), ("capped", 0)):
        check_num(c, k, v, "89.5 学时, 59.5 professional")
    check(c["met"] is False and c["professional_share_met"] is False, "89.5/59.5 must not be met: %r" % c)
    check(c["message"] == missing_message(0.5, 0.5), "89.5/59.5 message %r, expected %r"
          % (c["message"], missing_message(0.5, 0.5)))

    # +0.5 professional on the 7-hour day: exactly 90 and 60 -> met
    add_record(idn, PRO_J, "0.5", _d(y, 4, 8))
    c = credits(t, y)
    for k, v in (("total", 90), ("professional", 60), ("general", 30), ("missing", 0), ("missing_professional", 0)):
        check_num(c, k, v, "90 学时, 60 professional")
    check(c["met"] is True and c["professional_share_met"] is True, "90/60 must be met: %r" % c)
    check(c["message"] == "已达标", "90/60 message %r" % c["message"])
    # other years untouched
    for other in (y - 1, y + 1):
        co = credits(t, other)
        check_num(co, "total", 0, "year %d" % other)
        check(co["met"] is False and co["message"] == missing_message(90, 60), "year %d: %r" % (other, co["message"]))
    nxt = credits(t, y + 1)
    check(num_eq(nxt["rolling"]["total"], 90) and num_eq(nxt["rolling"]["professional"], 60),
          "rolling %d-%d: %r" % (y - 1, y + 1, nxt["rolling"]))

    # the page shows the same
    page = html_ok(t.get("/me/credits?year=%d" % y), 200, "GET /me/credits?year=%d" % y)
    st = (page.text_of("credits-status") or "").strip()
    check(st == "已达标", "/me/credits #credits-status %r, expected 已达标" % st)
    tot = page.text_of("credits-total") or ""
    check("90" in tot, "/me/credits #credits-total %r lacks 90" % tot)

    # reversing one 7.5 professional entry: 82.5 / 52.5 -> not met
    reverse(pro_ids[0], "培训未完成")
    c = credits(t, y)
    for k, v in (("total", 82.5), ("professional", 52.5), ("general", 30), ("missing", 7.5),
                 ("missing_professional", 7.5)):
        check_num(c, k, v, "after reversing 7.5 professional")
    check(c["met"] is False and c["professional_share_met"] is False, "after the reversal: %r" % c)
    check(c["message"] == missing_message(7.5, 7.5), "after the reversal: message %r, expected %r"
          % (c["message"], missing_message(7.5, 7.5)))
    page = html_ok(t.get("/me/credits?year=%d" % y), 200, "GET /me/credits?year=%d" % y)
    st = (page.text_of("credits-status") or "").strip()
    check(st == missing_message(7.5, 7.5), "/me/credits #credits-status %r" % st)
    check("82.5" in (page.text_of("credits-total") or ""), "#credits-total %r lacks 82.5" % page.text_of("credits-total"))


@test
def credits_general_alone_never_meets():
    t, ident = fresh_trainee("gen-only")
    y = today().year - 3
    add_records(ident["id_number"], GEN_J, [(_d(y, 9, d), "8") for d in range(1, 13)])
    c = credits(t, y)
    check_num(c, "total", 96, "96 general")
    check_num(c, "professional", 0, "96 general")
    check_num(c, "missing_professional", 60, "96 general")
    # "还差 X 学时，其中专业科目还差 Y 学时": the Y professional hours are part of X
    check_num(c, "missing", 60, "96 general, 0 professional (60 more professional 学时 are needed)")
    check(c["met"] is False and c["professional_share_met"] is False, "96 general 学时 must not meet the rule: %r" % c)
    check(c["message"] == missing_message(60, 60), "96 general: message %r" % c["message"])


# ------------------------------------------------------------------ statement


@test
def statement_range_and_content():
    t = demo_trainee()
    r = t.get("/api/v1/me/credits/statement?from=2024&to=2025")
    s = json_ok(r, 200, "GET /api/v1/me/credits/statement?from=2024&to=2025")
    for k in ("from", "to", "years", "entries", "total"):
        check(k in s, "statement lacks %r" % k)
    check(s["from"] == 2024 and s["to"] == 2025, "statement from/to %r/%r" % (s["from"], s["to"]))
    check([y.get("year") for y in s["years"]] == [2024, 2025], "statement years %r" % [y.get("year") for y in s["years"]])
    check(s["years"][0].get("met") is True and s["years"][1].get("met") is False, "statement met flags")
    check_num(s, "total", 154, "statement 2024-2025")
    check(s["entries"], "statement has no entries")
    for e in s["entries"]:
        check(str(e.get("completed_on", ""))[:4] in ("2024", "2025"), "entry outside 2024-2025: %r" % e)
    check(num_eq(sum(e["hours"] for e in s["entries"]), 154), "statement entries sum to %r"
          % sum(e["hours"] for e in s["entries"]))
    recs = [x for x in my_records(t)["records"] if x["completed_on"][:4] in ("2024", "2025")]
    check(len(recs) == len(s["entries"]), "statement has %d entries, /me/records %d in 2024-2025"
          % (len(s["entries"]), len(recs)))

    ten = t.get("/api/v1/me/credits/statement?from=2016&to=2025")
    s10 = json_ok(ten, 200, "a 10-year statement 2016-2025")
    check(len(s10["years"]) == 10, "10-year statement has %d years" % len(s10["years"]))
    for q in ("from=2014&to=2025", "from=2025&to=2024", "from=2000&to=2030"):
        api_error(t.get("/api/v1/me/credits/statement?" + q), 422, "statement_range_invalid", "statement " + q)
    for q in ("from=abc&to=2025", "from=2024&to=20x5", "from=2024.5&to=2025"):
        error_422(t.get("/api/v1/me/credits/statement?" + q), "statement " + q)


# ------------------------------------------------------------------ level access


def _level_offerings():
    return new_offering(GEN_I, 20, 21, 5), new_offering(GEN_S, 20, 21, 5)


@test
def level_access_from_records():
    inter, senior = _level_offerings()
    t, ident = fresh_trainee("levels")
    idn = ident["id_number"]
    y = today().year - 1
    # 47.5 junior: intermediate still closed
    add_records(idn, PRO_J, [(_d(y, 10, d), "8") for d in range(1, 6)])
    add_record(idn, GEN_J, "7.5", _d(y, 10, 6))
    api_error(enrol(t, inter), 422, "level_not_open", "intermediate with 47.5 junior 学时")
    check(offering(GEN_I, inter)["seats_left"] == 5, "a refused enrolment changed seats_left")
    add_record(idn, GEN_J, "0.5", _d(y, 10, 6))
    json_ok(enrol(t, inter), 201, "intermediate with 48 junior 学时")
    # senior needs 64 of intermediate
    api_error(enrol(t, senior), 422, "level_not_open", "senior with 0 intermediate 学时")
    add_records(idn, PRO_I, [(_d(y, 11, d), "8") for d in range(1, 8)])
    add_record(idn, GEN_I, "7.5", _d(y, 11, 8))
    api_error(enrol(t, senior), 422, "level_not_open", "senior with 63.5 intermediate 学时")
    add_record(idn, GEN_I, "0.5", _d(y, 11, 8))
    json_ok(enrol(t, senior), 201, "senior with 64 intermediate 学时")
    check(offering(GEN_S, senior)["seats_left"] == 4, "seats_left after the senior enrolment")


@test
def level_access_counts_reversals():
    inter, _ = _level_offerings()
    t, ident = fresh_trainee("levrev")
    y = today().year - 1
    ids = add_records(ident["id_number"], PRO_J, [(_d(y, 12, d), "8") for d in range(1, 7)])
    reverse(ids[0], "重复登记")
    api_error(enrol(t, inter), 422, "level_not_open",
              "intermediate with 48 junior 学时 of which 8 were reversed (40 net)")
    check(offering(GEN_I, inter)["seats_left"] == 5, "a refused enrolment changed seats_left")


# ------------------------------------------------------------------ pages


@test
def html_me_pages():
    for p in ("/me/records", "/me/credits", "/me/credits?year=2024", "/me/credits/statement?from=2024&to=2025"):
        r = Client().get(p)
        check(r.status == 303 and r.location_path() == "/login", "GET %s without a session: %s" % (p, r.short()))
    t = demo_trainee()
    recs = my_records(t)["records"]
    r = t.get("/me/records")
    html_ok(r, 200, "GET /me/records")
    for x in recs[:5]:
        check(x["course_title"] in lib.unescape(r.text), "/me/records lacks %r" % x["course_title"])
    check(str(len(recs)) in r.text, "/me/records does not show the count %d" % len(recs))
    page = html_ok(t.get("/me/credits?year=2024"), 200, "GET /me/credits?year=2024")
    check((page.text_of("credits-status") or "").strip() == "已达标",
          "/me/credits?year=2024 #credits-status %r" % page.text_of("credits-status"))
    check("104" in (page.text_of("credits-total") or ""), "#credits-total %r" % page.text_of("credits-total"))
    page = html_ok(t.get("/me/credits?year=2025"), 200, "GET /me/credits?year=2025")
    check((page.text_of("credits-status") or "").strip() == missing_message(40, 20),
          "/me/credits?year=2025 #credits-status %r" % page.text_of("credits-status"))
    check("50" in (page.text_of("credits-total") or ""), "#credits-total %r" % page.text_of("credits-total"))
    r = t.get("/me/credits/statement?from=2024&to=2025")
    html_ok(r, 200, "GET /me/credits/statement?from=2024&to=2025")
    check("2024" in r.text and "2025" in r.text and "154" in r.text, "statement page lacks the years / total 154")
    r = t.get("/me/credits/statement?from=2010&to=2025")
    check(r.status == 422, "GET /me/credits/statement?from=2010&to=2025: expected 422, got %s" % r.short())
    t2, _ = fresh_trainee("emptypages")
    html_ok(t2.get("/me/records"), 200, "GET /me/records (no records)")
    html_ok(t2.get("/me/credits"), 200, "GET /me/credits (no records)")
    a = admin()
    r = a.get("/api/v1/me/records")
    check(r.status == 403, "admin GET /api/v1/me/records: expected 403 (no person), got %s" % r.short())
