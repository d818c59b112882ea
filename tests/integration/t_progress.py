"""Goal progress (issue 8): GET /api/v1/progress follows every certificate change exactly
(issue over HTTP, import, suspend, reinstate, revoke, renew, a second level for the same
person, a certificate first issued before the window), the from-scratch recount
(tmcred-ctl progress-check) agrees and does find a planted difference, the CSV export, a
base operator's own view, and the admin's baseline (bad input: 422 in zh-CN, nothing
changed).

The stack's SQL is read to find person ids for tmcred-ctl and to prove that refusals stored
nothing; it is written once, to plant a wrong counter that progress-check must report.
"""

import csv
import datetime
import io
import time

import lib
from lib import Client, check, has_cjk
from courses_common import PRO_J, add_record, admin, demo, json_ok, test_collector
from t_certs import (_stack_cmd, action, ctl, fresh_holder, issued, person_id, sql1)

TESTS, test = test_collector()

LEVELS = ("junior", "intermediate", "senior")
NODE_KEYS = ("certified", "certified_intermediate_senior", "by_level", "by_month", "rule_version", "as_of")


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def progress(client=None):
    r = (client or Client("progress")).get("/api/v1/progress")
    return json_ok(r, 200, "GET /api/v1/progress")


def figures(p):
    """What the lifecycle test compares: headline, levels, months, bases."""
    return {
        "certified": p["certified"], "is": p["certified_intermediate_senior"],
        "total": p["total"],
        "levels": dict(p["by_level"]), "top": dict(p["by_highest_level"]),
        "months": {m["month"]: m["new"] for m in p["by_month"]},
        "bases": {b["code"]: b["certified"] for b in p["by_base"]},
    }


def expect(before, what, certified=0, is_=0, levels=None, top=None, months=None, bases=None,
           timeout=4.0):
    """Polls GET /api/v1/progress until it shows exactly `before` moved by the deltas.

    Changes made over HTTP show at once (the certificate epoch); tmcred-ctl's within
    TM_PROGRESS_CACHE_MS (1 s). Anything else after `timeout` is a failure."""
    want = {
        "certified": before["certified"] + certified, "is": before["is"] + is_,
        "total": before["total"] + certified,
        "levels": {k: before["levels"][k] + (levels or {}).get(k, 0) for k in LEVELS},
        "top": {k: before["top"][k] + (top or {}).get(k, 0) for k in LEVELS},
        "months": dict(before["months"]), "bases": dict(before["bases"]),
    }
    for m, d in (months or {}).items():
        want["months"][m] = want["months"].get(m, 0) + d
    for b, d in (bases or {}).items():
        want["bases"][b] = want["bases"].get(b, 0) + d
    want["bases"] = {k: v for k, v in want["bases"].items() if v}
    deadline = time.monotonic() + timeout
    while True:
        got = figures(progress())
        if got == want:
            return got
        if time.monotonic() > deadline:
            diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
            raise lib.TestFailure("%s: progress is not exactly the expected one: (got, want) %r" % (what, diff))
        time.sleep(0.2)


def check_clean(what):
    rc, out, err = _stack_cmd(["ctl", lib.STACK, "progress-check"])
    check(rc == 0 and " 0 difference(s)" in out, "%s: progress-check exit %d: %s %s" % (what, rc, out[-400:], err[-300:]))


def month_of(d):
    return d[:7] if isinstance(d, str) else d.strftime("%Y-%m")


@test
def progress_shape_and_page():
    p = progress()
    for k in ("goal", "deadline", "certified", "by_level", "by_base", "by_month", "projected_on_deadline",
              "certified_intermediate_senior", "by_region", "baseline", "total", "projection", "rule",
              "node", "peers"):
        check(k in p, "GET /api/v1/progress lacks %r" % k)
    check(p["goal"] == 3000 and p["deadline"] == "2027-12-31", "goal %r deadline %r" % (p["goal"], p["deadline"]))
    check(set(p["by_level"]) == set(LEVELS), "by_level keys %r" % p["by_level"])
    for k in NODE_KEYS:
        check(k in p["node"], "node part lacks %r" % k)
    check(p["node"]["certified"] == p["certified"], "node.certified %r vs certified %r"
          % (p["node"]["certified"], p["certified"]))
    check(p["total"] == p["certified"] + p["baseline"]["number"], "total %r != certified %r + baseline %r"
          % (p["total"], p["certified"], p["baseline"]["number"]))
    check(sum(p["by_highest_level"].values()) == p["certified"], "by_highest_level does not add up: %r" % p)
    check(sum(b["certified"] for b in p["by_base"]) == p["certified"], "by_base does not add up")
    check(sum(r["certified"] for r in p["by_region"]) == p["certified"], "by_region does not add up")
    months = p["by_month"]
    check(months[0]["month"] == "2024-01" and months[-1]["month"] == month_of(today()),
          "by_month runs %s..%s" % (months[0]["month"], months[-1]["month"]))
    cum = 0
    for m in months:
        cum += m["new"]
        check(m["cumulative"] == cum, "by_month cumulative wrong at %r" % m)
    check(cum == p["certified"], "by_month sums to %d, certified %d" % (cum, p["certified"]))
    pj = p["projection"]
    check(pj["fit_months"] == 6 and isinstance(pj["pace_per_month"], float), "projection %r" % pj)
    check(pj["on_track"] == (p["projected_on_deadline"] >= p["goal"]), "on_track inconsistent: %r" % pj)
    check(p["projected_on_deadline"] >= p["total"], "projection below today's total")
    # the public page: zh-CN, the chart inline as SVG (no script), the same headline
    r = Client("progress-page").get("/progress")
    check(r.status == 200 and "text/html" in (r.header("Content-Type") or ""), "GET /progress: %s" % r.short())
    page = lib.parse_html(r.body)
    check(page.text_of("total") == str(p["total"]), "page headline %r, API total %r" % (page.text_of("total"), p["total"]))
    check("<svg" in r.text and 'id="progress-chart"' in r.text and "<script" not in r.text,
          "/progress has no inline SVG chart (or has a script)")
    check("目标 3000" in r.text and has_cjk(page.text_of("projection-text") or ""), "page lacks goal label or projection text")


@test
def progress_follows_every_certificate_change():
    """Every change of a certificate moves the counts by exactly what the rule says."""
    base = demo().get("BASE_CODE") or "SH-STEX"
    m_now = month_of(today())
    f0 = figures(progress())

    # 1. issued over HTTP (eligible through the API): +1 everywhere, at the demo base
    t, a = fresh_holder("prog-a")
    ja = issued(a)
    check(ja["base"], "the issued certificate names no base: %r" % ja)
    f1 = expect(f0, "after issuing a junior certificate over HTTP", certified=1, levels={"junior": 1},
                top={"junior": 1}, months={m_now: 1}, bases={base: 1})
    # 2. suspend over HTTP: the DEFAULT rule counts valid and expired only
    json_ok(action(ja["serial"], "suspend", reason="诚信事件调查中"), 200, "suspend")
    f2 = expect(f1, "after suspend", certified=-1, levels={"junior": -1}, top={"junior": -1},
                months={m_now: -1}, bases={base: -1})
    # 3. reinstate: back exactly where it was
    json_ok(action(ja["serial"], "reinstate", reason="调查结束"), 200, "reinstate")
    f3 = expect(f2, "after reinstate", certified=1, levels={"junior": 1}, top={"junior": 1},
                months={m_now: 1}, bases={base: 1})
    check(f3 == f1, "suspend + reinstate did not come back to the same counts")
    # an integrity event suspends every valid certificate of the holder: out of the count too
    r = admin().post_json("/api/v1/integrity-events", {"person_id": person_id(a), "opened_on": today().isoformat(),
                                                       "kind": "false_report", "note": "集成测试"})
    ev = json_ok(r, 201, "open an integrity event")
    check(ev.get("suspended_certificates") == [ja["serial"]], "the event's answer %r" % ev)
    expect(f3, "after an integrity event", certified=-1, levels={"junior": -1}, top={"junior": -1},
           months={m_now: -1}, bases={base: -1})
    json_ok(admin().post_json("/api/v1/integrity-events/%d/close" % ev["id"], {"closed_on": today().isoformat()}),
            200, "close the event")
    json_ok(action(ja["serial"], "reinstate", reason="调查结束"), 200, "reinstate after the event")
    expect(f3, "after the event closed and the certificate reinstated")

    # 4. the same person at two levels (imports, first in an earlier month): counted once
    t, b = fresh_holder("prog-b", eligible=False)
    pid = person_id(b)
    on_j = today() - datetime.timedelta(days=200)
    sj, _ = ctl("cert-import", pid, "junior", on_j.isoformat()).split()
    f4 = expect(f3, "after importing a junior certificate dated %s" % on_j, certified=1,
                levels={"junior": 1}, top={"junior": 1}, months={month_of(on_j): 1}, bases={"": 1})
    si, _ = ctl("cert-import", pid, "intermediate", today().isoformat()).split()
    f5 = expect(f4, "after the same person's intermediate certificate", is_=1,
                levels={"intermediate": 1}, top={"junior": -1, "intermediate": 1})
    # 5. revoke the intermediate over HTTP: the person still counts through the junior one
    json_ok(action(si, "revoke", reason="以欺骗手段取得证书"), 200, "revoke")
    f6 = expect(f5, "after revoking the intermediate certificate", is_=-1,
                levels={"intermediate": -1}, top={"junior": 1, "intermediate": -1})
    check(f6 == f4, "the revoke did not undo the intermediate certificate exactly")
    # ... and revoking the junior one too removes the person (and their month)
    json_ok(action(sj, "revoke", reason="以欺骗手段取得证书"), 200, "revoke the junior certificate")
    f7 = expect(f6, "after revoking both", certified=-1, levels={"junior": -1}, top={"junior": -1},
                months={month_of(on_j): -1}, bases={"": -1})
    check(f7 == f3, "revoking both certificates did not leave the counts of before the person")

    # 6. first issued before the window (2023): never counted
    t, c = fresh_holder("prog-c", eligible=False)
    ctl("cert-import", person_id(c), "junior", "2023-06-30")
    time.sleep(1.2)
    check(figures(progress()) == f7, "a certificate first issued on 2023-06-30 changed the counts")

    # 7. renewal: a new revision, same person, same month: nothing moves
    t, d = fresh_holder("prog-d", eligible=False)
    on = today() - datetime.timedelta(days=700)
    sd, _ = ctl("cert-import", person_id(d), "junior", on.isoformat()).split()
    f8 = expect(f7, "after importing a 700-day-old certificate", certified=1, levels={"junior": 1},
                top={"junior": 1}, months={month_of(on): 1}, bases={"": 1})
    for i in range(12):
        add_record(d["id_number"], PRO_J, "8", (on + datetime.timedelta(days=10 + i)).isoformat())
    v = json_ok(action(sd, "renew", reason=None), 200, "renew")
    check(v["rev"] == 2, "renew answer %r" % v)
    time.sleep(0.3)
    check(figures(progress()) == f8, "a renewal moved the counts")
    check_clean("after the lifecycle")


@test
def progress_check_finds_a_planted_difference():
    """The recount is not a tautology: a counter changed behind the code's back is reported
    (exit 1, the counter named), and progress-rebuild puts the recount back."""
    check_clean("before planting")
    rc, out, err = _stack_cmd(["sql", lib.STACK, "-e",
                               "UPDATE progress_counts SET n = n + 1 WHERE rule_version ="
                               " (SELECT MAX(version) FROM progress_rules) AND dim = 'level' AND k = 'senior'"])
    check(rc == 0, "planting a wrong counter failed: %s" % err[-300:])
    rc, out, err = _stack_cmd(["ctl", lib.STACK, "progress-check"])
    check(rc == 1, "progress-check with a planted difference: exit %d, expected 1: %s" % (rc, out[-300:]))
    check("counter level\tsenior" in out and "1 difference(s)" in out, "progress-check report: %r" % out[-400:])
    rc, out, err = _stack_cmd(["ctl", lib.STACK, "progress-rebuild"])
    check(rc == 0 and "rebuilt" in out, "progress-rebuild: exit %d: %s %s" % (rc, out[-300:], err[-300:]))
    check_clean("after progress-rebuild")
    rc, out, err = _stack_cmd(["ctl", lib.STACK, "progress-check", "extra"])
    check(rc == 2, "progress-check extra: exit %d, expected 2 (usage)" % rc)


@test
def progress_csv_export():
    p = progress()
    r = Client("progress-csv").get("/api/v1/progress.csv")
    check(r.status == 200, "GET /api/v1/progress.csv: %s" % r.short())
    check((r.header("Content-Type") or "").startswith("text/csv"), "CSV Content-Type %r" % r.header("Content-Type"))
    check("attachment" in (r.header("Content-Disposition") or ""), "CSV is not an attachment")
    check(r.body.startswith(b"\xef\xbb\xbf"), "CSV has no UTF-8 BOM")
    body = r.body[3:].decode("utf-8")
    check("\r\n" in body and "\n" not in body.replace("\r\n", ""), "CSV lines are not all CRLF")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    check(rows[0] == ["表", "项目", "人数"], "CSV header %r" % rows[0])
    overview = {r[1]: int(r[2]) for r in rows if len(r) == 3 and r[0] == "总览"}
    check(overview.get("本节点认证人数") == p["certified"] and overview.get("合计") == p["total"]
          and overview.get("目标") == 3000, "CSV overview %r vs API" % overview)
    i = rows.index(["月份", "当月新增", "累计"])
    months = [(r[0], int(r[1]), int(r[2])) for r in rows[i + 1:] if r]
    check(months == [(m["month"], m["new"], m["cumulative"]) for m in p["by_month"]],
          "CSV months differ from the API's")
    bases = [r for r in rows if len(r) == 3 and r[0] == "按培养基地"]
    check(len(bases) == len(p["by_base"]), "CSV has %d base rows, API %d" % (len(bases), len(p["by_base"])))


@test
def progress_base_view_is_scoped():
    d = demo()
    check(d.get("BASE_LOGIN") and d.get("BASE_API_KEY"), "`tmcred-ctl demo` printed no base operator")
    code = d.get("BASE_CODE") or "SH-STEX"
    p = progress()
    mine = {b["code"]: b["certified"] for b in p["by_base"]}
    op = Client("base-op")
    r = lib.login(op, d["BASE_LOGIN"], d["BASE_PASSWORD"], expect=None)
    check(r.status == 200, "base operator login: %s" % r.short())
    j = json_ok(op.get("/api/v1/progress/base"), 200, "a base operator's own progress")
    check(j["base"]["code"] == code, "a base operator of %s got %r" % (code, j["base"]))
    check(j["certified"] == mine.get(code, 0), "base view %r, by_base says %r" % (j["certified"], mine.get(code)))
    check(j["node_certified"] == p["certified"], "base view node_certified %r" % j["node_certified"])
    check(sum(m["new"] for m in j["by_month"]) == j["certified"], "base months do not add up")
    # a base operator cannot look at another base: ?base= is for admins only
    j2 = json_ok(op.get("/api/v1/progress/base?base=SH-FUDAN"), 200, "base operator with ?base=")
    check(j2["base"]["code"] == code, "a base operator reached another base's view: %r" % j2["base"])
    # the API key of the base (read scope) sees the same
    k = Client("base-key").get("/api/v1/progress/base", headers={"Authorization": "Bearer " + d["BASE_API_KEY"]})
    check(json_ok(k, 200, "base API key")["base"]["code"] == code, "API key view")
    html = op.get("/base/progress")
    check(html.status == 200 and lib.parse_html(html.body).text_of("base-certified") == str(j["certified"]),
          "/base/progress page: %s" % html.short())
    # admins name the base; everyone else is refused
    ja = json_ok(admin().get("/api/v1/progress/base?base=SH-FUDAN"), 200, "admin ?base=SH-FUDAN")
    check(ja["base"]["code"] == "SH-FUDAN" and ja["certified"] == mine.get("SH-FUDAN", 0), "admin view %r" % ja)
    e = admin().get("/api/v1/progress/base")
    check(e.status == 422 and has_cjk(e.json()["error"]["message"]), "admin without ?base=: %s" % e.short())
    check(admin().get("/api/v1/progress/base?base=NO-SUCH").status == 404, "unknown base is not 404")
    t, _ = fresh_holder("prog-tr", eligible=False)
    check(t.get("/api/v1/progress/base").status == 403, "a trainee reached a base view")
    check(Client("anon").get("/api/v1/progress/base").status == 401, "anonymous reached a base view")


def baseline_state():
    return sql1("SELECT (SELECT COUNT(*) FROM progress_baselines),"
                " (SELECT COUNT(*) FROM audit_log WHERE action = 'progress.baseline')")


@test
def progress_baseline_admin():
    p0 = progress()
    before = baseline_state()
    bad = [
        ({"number": "-5", "as_of": "2023-12-31", "source": "测试"}, "number"),
        ({"number": "abc", "as_of": "2023-12-31", "source": "测试"}, "number"),
        ({"number": "2000001", "as_of": "2023-12-31", "source": "测试"}, "number"),
        ({"number": "100", "as_of": "2023-02-30", "source": "测试"}, "as_of"),
        ({"number": "100", "as_of": (today() + datetime.timedelta(days=3)).isoformat(), "source": "测试"}, "as_of"),
        ({"number": "100", "as_of": "2023-12-31"}, "source"),
        ({"number": "100", "as_of": "2023-12-31", "source": "x" * 201}, "source"),
    ]
    for body, field in bad:
        r = admin().post_json("/api/v1/progress/baseline", body)
        check(r.status == 422, "baseline %r: expected 422, got %s" % (body, r.short()))
        e = r.json()["error"]
        check(e["code"] == "validation_failed" and has_cjk(e["message"]), "baseline %r: error %r" % (body, e))
        fields = [x.get("field") for x in e.get("details") or []]
        check(field in fields and all(has_cjk(x.get("message")) for x in e["details"]),
              "baseline %r: details %r do not name %r in zh-CN" % (body, e.get("details"), field))
    check(baseline_state() == before, "a refused baseline stored something: %r -> %r" % (before, baseline_state()))
    check(progress()["baseline"] == p0["baseline"], "a refused baseline changed the API")
    # only admins
    t, _ = fresh_holder("prog-bl", eligible=False)
    check(t.post_json("/api/v1/progress/baseline", {"number": "1", "as_of": "2023-12-31", "source": "x"}).status == 403,
          "a trainee set the baseline")
    check(baseline_state() == before, "a trainee's baseline stored something")

    # a good one: shown at once, added to the total once, audited
    j = json_ok(admin().post_json("/api/v1/progress/baseline",
                                  {"number": "1300", "as_of": "2023-12-31", "source": "市科委统计（集成测试）"}),
                200, "set the baseline")
    check(j["baseline"]["number"] == 1300, "baseline answer %r" % j)
    p1 = progress()
    check(p1["baseline"] == {"number": 1300, "as_of": "2023-12-31", "source": "市科委统计（集成测试）"},
          "baseline after setting: %r" % p1["baseline"])
    check(p1["total"] == p1["certified"] + 1300, "total %r with baseline 1300 and certified %r"
          % (p1["total"], p1["certified"]))
    n0, a0 = map(int, before)
    n1, a1 = map(int, baseline_state())
    check(n1 == n0 + 1 and a1 == a0 + 1, "baseline rows/audit rows %r -> %r" % (before, baseline_state()))

    # the admin form: bad input shows the form again with the field's message, nothing stored
    c = admin()
    page = c.get("/admin/progress")
    check(page.status == 200, "GET /admin/progress: %s" % page.short())
    token = lib.parse_html(page.body).input_value("csrf")
    before = baseline_state()
    r = c.post_form("/admin/progress/baseline", {"csrf": token, "number": "十", "as_of": "2023-12-31",
                                                 "source": "表单"})
    check(r.status == 422 and "field-error" in r.text and has_cjk(r.text), "bad form post: %s" % r.short())
    check(baseline_state() == before, "a refused form post stored something")
    r = c.post_form("/admin/progress/baseline", {"csrf": token, "number": str(p0["baseline"]["number"]),
                                                 "as_of": p0["baseline"]["as_of"] or "2023-12-31",
                                                 "source": p0["baseline"]["source"] or "恢复"})
    check(r.status == 303 and r.location_path().startswith("/admin/progress"), "form post: %s" % r.short())
    check(progress()["baseline"]["number"] == p0["baseline"]["number"], "the form did not restore the baseline")
