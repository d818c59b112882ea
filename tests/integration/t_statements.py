"""Signed credit statements (继续教育学时证明, issue 7 with the ledger of issue 4): a trainee
signs the ledger of up to five years, gets a numbered statement whose QR link carries the signed
figures, downloads it as PDF; anyone verifies the link on the certificates' path (/V/CS-...),
offline with tmcred-verify too.  Forged or altered links never read as valid, a genuine
signature without a record reads as unknown, a correction after signing is pointed out, bad
input changes nothing (no row, no number consumed, no audit row).

The stack's SQL is read only to prove that refusals stored nothing; the stack's key file is read
only to sign a statement the server never issued.
"""

import base64
import datetime
import os
import re
import shutil
import subprocess
import tempfile
import threading

import certsign
import lib
from lib import Client, check, has_cjk
from courses_common import (GEN_J, PRO_J, add_record, admin, credits, fresh_trainee, html_ok,
                            json_ok, reverse, test_collector)
from t_certs import (_safe, cert_error, key_seed, keys_json, mask, no_personal_data, path_of,
                     person_id, sql, sql1)

TESTS, test = test_collector()

J = {"Accept": "application/json"}
NO_RE = re.compile(r"^CS-([A-Z]{2,4})-(\d{4})-(\d{6})-([0-9A-Z*])$")
YEAR = datetime.date.today().year
HOUR_KEYS = ("total", "professional", "general", "compulsory", "required", "required_professional")


def stmt_snapshot():
    """What a refused statement request must leave as it was."""
    return sql1(
        "SELECT (SELECT COUNT(*) FROM credit_statements),"
        " (SELECT COALESCE(GROUP_CONCAT(CONCAT(node, year, ':', last_seq) ORDER BY node, year), '')"
        "   FROM statement_counters),"
        " (SELECT COUNT(*) FROM audit_log WHERE object_type = 'credit_statement')")


def unchanged(before, what):
    after = stmt_snapshot()
    check(after == before, "%s changed stored state: before %r, after %r" % (what, before, after))


def sign_statement(client, frm, to, expect=201):
    r = client.post_json("/api/v1/me/credits/statements", {"from": frm, "to": to})
    return json_ok(r, expect, "POST /api/v1/me/credits/statements %d-%d" % (frm, to))


def with_hours(tag):
    """A fresh trainee with records in the last two years and this one."""
    t, ident = fresh_trainee(tag)
    for i, (course, h, on) in enumerate([(PRO_J, "8", "%d-03-02" % (YEAR - 2)),
                                         (PRO_J, "6.5", "%d-03-03" % (YEAR - 2)),
                                         (GEN_J, "4", "%d-05-06" % (YEAR - 1)),
                                         (PRO_J, "2", "%d-01-05" % YEAR)]):
        add_record(ident["id_number"], course, h, on)
    return t, ident


def num(v):
    return float(v)


def check_no(no, what):
    m = NO_RE.match(no or "")
    check(m, "%s: number %r is not CS-<node>-<yyyy>-<6 digits>-<check>" % (what, no))
    node, year, seq, cc = m.groups()
    check(certsign.check_char("CS" + node + year + seq) == cc,
          "%s: check character of %s is not ISO 7064 MOD 37-2 over CS+node+year+seq" % (what, no))
    check(int(year) == YEAR, "%s: number %s not of this year" % (what, no))
    return int(seq)


def ledger_rows(client, frm, to):
    """The ledger's own figures (GET /api/v1/me/credits/statement) per year."""
    r = client.get("/api/v1/me/credits/statement?from=%d&to=%d" % (frm, to))
    j = json_ok(r, 200, "GET /api/v1/me/credits/statement")
    return {y["year"]: y for y in j["years"]}


def split(url):
    m = re.match(r"^/V/(CS-[^/]+)/([^/]+)$", path_of(url))
    check(m, "statement link %r is not <BASE>/V/CS-.../<TOKEN>" % url)
    return m.group(1), m.group(2)


def verify(path, client=None):
    r = (client or Client("stmt-verifier")).get(path, headers=J)
    if r.status != 200:
        return {"status": "HTTP %d" % r.status}
    return r.json()


def offline(url, *extra):
    exe = os.path.join(os.environ.get("TMCRED_BUILD") or os.path.join(lib.TOP, "build"), "tmcred-verify")
    if not os.access(exe, os.X_OK) or not lib.STACK:
        return None, ""
    path = os.path.join(lib.STACK, "it-stmt-keyset.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(Client("keys").get("/.well-known/tmcred-keys.json").text)
    p = subprocess.run([exe, "--keys", path] + list(extra) + [url], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode("utf-8", "replace")


# ------------------------------------------------------------------ issue, verify, print


@test
def stmt_sign_verify_print():
    t, ident = with_hours("stmt")
    before = stmt_snapshot()
    j = sign_statement(t, YEAR - 2, YEAR)
    seq = check_no(j["no"], "sign")
    check(j["created"] is True and j["holder"] == ident["name"] and j["from"] == YEAR - 2 and
          j["to"] == YEAR, "sign: answer %r" % j)
    after = stmt_snapshot()
    check(int(after[0]) == int(before[0]) + 1 and int(after[2]) == int(before[2]) + 1,
          "one statement and one audit row: %r -> %r" % (before, after))
    check(":%d" % seq in after[1], "the counter %r does not end at %d" % (after[1], seq))

    # the signed figures are the ledger's, year by year
    ledger = ledger_rows(t, YEAR - 2, YEAR)
    check([y["year"] for y in j["years"]] == [YEAR - 2, YEAR - 1, YEAR], "years %r" % j["years"])
    for y in j["years"]:
        lg = ledger[y["year"]]
        for k in ("total", "professional", "general", "compulsory", "required", "met"):
            check(num(y[k]) == num(lg[k]) if k != "met" else y[k] == lg[k],
                  "year %d %s: statement %r, ledger %r" % (y["year"], k, y[k], lg[k]))
    check(num(j["years"][0]["total"]) == 14.5 and num(j["years"][1]["general"]) == 4,
          "figures of the records added: %r" % j["years"])

    # the link: public, JSON and HTML, masked name, signed figures
    no, tok = split(j["url"])
    check(no == j["no"], "link number %s != %s" % (no, j["no"]))
    v = verify(path_of(j["url"]))
    check(v.get("status") == "valid" and v.get("document") == "credit_statement" and
          v.get("no") == j["no"] and v.get("holder") == mask(ident["name"]) and
          v.get("changed_since") is False, "verify: %r" % v)
    check([{k: y[k] for k in HOUR_KEYS + ("year", "met")} for y in v["years"]] ==
          [{k: y[k] for k in HOUR_KEYS + ("year", "met")} for y in j["years"]],
          "verified figures differ from the signed ones: %r vs %r" % (v["years"], j["years"]))
    page = Client("stmt-page").get(path_of(j["url"]))
    html_ok(page, 200, "GET statement link (HTML)")
    body = page.text
    check("有效" in body and j["no"] in body and "14.5" in body, "verify page lacks verdict or figures")
    no_personal_data(body, ident, "statement verify page")
    # lower case, as some scanners deliver it
    check(verify(path_of(j["url"]).lower()).get("status") == "valid",
          "lower-case link does not verify")
    api = Client("stmt-api").get("/api/v1/verify/%s?s=%s" % (no, tok))
    check(api.status == 200 and api.json().get("status") == "valid", "verify API: %s" % api.short())

    # a second click the same day: the same statement, no number used
    again = sign_statement(t, YEAR - 2, YEAR, expect=200)
    check(again["no"] == j["no"] and again["created"] is False, "same figures again: %r" % again)
    unchanged(after, "signing identical figures again")

    # the PDF: text, and the QR code decodes to exactly the link
    r = t.get("/api/v1/credits/statements/%s.pdf" % j["no"])
    check(r.status == 200 and (r.header("Content-Type") or "").startswith("application/pdf") and
          r.body[:5] == b"%PDF-", "PDF: %s" % r.short())
    tools = [shutil.which(x) for x in ("pdftotext", "pdftoppm", "zbarimg")]
    if all(tools):
        with tempfile.TemporaryDirectory() as d:
            pdf = os.path.join(d, "s.pdf")
            with open(pdf, "wb") as f:
                f.write(r.body)
            text = subprocess.run(["pdftotext", "-layout", pdf, "-"], stdout=subprocess.PIPE,
                                  timeout=60).stdout.decode("utf-8", "replace")
            for want in (ident["name"], j["no"], "继续教育学时证明", str(YEAR - 2), "14.5"):
                check(want in text, "PDF text lacks %r" % want)
            subprocess.run(["pdftoppm", "-r", "150", "-png", pdf, os.path.join(d, "p")], check=True,
                           timeout=60)
            png = sorted(x for x in os.listdir(d) if x.endswith(".png"))[0]
            z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(d, png)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               timeout=60).stdout.decode().strip()
            check(z == j["url"], "QR on the PDF reads %r, expected %r" % (z[:80], j["url"][:80]))
    r = t.get("/api/v1/credits/statements/%s.png" % j["no"])
    check(r.status == 200 and r.body[:8] == b"\x89PNG\r\n\x1a\n", "QR PNG: %s" % r.short())

    # offline: the published key set alone
    rc, out = offline(j["url"])
    if rc is not None:
        check(rc == 0 and "GENUINE" in out and j["no"] in out and "%d  14.5" % (YEAR - 2) in out,
              "tmcred-verify on a genuine statement: exit %s\n%s" % (rc, out))
        rc2, out2 = offline(j["url"], "--name", ident["name"] + "甲")
        check(rc2 == 8, "tmcred-verify --name <another name>: exit %s\n%s" % (rc2, out2))
        rc3, _ = offline(j["url"], "--name", ident["name"])
        check(rc3 == 0, "tmcred-verify --name <the holder>: exit %s" % rc3)


@test
def stmt_altered_and_foreign_links():
    t, ident = with_hours("stmt-alt")
    j = sign_statement(t, YEAR - 1, YEAR)
    no, tok = split(j["url"])
    base = "/V/%s/" % no
    seen = set()
    # every other position of the token (all of the fixed header and the key id), changed to
    # another base32 character: never valid
    for i in sorted(set(range(0, len(tok), 2)) | set(range(12)) | set(range(len(tok) - 8, len(tok)))):
        c = "A" if tok[i] != "A" else "B"
        st = verify(base + tok[:i] + c + tok[i + 1:]).get("status")
        seen.add(st)
        check(st in ("forged", "HTTP 400", "HTTP 404"), "token changed at %d reads %r" % (i, st))
    check("forged" in seen, "no altered token read as forged: %r" % seen)
    # the number's check character, a number from another statement, a truncated token
    bad_cc = no[:-1] + ("A" if no[-1] != "A" else "B")
    for path, what in ((("/V/%s/%s" % (bad_cc, tok)), "bad check character"),
                       ("/V/%s/%s" % (no, tok[:-1]), "truncated token"),
                       ("/V/%s/%s%s" % (no, tok, "A"), "longer token"),
                       ("/V/%s/%s" % (no.replace("CS-S", "CS-%53", 1), tok), "percent-encoded")):
        st = verify(path).get("status")
        check(st in ("forged", "HTTP 400", "HTTP 404"), "%s reads %r" % (what, st))

    # a genuine signature of the node's key over figures the server never issued: not on record
    ok, why = certsign.available()
    if not ok:
        return "SKIP (altered links passed) no Ed25519 signer for the test (%s)" % why
    kid = j["key_id"]
    seed = key_seed(kid)
    m = NO_RE.match(no)
    node, year = m.group(1), m.group(2)
    ghost = "CS-%s-%s-999999-%s" % (node, year, certsign.check_char("CS" + node + year + "999999"))
    holder = certsign.holder_hash(ident["name"])
    rows = [(YEAR, 180, 120, 60, 0, 180, 120, 1)]
    issued = datetime.date.today()
    payload = ("tmcred-stmt-v1\nno=%s\nholder=%s\nissued=%s\n" % (ghost, holder.hex(), issued.isoformat())
               + "".join("year=%04d total_x2=%d professional_x2=%d general_x2=%d compulsory_x2=%d"
                         " required_x2=%d required_professional_x2=%d met=%d\n" % r for r in rows)
               + "key=%s\n" % kid)
    sig = certsign.sign(seed, payload.encode())
    days = (issued - datetime.date(2000, 1, 1)).days
    raw = bytes([1]) + days.to_bytes(2, "big") + bytes([YEAR - 2000, len(rows)])
    for r in rows:
        raw += b"".join(v.to_bytes(2, "big") for v in r[2:6]) + (r[6] | r[7] << 15).to_bytes(2, "big")
    raw += holder + sig + kid.encode()
    gtok = base64.b32encode(raw).decode().rstrip("=")
    v = verify("/V/%s/%s" % (ghost, gtok))
    check(v.get("status") == "unknown" and "holder" not in v,
          "a genuine signature without a record reads %r" % v)
    # the same figures under the real number: signed by us, not by the server's record -> not valid
    fake = payload.replace(ghost, no)
    fsig = certsign.sign(seed, fake.encode())
    ftok = base64.b32encode(raw[:len(raw) - len(kid) - 96] + holder + fsig + kid.encode()).decode().rstrip("=")
    st = verify("/V/%s/%s" % (no, ftok)).get("status")
    check(st in ("unknown", "forged"), "other figures under a real number read %r" % st)
    # a statement of another node: not this node's to vouch for
    other = "CS-ZJ-%s-000001-%s" % (year, certsign.check_char("CS" + "ZJ" + year + "000001"))
    st = verify("/V/%s/%s" % (other, gtok)).get("status")
    check(st in ("unknown", "forged"), "another node's statement reads %r" % st)


@test
def stmt_correction_after_signing_is_pointed_out():
    t, ident = fresh_trainee("stmt-fix")
    r = add_record(ident["id_number"], PRO_J, "8", "%d-04-01" % (YEAR - 1)).json()
    j = sign_statement(t, YEAR - 1, YEAR - 1)
    check(num(j["years"][0]["total"]) == 8, "figures: %r" % j["years"])
    reverse(r["id"])
    v = verify(path_of(j["url"]))
    check(v.get("status") == "valid" and v.get("changed_since") is True and
          num(v["years"][0]["total"]) == 8, "after a correction: %r" % v)
    page = Client("stmt-fix-page").get(path_of(j["url"])).text
    check("更正" in page, "the page does not say the records were corrected")
    k = sign_statement(t, YEAR - 1, YEAR - 1)
    check(k["no"] != j["no"] and num(k["years"][0]["total"]) == 0 and k["created"] is True,
          "a new statement after the correction: %r" % k)
    check(verify(path_of(k["url"])).get("changed_since") is False, "the new one reads as changed")


# ------------------------------------------------------------------ refusals


@test
def stmt_bad_input_changes_nothing():
    t, ident = with_hours("stmt-bad")
    before = stmt_snapshot()
    cases = [({"from": YEAR, "to": YEAR - 1}, 422, "statement_years_invalid"),
             ({"from": YEAR - 5, "to": YEAR}, 422, "statement_years_invalid"),
             ({"from": YEAR, "to": YEAR + 1}, 422, "statement_years_invalid"),
             ({"from": 1999, "to": 2000}, 422, "statement_years_invalid"),
             ({"from": "二〇二四", "to": YEAR}, 422, "validation_failed"),
             ({"from": YEAR}, 422, "validation_failed"),
             ({"from": -1, "to": YEAR}, 422, "validation_failed"),
             ({"from": "2024.0", "to": YEAR}, 422, "validation_failed")]
    for body, status, code in cases:
        r = t.post_json("/api/v1/me/credits/statements", body)
        cert_error(r, status, code, "POST statements %r" % body)
    unchanged(before, "refused statement requests")
    # not logged in, another trainee, an admin
    j = sign_statement(t, YEAR - 1, YEAR)
    anon = Client("stmt-anon").post_json("/api/v1/me/credits/statements", {"from": YEAR, "to": YEAR})
    check(anon.status == 401, "anonymous POST: %s" % anon.short())
    other, _ = fresh_trainee("stmt-other")
    for suffix in ("", ".pdf", ".png"):
        r = other.get("/api/v1/credits/statements/%s%s" % (j["no"], suffix))
        cert_error(r, 404, "statement_not_found", "another trainee GET %s" % suffix)
    a = admin().get("/api/v1/credits/statements/%s" % j["no"])
    check(a.status == 200 and a.json().get("no") == j["no"], "admin GET: %s" % a.short())
    r = t.get("/api/v1/credits/statements/CS-SH-2026-000001-X.txt")
    cert_error(r, 404, "statement_not_found", "unknown suffix")
    # a typed statement number without its link: told to scan
    no, _ = split(j["url"])
    r = Client("stmt-typed").get("/api/v1/verify/%s" % no)
    cert_error(r, 400, "statement_needs_link", "typed statement number")
    r = Client("stmt-typed").get("/verify?serial=%s" % no)
    check(r.status == 400 and "二维码" in r.text, "verify form with a statement number: %s" % r.short())


@test
def stmt_daily_limit():
    t, ident = fresh_trainee("stmt-limit")
    ranges = [(f, f + k) for f in range(YEAR - 8, YEAR + 1) for k in range(0, 5) if f + k <= YEAR]
    made = set()
    for frm, to in ranges[:20]:
        j = sign_statement(t, frm, to)
        made.add(j["no"])
        if to - frm == 4:       # five years: the longest link still prints as a readable code
            r = t.get("/api/v1/credits/statements/%s.pdf" % j["no"])
            check(r.status == 200 and r.body[:5] == b"%PDF-", "five-year PDF: %s" % r.short())
    check(len(made) == 20, "20 different statements: %d numbers" % len(made))
    before = stmt_snapshot()
    frm, to = ranges[20]
    r = t.post_json("/api/v1/me/credits/statements", {"from": frm, "to": to})
    cert_error(r, 429, "statement_daily_limit", "the 21st statement of the day")
    unchanged(before, "the refused 21st statement")
    # the same figures as one already signed today are still handed out
    frm, to = ranges[0]
    again = sign_statement(t, frm, to, expect=200)
    check(again["no"] in made, "reuse after the limit: %r" % again)
    lst = json_ok(t.get("/api/v1/me/credits/statements"), 200, "GET own statements")
    check(lst["count"] == 20 and {s["no"] for s in lst["statements"]} == made,
          "the list: %r" % lst["count"])


@test
def stmt_numbers_gap_free_under_concurrency():
    people = [fresh_trainee("stmt-race") for _ in range(8)]
    got, errs = [], []

    def go(c):
        try:
            got.append(sign_statement(c, YEAR, YEAR)["no"])
        except Exception as e:  # noqa: BLE001 - reported below
            errs.append(repr(e))
    ts = [threading.Thread(target=go, args=(c,)) for c, _ in people]
    for x in ts:
        x.start()
    for x in ts:
        x.join(60)
    check(not errs and len(got) == 8, "concurrent signing: %r %r" % (got, errs))
    seqs = sorted(check_no(n, "race") for n in got)
    check(seqs == list(range(seqs[0], seqs[0] + 8)), "numbers not consecutive: %r" % seqs)
    last = int(sql1("SELECT last_seq FROM statement_counters WHERE year = %d" % YEAR))
    check(last >= seqs[-1], "counter %d behind %d" % (last, seqs[-1]))


# ------------------------------------------------------------------ the form


@test
def stmt_form_flow():
    t, ident = with_hours("stmt-form")
    page = t.get("/me/credits/statement?from=%d&to=%d" % (YEAR - 2, YEAR))
    html_ok(page, 200, "GET /me/credits/statement")
    doc = lib.parse_html(page.body)
    form = doc.form_with_action("/me/credits/statements")
    check(form is not None, "the statement page has no signing form")
    csrf = doc.input_value("csrf")
    r = t.post_form("/me/credits/statements", {"csrf": "x" * 20, "from": str(YEAR - 2), "to": str(YEAR)})
    check(r.status == 403, "POST without a valid CSRF token: %s" % r.short())
    r = t.post_form("/me/credits/statements", {"csrf": csrf, "from": str(YEAR - 2), "to": str(YEAR)})
    check(r.status in (302, 303), "POST form: %s" % r.short())
    loc = r.location_path()
    check(loc.startswith("/me/credits/statements/CS-"), "redirect to %r" % loc)
    no = loc.rsplit("/", 1)[1]
    check_no(no, "form")
    p = t.get(loc)
    html_ok(p, 200, "GET %s" % loc)
    body = p.text
    check(no in body and ".pdf" in body and "14.5" in body, "statement page lacks number, PDF link or figures")
    lst = t.get("/me/credits/statements")
    html_ok(lst, 200, "GET /me/credits/statements")
    check(no in lst.text, "the list page lacks %s" % no)
    # the stored row belongs to this person
    check(sql1("SELECT person_id FROM credit_statements WHERE doc_no = '%s'" % _safe(no)) ==
          str(person_id(ident)), "the statement is not stored for its holder")
    check(has_cjk(body), "the statement page is not zh-CN")
