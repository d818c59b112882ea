"""The training base's upload pages: GET/POST /base/upload (multipart, CSRF),
/base/batches and /base/batches/{id} (the report with #batch-status,
#batch-rows, #batch-accepted, #batch-rejected, an error table and a link to
errors.csv), and who may see them.  The base operator is BASE_LOGIN of the
demo base; the API key BASE_API_KEY of the same base cross-checks what the
pages show."""

import html.parser
import re

import lib
from lib import Client, check, has_cjk
from batches_common import (brief, data_file, demo_base, demo_key, fresh_roster_accepted, get, multipart,
                            parse_errors_csv, people, report, roster_csv, upload)
from courses_common import fresh_trainee, html_ok, test_collector

TESTS, test = test_collector()

_op = []


def operator():
    """A logged-in client of the demo base operator, cached."""
    if not _op:
        d = demo_base()
        c = Client("base-operator")
        r = lib.login(c, d["BASE_LOGIN"], d["BASE_PASSWORD"], expect=None)
        check(r.status == 200, "base operator login (%s): %s" % (d["BASE_LOGIN"], r.short()))
        check(r.json().get("role") == "base_operator", "BASE_LOGIN logs in with role %r" % r.json().get("role"))
        _op.append(c)
    return _op[0]


class _Tables(html.parser.HTMLParser):
    """Every <tr> of the page as a list of its cells' texts; and every <a href>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.links = [], []
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a":
            self.links.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(body):
    p = _Tables()
    p.feed(body.decode("utf-8", "replace"))
    p.close()
    return p


def upload_form(c):
    r = c.get("/base/upload")
    page = html_ok(r, 200, "GET /base/upload")
    return r, page


def post_upload(c, fields, filename, data, accept=None):
    body, ct = multipart(fields, [("file", filename, data, "text/csv")])
    hdrs = {"Accept": accept} if accept else None
    return c.request("POST", "/base/upload", body=body, content_type=ct, headers=hdrs, timeout=60)


def batch_page(c, loc, what):
    m = re.match(r"^/base/batches/(\d+)$", loc or "")
    check(m, "%s: redirected to %r, expected /base/batches/{id}" % (what, loc))
    r = c.get(loc)
    page = html_ok(r, 200, "GET %s (%s)" % (loc, what))
    vals = {}
    for k in ("batch-status", "batch-rows", "batch-accepted", "batch-rejected"):
        v = page.text_of(k)
        check(v is not None, "%s: %s has no #%s" % (what, loc, k))
        vals[k] = " ".join(v.split())
    for k in ("batch-rows", "batch-accepted", "batch-rejected"):
        check(re.search(r"\d+", vals[k]), "%s: #%s is %r" % (what, k, vals[k]))
        vals[k] = int(re.search(r"\d+", vals[k]).group(0))
    check(has_cjk(vals["batch-status"]), "%s: #batch-status is not zh-CN: %r" % (what, vals["batch-status"]))
    return int(m.group(1)), r, page, vals


@test
def batch_pages_need_a_base_operator():
    for p in ("/base/upload", "/base/batches", "/base/batches/1"):
        r = Client().get(p)
        check(r.status in (302, 303) and r.location_path() == "/login",
              "anonymous GET %s: expected a redirect to /login, got %s" % (p, r.short()))
    t, _ = fresh_trainee("basepages")
    for p in ("/base/upload", "/base/batches", "/base/batches/1", "/base/batches/1/errors.csv"):
        r = t.get(p)
        check(r.status == 403, "trainee GET %s: expected 403, got %s" % (p, r.short()))
    tok = t.csrf_from("/me")
    ppl = people(1)
    r = post_upload(t, [("csrf", tok), ("kind", "roster"), ("mode", "atomic")], "r.csv", roster_csv(ppl))
    check(r.status == 403, "trainee POST /base/upload: expected 403, got %s" % r.short())
    r = t.request("POST", "/api/v1/batches?kind=roster", body=roster_csv(ppl), content_type="text/csv")
    check(r.status == 403, "trainee POST /api/v1/batches (session): expected 403, got %s" % r.short())
    fresh_roster_accepted(demo_key(), ppl, "after the trainee's uploads")


@test
def batch_upload_form_shape():
    c = operator()
    r, page = upload_form(c)
    vp = page.meta_viewport() or ""
    check("width=device-width" in vp.replace(" ", ""), "/base/upload: viewport meta %r" % vp)
    f = page.form_with_action("/base/upload")
    check(f is not None, "/base/upload has no <form action=\"/base/upload\">")
    check(f["method"] == "post", "upload form method %r" % f["method"])
    check((f["attrs"].get("enctype") or "").lower() == "multipart/form-data",
          "upload form enctype %r" % f["attrs"].get("enctype"))
    names = [(i.get("_tag"), (i.get("type") or "").lower(), i.get("name")) for i in f["inputs"]]
    pos = {}
    for n, (tag, typ, name) in enumerate(names):
        pos.setdefault(name, (n, tag, typ))
    for name, tag, typ in (("csrf", "input", "hidden"), ("kind", "select", ""), ("mode", "select", ""),
                           ("file", "input", "file")):
        check(name in pos, "upload form lacks %r: %r" % (name, names))
        check(pos[name][1] == tag and (not typ or pos[name][2] == typ),
              "upload form field %r is %r, expected <%s%s>" % (name, pos[name], tag, " type=" + typ if typ else ""))
    check(max(pos["csrf"][0], pos["kind"][0], pos["mode"][0]) < pos["file"][0],
          "csrf/kind/mode must come before the file in the form: %r" % names)
    check(page.input_value("csrf"), "upload form: empty csrf token")
    form_html = r.text[r.text.find('action="/base/upload"'):]
    form_html = form_html[:form_html.find("</form>")]
    opts = set(re.findall(r'<option[^>]*value="([^"]+)"', form_html))
    check({"roster", "hours", "exams", "atomic", "partial"} <= opts, "upload form options %r" % sorted(opts))
    check(f["buttons"] or any((i.get("type") or "") == "submit" for i in f["inputs"]), "upload form has no submit")


@test
def batch_upload_page_errors_then_fixed():
    c = operator()
    key = demo_key()
    # the roster first, through the API (the same base)
    j = report(upload(key, data_file("roster_demo_gbk.csv")), 201, "roster_demo_gbk.csv")
    check(j["accepted"] + j["unchanged"] == 4, "roster_demo_gbk.csv: %s" % brief(j))
    _, page = upload_form(c)
    tok = page.input_value("csrf")
    r = post_upload(c, [("csrf", tok), ("kind", "hours"), ("mode", "atomic")],
                    "hours_demo_gbk_with_errors.csv", data_file("hours_demo_gbk_with_errors.csv"))
    check(r.status == 303, "POST /base/upload (errors file): expected 303, got %s" % r.short())
    bid, pr, page, v = batch_page(c, r.location_path(), "errors file")
    check(v["batch-rows"] == 6 and v["batch-accepted"] == 0 and v["batch-rejected"] == 2,
          "report page of the errors file: %r" % v)
    t = tables(pr.body)
    err_rows = {}
    for row in t.rows:
        if row and row[0] in ("5", "6"):
            err_rows[row[0]] = row
    check(set(err_rows) == {"5", "6"}, "the error table lacks rows 5/6: %r" % t.rows)
    check(all(any(has_cjk(cell) for cell in row[1:]) for row in err_rows.values()),
          "the error table's messages are not zh-CN: %r" % err_rows)
    check(any("hours_over_daily_cap" in " ".join(err_rows["6"]) or "上限" in " ".join(err_rows["6"]) for _ in [0]),
          "error row 6 does not say the daily cap: %r" % err_rows["6"])
    csv_links = [h for h in t.links if h.split("?")[0].endswith("/errors.csv")]
    check(csv_links, "the report page has no link to errors.csv: %r" % t.links)
    lines = parse_errors_csv(c.get(csv_links[0]), "GET %s (operator)" % csv_links[0])
    check(sorted(int(x[0]) for x in lines) == [5, 6], "errors.csv from the page: %r" % lines)
    # the same batch through the API key of the base
    j = report(get(key, "/api/v1/batches/%d" % bid), 200, "GET /api/v1/batches/%d" % bid,
               kind="hours", mode="atomic", st="rejected", rows=6, accepted=0, rejected=2)

    # the fixed file
    _, page = upload_form(c)
    r = post_upload(c, [("csrf", page.input_value("csrf")), ("kind", "hours"), ("mode", "atomic")],
                    "hours_demo_gbk.csv", data_file("hours_demo_gbk.csv"))
    check(r.status == 303, "POST /base/upload (fixed file): expected 303, got %s" % r.short())
    bid2, pr, page, v = batch_page(c, r.location_path(), "fixed file")
    j = report(get(key, "/api/v1/batches/%d" % bid2), 200, "GET /api/v1/batches/%d" % bid2,
               kind="hours", st="accepted", rows=6, rejected=0)
    check(j["accepted"] + j["unchanged"] == 6, "the fixed file: %s" % brief(j))
    check(v["batch-rows"] == 6 and v["batch-rejected"] == 0 and v["batch-accepted"] == j["accepted"],
          "report page of the fixed file %r, API report %s" % (v, brief(j)))
    # both listed on /base/batches
    r = c.get("/base/batches")
    html_ok(r, 200, "GET /base/batches")
    links = tables(r.body).links
    for b in (bid, bid2):
        check("/base/batches/%d" % b in links, "/base/batches does not link batch %d" % b)


@test
def batch_upload_page_kind_mode_and_file_errors():
    c = operator()
    ppl = people(2)
    _, page = upload_form(c)
    body = roster_csv([ppl[0], (lib.bad_checksum(ppl[1][0]), ppl[1][1])])
    r = post_upload(c, [("csrf", page.input_value("csrf")), ("kind", "roster"), ("mode", "partial")],
                    "roster.csv", body)
    check(r.status == 303, "POST /base/upload (roster, partial): expected 303, got %s" % r.short())
    bid, _, _, v = batch_page(c, r.location_path(), "roster partial")
    check(v["batch-rows"] == 2 and v["batch-accepted"] == 1 and v["batch-rejected"] == 1,
          "roster partial via the page: %r" % v)
    report(get(demo_key(), "/api/v1/batches/%d" % bid), 200, "the page's batch through the API", kind="roster",
           mode="partial", st="partial", accepted=1, rejected=1)
    # a UTF-16 file through the page: refused with a zh-CN message naming UTF-16, nothing stored
    p2 = people(1)
    _, page = upload_form(c)
    utf16 = b"\xff\xfe" + roster_csv(p2).decode("utf-8").encode("utf-16-le")
    r = post_upload(c, [("csrf", page.input_value("csrf")), ("kind", "roster"), ("mode", "atomic")],
                    "unicode.csv", utf16)
    check(r.status == 415, "POST /base/upload with a UTF-16 file: expected 415, got %s" % r.short())
    check("UTF-16" in r.text and has_cjk(r.text), "the UTF-16 refusal page does not say UTF-16 in zh-CN")
    r = post_upload(c, [("csrf", page.input_value("csrf")), ("kind", "roster"), ("mode", "atomic")],
                    "unicode.csv", utf16, accept="application/json")
    lib.api_error(r, 415, "csv_encoding_utf16", "POST /base/upload UTF-16 (Accept: application/json)")
    fresh_roster_accepted(demo_key(), p2, "after the UTF-16 file")


@test
def batch_upload_page_csrf():
    c = operator()
    ppl = people(1)
    data = roster_csv(ppl)
    cases = [
        ("no csrf field", [("kind", "roster"), ("mode", "atomic")]),
        ("empty csrf", [("csrf", ""), ("kind", "roster"), ("mode", "atomic")]),
        ("wrong csrf", [("csrf", "x" * 43), ("kind", "roster"), ("mode", "atomic")]),
    ]
    for what, fields in cases:
        r = post_upload(c, fields, "r.csv", data)
        check(r.status == 403, "POST /base/upload with %s: expected 403, got %s" % (what, r.short()))
        r = post_upload(c, fields, "r.csv", data, accept="application/json")
        lib.api_error(r, 403, "csrf_invalid", "POST /base/upload with %s (Accept: application/json)" % what)
    # another session's token is not this session's
    d = demo_base()
    other = Client("base-operator-2")
    lib.login(other, d["BASE_LOGIN"], d["BASE_PASSWORD"])
    _, page = upload_form(other)
    r = post_upload(c, [("csrf", page.input_value("csrf")), ("kind", "roster"), ("mode", "atomic")], "r.csv",
                    data, accept="application/json")
    lib.api_error(r, 403, "csrf_invalid", "POST /base/upload with another session's csrf token")
    fresh_roster_accepted(demo_key(), ppl, "after the refused page uploads")
