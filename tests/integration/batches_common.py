"""Shared helpers for the training-base bulk-upload tests (t_batches.py,
t_batches_page.py).  Python 3 standard library only.

Uploads go over real HTTP with `Authorization: Bearer <key>`.  The demo base
(BASE_CODE, BASE_LOGIN/BASE_PASSWORD, BASE_API_KEY) comes from demo_logins;
tests that need isolation make their own base and key through the admin API
(POST /api/v1/bases, POST /api/v1/api-keys).  Persons are global by ID number,
so every test makes fresh ID numbers unless it uses the fixed demo files.
"""

import csv
import datetime
import io
import os
import subprocess
import uuid

import lib
from lib import Client, TestFailure, check, has_cjk
from courses_common import admin, demo, json_ok, new_base

DATA = os.path.join(lib.TOP, "tests", "data")
REPORT_FIELDS = ("batch_id", "kind", "mode", "status", "rows", "accepted", "rejected",
                 "unchanged", "errors_total", "errors")
ERRORS_CSV_HEADER = ["行号", "列", "错误代码", "说明"]
BOM = b"\xef\xbb\xbf"

_base_keys = {}


def data_file(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def demo_base():
    """The demo base's logins: BASE_CODE, BASE_LOGIN, BASE_PASSWORD, BASE_API_KEY."""
    d = demo()
    missing = [k for k in ("BASE_CODE", "BASE_LOGIN", "BASE_PASSWORD", "BASE_API_KEY") if not d.get(k)]
    check(not missing, "demo logins lack %s (`tmcred-ctl demo` should print them)" % ", ".join(missing))
    return d


def demo_key():
    return demo_base()["BASE_API_KEY"]


def auth(key):
    return {"Authorization": "Bearer " + key}


def upload(key, body, kind="roster", mode="atomic", ct="text/csv", idem=None, headers=None,
           query=None, client=None, timeout=lib.HTTP_TIMEOUT):
    """POST /api/v1/batches with the key (None: no Authorization header)."""
    h = dict(auth(key)) if key else {}
    if idem is not None:
        h["Idempotency-Key"] = idem
    if headers:
        h.update(headers)
    if query is None:
        query = "kind=%s" % kind + ("&mode=%s" % mode if mode else "")
    c = client or Client("batch")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return c.request("POST", "/api/v1/batches?" + query, body=body, headers=h, content_type=ct,
                     timeout=timeout)


def get(key, path, client=None):
    return (client or Client("batch-get")).get(path, headers=auth(key) if key else None)


def new_key(base_code, scopes="roster|hours|exams|read", label="集成测试", expires_days=None):
    body = {"base_code": base_code, "scopes": scopes, "label": label}
    if expires_days is not None:
        body["expires_days"] = expires_days
    r = admin().post_json("/api/v1/api-keys", body)
    j = json_ok(r, 201, "POST /api/v1/api-keys %s %s" % (base_code, scopes))
    check(isinstance(j.get("key"), str) and j["key"] and isinstance(j.get("prefix"), str) and j["prefix"],
          "POST /api/v1/api-keys: no key/prefix in %r" % {k: v for k, v in j.items() if k != "key"})
    check(j["prefix"] in j["key"], "the key does not contain its prefix %r" % j["prefix"])
    return j["key"], j["prefix"]


def revoke_key(prefix):
    r = admin().post_json("/api/v1/api-keys/%s/revoke" % prefix, {})
    json_ok(r, 200, "POST /api/v1/api-keys/%s/revoke" % prefix)


def fresh_base_key(scopes="roster|hours|exams|read", tag=None):
    """A new active base with a key of these scopes: (code, key, prefix).
    With tag, one base per tag is made and reused within the run."""
    if tag and tag in _base_keys:
        return _base_keys[tag]
    code = new_base()
    key, prefix = new_key(code, scopes)
    if tag:
        _base_keys[tag] = (code, key, prefix)
    return code, key, prefix


def stack_sql(sql):
    """Test set-up the API cannot do (a base's levels, a key's expiry) through
    `scripts/stack sql`.  Returns None when TMCRED_STACK is not set."""
    if not lib.STACK:
        return None
    script = os.path.join(lib.TOP, "scripts", "stack")
    p = subprocess.run([script, "sql", lib.STACK, "-N", "-e", sql], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    check(p.returncode == 0, "scripts/stack sql failed (rc %d): %s"
          % (p.returncode, p.stdout.decode("utf-8", "replace")[-400:]))
    return p.stdout.decode("utf-8", "replace")


def ledger_years_mismatches():
    """Rows where ledger_years differs from the sums over training_records (both directions):
    [0, 0] when exact, None without TMCRED_STACK.  Every writer of training_records keeps
    ledger_years itself (courses/ledger_years.h), so each writer's test ends with this."""
    out = stack_sql(
        "SELECT COUNT(*) FROM (SELECT person_id, YEAR(completed_on) AS y,"
        " SUM(IF(subject = 'professional', hours_x2, 0)) AS p, SUM(IF(subject = 'general', hours_x2, 0)) AS g,"
        " SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0)) AS c FROM training_records"
        " GROUP BY person_id, YEAR(completed_on)) t LEFT JOIN ledger_years l ON l.person_id = t.person_id"
        " AND l.year = t.y WHERE l.person_id IS NULL OR l.professional_x2 <> t.p OR l.general_x2 <> t.g"
        " OR l.compulsory_x2 <> t.c;"
        " SELECT COUNT(*) FROM ledger_years l LEFT JOIN (SELECT DISTINCT person_id, YEAR(completed_on) AS y"
        " FROM training_records) t ON t.person_id = l.person_id AND t.y = l.year WHERE t.person_id IS NULL"
        " AND (l.professional_x2 <> 0 OR l.general_x2 <> 0 OR l.compulsory_x2 <> 0)")
    return None if out is None else [int(x) for x in out.split()]


# ---------------------------------------------------------------- people and files


def person():
    """A fresh (ID number, name) pair; the ID is remembered for the global
    "no clear ID number in any response" check."""
    idn = lib.make_id()
    lib.KNOWN_IDS.add(idn)
    return idn, lib.fresh_name()


def people(n):
    seen = set()
    out = []
    while len(out) < n:
        p = person()
        if p[0] not in seen:
            seen.add(p[0])
            out.append(p)
    return out


def csv_text(header, rows, eol="\r\n"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=eol)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def csv_bytes(header, rows, eol="\r\n", encoding="utf-8", bom=False):
    b = csv_text(header, rows, eol).encode(encoding)
    return (BOM + b) if bom else b


def roster_csv(ppl, **kw):
    return csv_bytes(["id_number", "name"], [[i, n] for i, n in ppl], **kw)


def hours_csv(rows, **kw):
    """rows: [(id, name, course, hours, day), ...]"""
    return csv_bytes(["id_number", "name", "course_code", "hours", "completed_on"],
                     [list(r) for r in rows], **kw)


def last_year(month, day):
    return "%04d-%02d-%02d" % (datetime.date.today().year - 1, month, day)


# ---------------------------------------------------------------- reports


def report(r, status, what, kind=None, mode=None, st=None, rows=None, accepted=None,
           rejected=None, unchanged=None):
    """Check a batch report answer (201/200/422) and return its JSON."""
    check(r.status == status, "%s: expected %d, got %s" % (what, status, r.short()))
    ct = r.header("Content-Type", "")
    check("application/json" in ct.lower(), "%s: Content-Type %r, expected JSON" % (what, ct))
    j = r.json()
    check(isinstance(j, dict), "%s: not a JSON object: %s" % (what, r.short()))
    for k in REPORT_FIELDS:
        check(k in j, "%s: the report lacks %r: %s" % (what, k, r.short()))
    check(isinstance(j["batch_id"], int) and j["batch_id"] > 0, "%s: batch_id %r" % (what, j["batch_id"]))
    for k in ("rows", "accepted", "rejected", "unchanged", "errors_total"):
        check(isinstance(j[k], int) and not isinstance(j[k], bool) and j[k] >= 0,
              "%s: %s is %r" % (what, k, j[k]))
    check(isinstance(j["errors"], list), "%s: errors is %r" % (what, j["errors"]))
    for e in j["errors"]:
        check(isinstance(e, dict) and isinstance(e.get("row"), int) and isinstance(e.get("column"), str)
              and isinstance(e.get("code"), str) and e["code"],
              "%s: malformed error entry %r" % (what, e))
        check(has_cjk(e.get("message")), "%s: error message is not zh-CN: %r" % (what, e))
        check(1 <= e["row"] <= max(j["rows"], 1), "%s: error row %r outside 1..%d" % (what, e["row"], j["rows"]))
    check(j["errors_total"] >= len(j["errors"]), "%s: errors_total %d < %d errors listed"
          % (what, j["errors_total"], len(j["errors"])))
    if j["errors_total"] <= 1000:
        check(j["errors_total"] == len(j["errors"]), "%s: errors_total %d but %d errors listed"
              % (what, j["errors_total"], len(j["errors"])))
    rows_with_errors = {e["row"] for e in j["errors"]}
    if j["errors_total"] == len(j["errors"]):
        check(j["rejected"] == len(rows_with_errors), "%s: rejected %d but errors on %d row(s): %r"
              % (what, j["rejected"], len(rows_with_errors), sorted(rows_with_errors)))
    if status == 422 or j["status"] == "rejected":
        check(j["status"] == "rejected" and j["accepted"] == 0,
              "%s: a rejected atomic batch must say status rejected, accepted 0: %s" % (what, r.short()))
    if status == 422:
        err = j.get("error")
        check(isinstance(err, dict) and err.get("code") == "batch_rejected" and has_cjk(err.get("message")),
              "%s: 422 without {\"error\":{\"code\":\"batch_rejected\",\"message\":zh-CN}}: %s"
              % (what, r.short()))
    if j["status"] == "rejected":
        check(j["rejected"] >= 1, "%s: rejected batch with rejected=0" % what)
    else:
        check(j["rows"] == j["accepted"] + j["rejected"] + j["unchanged"],
              "%s: rows %d != accepted %d + rejected %d + unchanged %d"
              % (what, j["rows"], j["accepted"], j["rejected"], j["unchanged"]))
    want = {"kind": kind, "mode": mode, "status": st, "rows": rows, "accepted": accepted,
            "rejected": rejected, "unchanged": unchanged}
    for k, v in want.items():
        if v is not None:
            check(j[k] == v, "%s: %s is %r, expected %r (report %s)" % (what, k, j[k], v, _brief(j)))
    return j


def _brief(j):
    out = {k: j.get(k) for k in ("batch_id", "status", "rows", "accepted", "rejected", "unchanged",
                                 "errors_total")}
    out["errors"] = [(e.get("row"), e.get("column"), e.get("code")) for e in (j.get("errors") or [])[:20]]
    return out


def brief(j):
    return _brief(j)


def err_set(j):
    return {(e["row"], e["column"], e["code"]) for e in j["errors"]}


def errors_by_row(j):
    out = {}
    for e in j["errors"]:
        out.setdefault(e["row"], []).append(e)
    return out


def expect_row_error(j, row, column, codes, what):
    """Row `row` has an error in `column` whose code is one of `codes`
    (a string, a tuple, or a prefix ending in '*')."""
    if isinstance(codes, str):
        codes = (codes,)
    errs = errors_by_row(j).get(row, [])

    def match(code):
        return any(code == c or (c.endswith("*") and code.startswith(c[:-1])) for c in codes)
    ok = [e for e in errs if (column is None or e["column"] == column) and match(e["code"])]
    check(ok, "%s: row %d: expected an error in column %r with code %s; row errors %r (report %s)"
          % (what, row, column, "/".join(codes), [(e["column"], e["code"]) for e in errs], _brief(j)))
    return ok[0]


def whole_file_error(r, status, code, what):
    """A whole-file error: the status and error.code, zh-CN message, no report."""
    e = lib.api_error(r, status, code, what)
    j = r.json()
    check("batch_id" not in j, "%s: a whole-file error should store no batch, yet the answer has batch_id %r"
          % (what, j.get("batch_id")))
    return e


def fresh_roster_accepted(key, ppl, what):
    """After a refused upload: the same persons are still new (accepted, not unchanged)."""
    r = upload(key, roster_csv(ppl))
    j = report(r, 201, "%s: roster of the same persons afterwards" % what)
    check(j["accepted"] == len(ppl) and j["unchanged"] == 0,
          "%s: the refused upload seems to have stored persons: re-uploading them gave accepted %d, "
          "unchanged %d (expected accepted %d, unchanged 0)" % (what, j["accepted"], j["unchanged"], len(ppl)))
    return j


def register_roster(key, ppl, what="roster"):
    """Make sure these persons are registered (accepted or unchanged)."""
    r = upload(key, roster_csv(ppl), mode="atomic")
    j = report(r, 201, what)
    check(j["accepted"] + j["unchanged"] == len(ppl), "%s: %s" % (what, _brief(j)))
    return j


def batch_ids(key):
    r = get(key, "/api/v1/batches")
    j = json_ok(r, 200, "GET /api/v1/batches")
    lst = j.get("batches")
    check(isinstance(lst, list), "GET /api/v1/batches: batches is %r" % lst)
    return [b.get("batch_id") for b in lst]


def parse_errors_csv(r, what):
    check(r.status == 200, "%s: expected 200, got %s" % (what, r.short()))
    ct = r.header("Content-Type", "")
    check(ct.lower().startswith("text/csv"), "%s: Content-Type %r, expected text/csv" % (what, ct))
    check(r.body.startswith(BOM), "%s: does not start with the UTF-8 BOM: %r" % (what, r.body[:12]))
    try:
        text = r.body[3:].decode("utf-8")
    except UnicodeDecodeError as e:
        raise TestFailure("%s: not UTF-8: %s" % (what, e))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(rows and rows[0] == ERRORS_CSV_HEADER, "%s: header %r, expected %r"
          % (what, rows[0] if rows else None, ERRORS_CSV_HEADER))
    return rows[1:]


def multipart(fields, files):
    """fields: [(name, value)], files: [(name, filename, bytes, content_type)] in this order."""
    b = "----tmcredB5" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (b, k)).encode()
        out += (v.encode("utf-8") if isinstance(v, str) else v) + b"\r\n"
    for k, fn, data, ct in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (b, k, fn, ct)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b
