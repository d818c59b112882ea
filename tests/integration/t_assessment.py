"""Assessment: eligibility with every unmet reason, evidence review, exams
uploads, reviewer scores, the senior defence panel, level-rule versions and
integrity events -- over HTTP against the real stack.  Every bad input is a
422 naming its field, with nothing stored."""

import datetime
import urllib.parse

import lib
from lib import Client, api_error, check, detail_codes, has_cjk
from batches_common import demo_key, hours_csv, report, upload, csv_bytes
from courses_common import admin, demo, demo_trainee, json_ok, test_collector

TESTS, test = test_collector()

_reviewer = []


def reviewer():
    if not _reviewer:
        d = demo()
        check(d.get("REVIEWER_LOGIN") and d.get("REVIEWER_PASSWORD"),
              "`tmcred-ctl demo` should print REVIEWER_LOGIN/REVIEWER_PASSWORD")
        c = Client("reviewer")
        r = lib.login(c, d["REVIEWER_LOGIN"], d["REVIEWER_PASSWORD"], expect=None)
        check(r.status == 200 and r.json().get("role") == "reviewer", "reviewer login: %s" % r.short())
        _reviewer.append(c)
    return _reviewer[0]


def unique_name():
    """Four characters: the candidate queue is looked up by exact name, and the two- and
    three-character names other tests make repeat within one run."""
    return lib.fresh_name()[:1] + "".join(lib._rng.choice(lib._GIVEN) for _ in range(3))


def ago(days):
    return (datetime.date.today() - datetime.timedelta(days=days)).isoformat()


def eligibility(client, level, what):
    r = client.get("/api/v1/me/eligibility?level=" + level)
    j = json_ok(r, 200, what)
    check(j.get("level") == level and isinstance(j.get("eligible"), bool)
          and isinstance(j.get("unmet"), list), "%s: shape %r" % (what, j))
    for u in j["unmet"]:
        for k in ("code", "required", "actual", "message"):
            check(isinstance(u.get(k), str), "%s: unmet lacks %s: %r" % (what, k, u))
        check(has_cjk(u["message"]), "%s: message should be zh-CN: %r" % (what, u))
    check(j["eligible"] == (len(j["unmet"]) == 0), "%s: eligible vs unmet: %r" % (what, j))
    return j


def codes(j):
    return {u["code"] for u in j["unmet"]}


def queue(level, name):
    """The level's candidates with this exact name (names are not unique: tests make many)."""
    path = "/api/v1/candidates?level=%s&name=%s" % (level, urllib.parse.quote(name))
    j = json_ok(reviewer().get(path), 200, "GET " + path)
    check(all(c.get("name") == name for c in j["candidates"]), "name filter ignored: %r" % j)
    return j["candidates"]


def candidate_id(name, level):
    cs = queue(level, name)
    check(len(cs) == 1, "%s should be in the %s candidate queue once: %d" % (name, level, len(cs)))
    return cs[0]["person_id"]


def experts():
    j = json_ok(reviewer().get("/api/v1/experts"), 200, "GET /api/v1/experts")
    return j["experts"]


def declare(client, body, what):
    r = client.post_json("/api/v1/me/evidence", body)
    return json_ok(r, 201, what)


def verify(eid, what):
    r = reviewer().post_json("/api/v1/evidence/%d/review" % eid, {"status": "verified"})
    j = json_ok(r, 200, what)
    check(j.get("status") == "verified", "%s: %r" % (what, j))


# ------------------------------------------------------------------ demo data


@test
def assessment_demo_trainee_junior_eligible_intermediate_not():
    c = demo_trainee()
    j = eligibility(c, "junior", "demo trainee junior")
    check(j["eligible"], "the demo trainee should be eligible for junior today: %r" % j["unmet"])
    j = eligibility(c, "intermediate", "demo trainee intermediate")
    check(not j["eligible"] and len(j["unmet"]) >= 3,
          "the demo trainee should have several reasons for intermediate: %r" % j["unmet"])
    check({"training_hours_short", "case_analysis_missing"} <= codes(j), "intermediate: %r" % codes(j))
    j = eligibility(c, "senior", "demo trainee senior")
    check(not j["eligible"], "the demo trainee should not be eligible for senior")
    # bad level
    api_error(c.get("/api/v1/me/eligibility?level=expert"), 400, "bad_level", "level=expert")
    api_error(c.get("/api/v1/me/eligibility"), 400, "bad_level", "no level")
    # staff cannot ask as a trainee
    api_error(reviewer().get("/api/v1/me/eligibility?level=junior"), 403, "forbidden", "reviewer")


@test
def assessment_demo_candidates_every_stage():
    want = {"junior": {"李明": True, "欧阳芳": False}, "intermediate": {"司马伟": True, "上官洋": False},
            "senior": {"诸葛静": True, "东方磊": False}}
    for level, who in want.items():
        for name, ok in who.items():
            # 李明 may share the name with a test person: the demo one is among them
            cs = queue(level, name)
            check(any(c["eligible"] == ok for c in cs),
                  "%s %s should be eligible=%r: %r" % (level, name, ok, [c["unmet"] for c in cs]))
    wf = queue("junior", "欧阳芳")
    check(len(wf) == 1 and len(wf[0]["unmet"]) >= 3, "欧阳芳 should have several reasons: %r" % wf)
    zl = queue("senior", "东方磊")
    check(len(zl) == 1 and [u["code"] for u in zl[0]["unmet"]] == ["defence_failed"], "东方磊: %r" % zl)
    # the whole queue (no name) lists the newest candidates with their checklists
    j = json_ok(reviewer().get("/api/v1/candidates?level=senior"), 200, "queue senior")
    check(j["candidates"] and all("checklist" in c and "unmet" in c for c in j["candidates"]), "queue shape")
    # the queue is for reviewers and admins only
    api_error(demo_trainee().get("/api/v1/candidates?level=junior"), 403, "forbidden", "trainee queue")


# ------------------------------------------------------------------ the senior path


@test
def assessment_trainee_becomes_eligible_through_uploads_and_panel():
    c, ident = lib.registered_and_logged_in("assess", employer="上海技术交易所", name=unique_name())
    j = eligibility(c, "senior", "fresh trainee senior")
    check(not j["eligible"], "a fresh trainee is not eligible")
    want = {"education_below", "prior_level_short", "work_years_short", "training_hours_short",
            "practical_hours_short", "deals_short", "case_report_missing", "written_work_missing",
            "written_exam_missing", "case_analysis_missing", "defence_missing"}
    check(want <= codes(j), "every reason should be listed, missing %r" % (want - codes(j)))

    # evidence, verified by the reviewer
    ids = [declare(c, {"kind": "education", "title": "复旦大学", "degree": "master", "on_date": "2012-07-01"}, "edu")["id"],
           declare(c, {"kind": "work", "title": "技术转移中心", "started_on": "2014-01-01"}, "work")["id"],
           declare(c, {"kind": "writing", "title": "案例报告", "writing_kind": "case_report", "on_date": "2024-01-01"}, "case")["id"],
           declare(c, {"kind": "writing", "title": "团体标准", "writing_kind": "standard", "on_date": "2024-02-01"}, "std")["id"]]
    for k in range(5):
        ids.append(declare(c, {"kind": "deal", "title": "技术开发合同 %d" % k, "contract_type": "development",
                               "deal_role": "lead", "contract_amount": "300000", "received_amount": "250000.50",
                               "registration_no": "2024310100%06d" % k, "on_date": "2024-03-%02d" % (k + 1)},
                    "deal %d" % k)["id"])
    j = eligibility(c, "senior", "declared, not verified")
    check("education_below" in codes(j) and "deals_short" in codes(j), "pending evidence must not count")
    for i in ids:
        verify(i, "verify %d" % i)
    api_error(reviewer().post_json("/api/v1/evidence/%d/review" % ids[0], {"status": "rejected", "reason": "x"}),
              409, "evidence_reviewed", "second review")

    # training at a base: 80 学时 of senior courses, 48 of them practical (8 学时 a day)
    key = demo_key()
    rows = [(ident["id_number"], ident["name"], "S-PRA-01", "8", ago(40 + k)) for k in range(6)]
    rows += [(ident["id_number"], ident["name"], "S-ADV-01", "8", ago(50 + k)) for k in range(4)]
    report(upload(key, hours_csv(rows), kind="hours"), 201, "senior hours", accepted=10)
    j = eligibility(c, "senior", "after hours")
    check("training_hours_short" not in codes(j) and "practical_hours_short" not in codes(j),
          "hours should be met: %r" % j["unmet"])

    pid = candidate_id(ident["name"], "senior")
    r = admin().post_json("/api/v1/person-levels", {"person_id": pid, "level": "intermediate",
                                                    "held_since": "2020-01-01"})
    json_ok(r, 201, "declare intermediate")

    # the exams upload: written passes, case analysis fails
    body = csv_bytes(["id_number", "name", "level", "exam_score", "case_score", "assessed_on"],
                     [[ident["id_number"], ident["name"], "senior", "72", "58", ago(0)]])
    report(upload(key, body, kind="exams"), 201, "senior exams", accepted=1)
    j = eligibility(c, "senior", "after exams")
    check(codes(j) == {"case_analysis_failed", "defence_missing"}, "after exams: %r" % j["unmet"])
    # a reviewer enters the case analysis resit
    r = reviewer().post_json("/api/v1/scores", {"person_id": pid, "level": "senior", "part": "case",
                                                "score": "66.5", "assessed_on": ago(0)})
    json_ok(r, 201, "score entry")
    j = eligibility(c, "senior", "after the resit")
    check(codes(j) == {"defence_missing"}, "after resit: %r" % j["unmet"])

    pool = experts()
    conflicted = [e for e in pool if e["employer"] == "上海技术交易所"]
    clean = [e for e in pool if e["employer"] != "上海技术交易所"]
    check(conflicted and len(clean) >= 6, "the expert pool should have 6 clean and 1 conflicted: %r" % pool)

    def panel(members, scores, votes, **extra):
        body = {"person_id": pid, "level": "senior", "held_on": ago(0),
                "experts": [{"person_id": m["person_id"], "score": s, "vote": v}
                            for m, s, v in zip(members, scores, votes)]}
        body.update(extra)
        return reviewer().post_json("/api/v1/panels", body)

    # a conflicted expert is refused, nothing stored
    r = panel(clean[:4] + conflicted[:1], [80] * 5, ["pass"] * 5)
    err = api_error(r, 422, "validation_failed", "conflicted expert")
    check(("experts[4].person_id", "expert_conflict") in detail_codes(err), "conflict: %r" % err)
    # 3 of 5 pass votes: fails at 2/3
    r = panel(clean[:5], [80, 80, 80, 80, 80], ["pass", "pass", "pass", "fail", "fail"])
    p1 = json_ok(r, 201, "failed panel")
    check(p1["result"] == "fail" and p1["pass_votes"] == 3 and p1["expert_count"] == 5, "panel 1: %r" % p1)
    j = eligibility(c, "senior", "after a failed panel")
    check(codes(j) == {"defence_failed"}, "after failed panel: %r" % j["unmet"])
    # superseding needs a reason
    r = panel(clean[:6], [70, 65, 60, 62, 58, 61], ["pass", "pass", "pass", "pass", "fail", "fail"],
              supersedes=p1["id"])
    err = api_error(r, 422, "validation_failed", "supersede without reason")
    check(("supersede_reason", "reason_required") in detail_codes(err), "%r" % err)
    # 4 of 6 votes, mean 62.67: passes
    r = panel(clean[:6], [70, 65, 60, 62, 58, 61], ["pass", "pass", "pass", "pass", "fail", "fail"],
              supersedes=p1["id"], supersede_reason="专家组复议")
    p2 = json_ok(r, 201, "passing panel")
    check(p2["result"] == "pass" and p2["pass_votes"] == 4, "panel 2: %r" % p2)
    j = eligibility(c, "senior", "after the panel")
    check(j["eligible"], "should now be eligible for senior: %r" % j["unmet"])
    # a superseded panel cannot be superseded again
    r = panel(clean[:5], [90] * 5, ["pass"] * 5, supersedes=p1["id"], supersede_reason="再次")
    api_error(r, 409, "panel_superseded", "supersede twice")


# ------------------------------------------------------------------ bad input


@test
def assessment_bad_scores_and_dates_store_nothing():
    c, ident = lib.registered_and_logged_in("assess-bad", name=unique_name())
    key = demo_key()
    report(upload(key, hours_csv([(ident["id_number"], ident["name"], "J-PUB-01", "2", ago(3))]), kind="hours"),
           201, "one hour row")
    pid = candidate_id(ident["name"], "junior")
    before = json_ok(reviewer().get("/api/v1/candidates/%d" % pid), 200, "candidate")["scores"]
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    cases = [
        ({"score": "101"}, "score", "score_invalid"),
        ({"score": "-1"}, "score", "score_invalid"),
        ({"score": "abc"}, "score", "score_invalid"),
        ({"score": "60.123"}, "score", "score_invalid"),
        ({"assessed_on": tomorrow}, "assessed_on", "date_in_future"),
        ({"assessed_on": "2001-01-01"}, "assessed_on", "date_before_registration"),
    ]
    for over, field, code in cases:
        body = {"person_id": pid, "level": "junior", "part": "written", "score": "70", "assessed_on": ago(0)}
        body.update(over)
        err = api_error(reviewer().post_json("/api/v1/scores", body), 422, "validation_failed", repr(over))
        check((field, code) in detail_codes(err), "%r: details %r" % (over, err.get("details")))
    after = json_ok(reviewer().get("/api/v1/candidates/%d" % pid), 200, "candidate")["scores"]
    check(after == before, "bad scores stored something: %r" % after)
    # a trainee cannot enter scores
    api_error(c.post_json("/api/v1/scores", {"person_id": pid, "level": "junior", "part": "written",
                                            "score": "99", "assessed_on": ago(0)}), 403, "forbidden", "trainee")


@test
def assessment_bad_panels_store_nothing():
    pid = candidate_id("东方磊", "senior")
    pool = [e for e in experts() if e["employer"] != "上海技术交易所"]
    before = json_ok(reviewer().get("/api/v1/candidates/%d" % pid), 200, "candidate")["panels"]

    def body(members, **over):
        b = {"person_id": pid, "level": "senior", "held_on": ago(1),
             "experts": [{"person_id": m, "score": 70, "vote": "pass"} for m in members]}
        b.update(over)
        return b

    ids = [e["person_id"] for e in pool]
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    cases = [
        (body(ids[:4]), "experts", "panel_too_small"),
        (body(ids[:4] + [ids[0]]), "experts[4].person_id", "expert_duplicate"),
        (body(ids[:4] + [pid]), "experts[4].person_id", "expert_conflict"),
        (body(ids[:4] + [999999999]), "experts[4].person_id", "expert_unknown"),
        (body(ids[:5], held_on=tomorrow), "held_on", "date_in_future"),
        (body(ids[:5], held_on="2001-01-01"), "held_on", "date_before_registration"),
    ]
    b = body(ids[:5])
    b["experts"][2] = {"person_id": ids[2], "vote": "pass"}            # vote without a score
    cases.append((b, "experts[2].score", "score_missing"))
    b = body(ids[:5])
    b["experts"][1]["score"] = 100.5
    cases.append((b, "experts[1].score", "score_invalid"))
    b = body(ids[:5])
    b["experts"][3]["vote"] = "maybe"
    cases.append((b, "experts[3].vote", "vote_invalid"))
    for b, field, code in cases:
        err = api_error(reviewer().post_json("/api/v1/panels", b), 422, "validation_failed", code)
        check((field, code) in detail_codes(err), "%s: details %r" % (code, err.get("details")))
    after = json_ok(reviewer().get("/api/v1/candidates/%d" % pid), 200, "candidate")["panels"]
    check(after == before, "bad panels stored something")


@test
def assessment_level_rules_versions_and_overlap():
    j = json_ok(admin().get("/api/v1/level-rules"), 200, "GET /api/v1/level-rules")
    rules = j["rules"]
    for lv, hours in (("junior", 48), ("intermediate", 64), ("senior", 80)):
        rs = [x for x in rules if x["level"] == lv]
        check(rs and all("effective_from" in x for x in rs), "%s versions: %r" % (lv, rs))
        check(any(x["effective_from"] == "2020-01-01" and x["hours"] == hours for x in rs),
              "%s DEFAULT row (%d 学时) missing" % (lv, hours))
    n = len(rules)
    latest = max(x["effective_from"] for x in rules if x["level"] == "junior")
    for bad_from in (latest, "2019-06-01"):
        err = api_error(admin().post_json("/api/v1/level-rules", {"level": "junior", "effective_from": bad_from,
                                                                  "hours": 50}),
                        422, "validation_failed", "overlap " + bad_from)
        check(("effective_from", "rule_overlap") in detail_codes(err), "%r" % err)
    for over, field in (({"pass_written": "101"}, "pass_written"), ({"hours": "0.3"}, "hours"),
                        ({"parts": "written,essay"}, "parts")):
        b = {"level": "junior", "effective_from": "2099-01-01"}
        b.update(over)
        err = api_error(admin().post_json("/api/v1/level-rules", b), 422, "validation_failed", repr(over))
        check(field in {d[0] for d in detail_codes(err)}, "%r: %r" % (over, err))
    j = json_ok(admin().get("/api/v1/level-rules"), 200, "GET /api/v1/level-rules")
    check(len(j["rules"]) == n, "refused versions stored something")
    api_error(reviewer().get("/api/v1/level-rules"), 403, "forbidden", "reviewer")


@test
def assessment_integrity_event_bars_then_closes():
    c, ident = lib.registered_and_logged_in("assess-ie", name=unique_name())
    key = demo_key()
    report(upload(key, hours_csv([(ident["id_number"], ident["name"], "J-PUB-01", "2", ago(3))]), kind="hours"),
           201, "one hour row")
    pid = candidate_id(ident["name"], "junior")
    r = admin().post_json("/api/v1/integrity-events", {"person_id": pid, "opened_on": ago(1),
                                                       "kind": "false_report", "note": "虚报业绩"})
    ev = json_ok(r, 201, "open integrity event")
    check("integrity_event" in codes(eligibility(c, "junior", "with an open event")), "open event must bar")
    err = api_error(admin().post_json("/api/v1/integrity-events/%d/close" % ev["id"], {"closed_on": "2000-01-01"}),
                    422, "validation_failed", "close before open")
    check(("closed_on", "dates_invalid") in detail_codes(err), "%r" % err)
    json_ok(admin().post_json("/api/v1/integrity-events/%d/close" % ev["id"], {"closed_on": ago(0)}), 200, "close")
    api_error(admin().post_json("/api/v1/integrity-events/%d/close" % ev["id"], {"closed_on": ago(0)}),
              409, "integrity_closed", "close twice")
    # closed within the last 3 years: still listed
    check("integrity_event" in codes(eligibility(c, "junior", "closed recently")), "recent event must bar")
    api_error(reviewer().post_json("/api/v1/integrity-events", {"person_id": pid, "opened_on": ago(1),
                                                                "kind": "x"}), 403, "forbidden", "reviewer")


@test
def assessment_evidence_bad_input_and_reject_reason():
    c, _ = lib.registered_and_logged_in("assess-ev")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    cases = [
        ({"kind": "deal", "title": "t", "contract_type": "sale", "deal_role": "lead", "contract_amount": "1",
          "received_amount": "1", "registration_no": "x", "on_date": ago(5)}, "contract_type"),
        ({"kind": "deal", "title": "t", "contract_type": "transfer", "deal_role": "lead", "contract_amount": "-5",
          "received_amount": "1", "registration_no": "x", "on_date": ago(5)}, "contract_amount"),
        ({"kind": "education", "title": "t", "degree": "bachelor", "on_date": tomorrow}, "on_date"),
        ({"kind": "work", "title": "t", "started_on": "2020-01-01", "on_date": "2019-01-01"}, "on_date"),
    ]
    for body, field in cases:
        err = api_error(c.post_json("/api/v1/me/evidence", body), 422, "validation_failed", field)
        check(field in {d[0] for d in detail_codes(err)}, "%s: %r" % (field, err))
    j = json_ok(c.get("/api/v1/me/evidence"), 200, "my evidence")
    check(j["evidence"] == [], "bad evidence stored something: %r" % j["evidence"])
    e = declare(c, {"kind": "education", "title": "某学院", "degree": "associate", "on_date": "2010-07-01"}, "edu")
    err = api_error(reviewer().post_json("/api/v1/evidence/%d/review" % e["id"], {"status": "rejected"}),
                    422, "validation_failed", "reject without reason")
    check(("reason", "reason_required") in detail_codes(err), "%r" % err)
    j = json_ok(reviewer().post_json("/api/v1/evidence/%d/review" % e["id"],
                                     {"status": "rejected", "reason": "学历证书无法核验"}), 200, "reject")
    check(j["status"] == "rejected" and j["review_reason"] == "学历证书无法核验", "%r" % j)
    check("education_below" in codes(eligibility(c, "junior", "rejected education")), "rejected must not count")
