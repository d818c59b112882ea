"""Training bases' bulk uploads over the API (../shared/API.md "Training
bases"): POST /api/v1/batches with an API key, CSV (UTF-8 +/- BOM, GBK) and
JSON bodies, atomic and partial modes, every row check, rows already stored
("unchanged"), Idempotency-Key (also two requests racing), whole-file
errors, key auth and scopes, one base never seeing another's batches, the
reports, errors.csv, and the effect on a trainee's ledger.

Every test makes its own persons (fresh ID numbers); the fixed demo files
(tests/data/*.csv) are written so they hold whether or not another test
uploaded them before.
"""

import csv
import datetime
import io
import threading
import time

import lib
from lib import Client, check, has_cjk
from batches_common import (BOM, brief, batch_ids, data_file, demo_base, demo_key, err_set,
                            expect_row_error, fresh_base_key, fresh_roster_accepted, get,
                            hours_csv, last_year, ledger_years_mismatches, new_key,
                            parse_errors_csv, people, person,
                            register_roster, report, revoke_key, roster_csv, csv_bytes, stack_sql,
                            upload, whole_file_error)
from courses_common import (GEN_I, GEN_J, PRO_I, PRO_J, credits, fresh_trainee, json_ok, my_records,
                            num_eq, test_collector)

TESTS, test = test_collector()

# IDs in the demo files (tests/data); the erroneous file mistypes the 5th row's.
DEMO_IDS = ("310104198503120013", "310115199005210028", "320502198801010032",
            "310101199211110046", "320502198801010002")
for _i in DEMO_IDS:
    lib.KNOWN_IDS.add(_i)


# ------------------------------------------------------------------ demo files


@test
def batch_demo_gbk_files_roster_errors_fixed_resent():
    key = demo_key()
    # roster: GBK, CRLF, Chinese headers, quoted employers; 4 persons
    r = upload(key, data_file("roster_demo_gbk.csv"), kind="roster", mode="atomic")
    j = report(r, 201, "roster_demo_gbk.csv", kind="roster", mode="atomic", st="accepted", rows=4,
               rejected=0)
    check(j["accepted"] + j["unchanged"] == 4, "roster_demo_gbk.csv: accepted %d + unchanged %d != 4"
          % (j["accepted"], j["unchanged"]))

    # the erroneous hours file, atomic: 422, exactly rows 5 (ID) and 6 (9 学时), nothing stored
    r = upload(key, data_file("hours_demo_gbk_with_errors.csv"), kind="hours", mode="atomic")
    bad = report(r, 422, "hours_demo_gbk_with_errors.csv atomic", kind="hours", mode="atomic",
                 st="rejected", rows=6, accepted=0, rejected=2)
    check(sorted({e["row"] for e in bad["errors"]}) == [5, 6],
          "hours_demo_gbk_with_errors.csv: errors on rows %r, expected [5, 6] (%s)"
          % (sorted({e["row"] for e in bad["errors"]}), brief(bad)))
    expect_row_error(bad, 5, "id_number", "id_number_*", "hours_demo_gbk_with_errors.csv")
    expect_row_error(bad, 6, "hours", "hours_over_daily_cap", "hours_demo_gbk_with_errors.csv")
    details = bad["error"].get("details")
    check(isinstance(details, list), "the batch_rejected error has no details list: %r" % bad["error"])
    # the stored report is the same, and so is errors.csv
    r = get(key, "/api/v1/batches/%d" % bad["batch_id"])
    again = report(r, 200, "GET /api/v1/batches/%d (rejected)" % bad["batch_id"], st="rejected")
    check(err_set(again) == err_set(bad), "GET report errors %r != POST answer errors %r"
          % (sorted(err_set(again)), sorted(err_set(bad))))
    lines = parse_errors_csv(get(key, "/api/v1/batches/%d/errors.csv" % bad["batch_id"]),
                             "errors.csv of the rejected demo batch")
    check(len(lines) == 2, "errors.csv: %d lines, expected 2: %r" % (len(lines), lines))
    check(sorted((int(x[0]), x[1], x[2]) for x in lines) == sorted(err_set(bad)),
          "errors.csv %r != report errors %r" % (lines, sorted(err_set(bad))))
    check(all(has_cjk(x[3]) for x in lines), "errors.csv messages not zh-CN: %r" % lines)

    # the fixed file: 201, all 6 rows stored now (or already, if another test sent it first)
    r = upload(key, data_file("hours_demo_gbk.csv"), kind="hours", mode="atomic")
    ok = report(r, 201, "hours_demo_gbk.csv", kind="hours", st="accepted", rows=6, rejected=0)
    check(ok["accepted"] + ok["unchanged"] == 6, "hours_demo_gbk.csv: %s" % brief(ok))
    # and again: nothing new
    r = upload(key, data_file("hours_demo_gbk.csv"), kind="hours", mode="atomic")
    report(r, 201, "hours_demo_gbk.csv sent again", kind="hours", st="accepted", rows=6, accepted=0,
           rejected=0, unchanged=6)
    ids = batch_ids(key)
    check(bad["batch_id"] in ids and ok["batch_id"] in ids,
          "GET /api/v1/batches lacks batch %d or %d: %r" % (bad["batch_id"], ok["batch_id"], ids[:20]))


@test
def batch_atomic_stores_nothing_partial_stores_good_rows_ledger():
    """A registered trainee's hours through a base: atomic with a bad row stores
    nothing; partial stores the good row, which shows in the trainee's ledger;
    re-sending is "unchanged"; the daily cap counts what is stored."""
    key = demo_key()
    t, ident = fresh_trainee("batchled")
    idn, name = ident["id_number"], ident["name"]
    y = datetime.date.today().year - 1
    d1 = "%04d-05-12" % y
    # UTF-8 with BOM, Chinese headers in another order, LF
    header = ["完成日期", "学时", "姓名", "身份证号", "课程代码"]
    good = [d1, "4.5", name, idn, PRO_J]
    badrow = [d1, "0.3", name, idn, GEN_J]
    body = csv_bytes(header, [good, badrow], eol="\n", bom=True)
    r = upload(key, body, kind="hours", mode="atomic")
    j = report(r, 422, "hours atomic with a bad row", st="rejected", rows=2, rejected=1)
    expect_row_error(j, 2, "hours", "hours_invalid", "hours 0.3")
    recs = my_records(t)
    check(recs.get("records") == [], "atomic rejected batch stored records: %r" % recs)

    r = upload(key, body, kind="hours", mode="partial")
    j = report(r, 201, "hours partial with a bad row", mode="partial", st="partial", rows=2,
               accepted=1, rejected=1, unchanged=0)
    expect_row_error(j, 2, "hours", "hours_invalid", "hours 0.3 (partial)")
    recs = my_records(t).get("records")
    check(isinstance(recs, list) and len(recs) == 1, "after the partial batch: records %r" % recs)
    rec = recs[0]
    check(rec.get("course_code") == PRO_J and rec.get("completed_on") == d1 and num_eq(rec.get("hours"), 4.5),
          "the stored record %r, expected %s 4.5 学时 on %s" % (rec, PRO_J, d1))
    cr = credits(t, y)
    check(num_eq(cr.get("total"), 4.5) and num_eq(cr.get("professional"), 4.5),
          "GET /api/v1/me/credits?year=%d after the batch: %r" % (y, cr))

    # the good row again (English headers, GBK): unchanged, nothing stored twice
    r = upload(key, hours_csv([(idn, name, PRO_J, "4.5", "%d/5/12" % y)], encoding="gb18030"),
               kind="hours")
    report(r, 201, "the same row again (YYYY/M/D, GBK)", st="accepted", rows=1, accepted=0, unchanged=1)
    check(len(my_records(t)["records"]) == 1, "re-sent row stored twice: %r" % my_records(t))

    # the daily cap counts what is stored: 4.5 + 4 > 8, 4.5 + 3.5 = 8 is fine
    r = upload(key, hours_csv([(idn, name, GEN_J, "4", d1)]), kind="hours")
    j = report(r, 422, "4 more 学时 on a day with 4.5 stored", rejected=1)
    expect_row_error(j, 1, "hours", "hours_over_daily_cap", "daily cap with stored hours")
    r = upload(key, hours_csv([(idn, name, GEN_J, "3.5", d1)]), kind="hours")
    report(r, 201, "3.5 more 学时 on a day with 4.5 stored (= 8)", st="accepted", accepted=1)
    cr = credits(t, y)
    check(num_eq(cr.get("total"), 8) and num_eq(cr.get("general"), 3.5),
          "credits after 4.5 + 3.5 学时: %r" % cr)
    recs = my_records(t)["records"]
    check(len(recs) == 2, "records after two accepted rows: %r" % recs)


# ------------------------------------------------------------------ row checks


@test
def batch_hours_row_checks_partial():
    key = demo_key()
    ppl = people(6)
    register_roster(key, ppl, "roster for the hours checks")
    (a, an), (b, bn), (c, cn), (d, dn), (e, en), (f, fn) = ppl
    stranger, sname = person()
    y = datetime.date.today().year
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    d1, d2, d3 = last_year(3, 2), last_year(3, 3), last_year(3, 4)
    rows = [
        (a, an, PRO_J, "8", d1),                     # 1 good (8 = the cap, alone)
        (stranger, sname, PRO_J, "2", d1),           # 2 person_unknown (id_number)
        (b, bn + "某", PRO_J, "2", d1),               # 3 name_mismatch (name)
        (c, cn, "X-NOPE-99", "2", d1),               # 4 course_unknown
        (c, cn, PRO_J, "0", d2),                     # 5 hours_invalid (0)
        (c, cn, PRO_J, "1.3", d3),                   # 6 hours_invalid (not 0.5 steps)
        (d, dn, PRO_J, "-2", d1),                    # 7 hours_invalid (negative)
        (d, dn, PRO_J, "abc", d2),                   # 8 hours_invalid (text)
        (e, en, PRO_J, "2", "%d-02-30" % (y - 1)),   # 9 date_invalid (no such day)
        (e, en, PRO_J, "2", future),                 # 10 date_invalid (future)
        (e, en, PRO_J, "2", "03/04/%d" % (y - 1)),   # 11 date_invalid (not Y-M-D)
        (lib.bad_checksum(f), fn, PRO_J, "2", d1),   # 12 id_number checksum
        (f[:17], fn, PRO_J, "2", d1),                # 13 id_number length
        (f, fn, GEN_J, "1.5", "%d/3/2" % (y - 1)),   # 14 good, YYYY/M/D
        (f, fn, GEN_J, "1.5", "%d/3/2" % (y - 1)),   # 15 row_duplicate (same as 14)
        (b, bn, PRO_J, "5", d2),                     # 16 \ 5 + 4 > 8 on one day:
        (b, bn, GEN_J, "4", d2),                     # 17 / hours_over_daily_cap
        (f, "", PRO_J, "2", d3),                     # 18 name required
        ("", fn, PRO_J, "2", d3),                    # 19 id_number required
    ]
    r = upload(key, hours_csv(rows), kind="hours", mode="partial")
    j = report(r, 201, "hours row checks (partial)", kind="hours", mode="partial", st="partial", rows=19)
    w = "hours row checks"
    expect_row_error(j, 2, "id_number", "person_unknown", w)
    expect_row_error(j, 3, "name", "name_mismatch", w)
    expect_row_error(j, 4, "course_code", "course_unknown", w)
    for row in (5, 6, 7, 8):
        expect_row_error(j, row, "hours", "hours_invalid", w)
    for row in (9, 10, 11):
        expect_row_error(j, row, "completed_on", "date_invalid", w)
    expect_row_error(j, 12, "id_number", "id_number_checksum", w)
    expect_row_error(j, 13, "id_number", "id_number_length", w)
    expect_row_error(j, 15, None, "row_duplicate", w)
    cap_rows = [row for row in (16, 17) if any(x["code"] == "hours_over_daily_cap" and x["column"] == "hours"
                                              for x in (e_ for e_ in j["errors"] if e_["row"] == row))]
    check(cap_rows, "%s: 5 + 4 学时 on one day: neither row 16 nor 17 has hours_over_daily_cap (hours): %s"
          % (w, brief(j)))
    expect_row_error(j, 18, "name", "*", w)
    expect_row_error(j, 19, "id_number", "*", w)
    bad_rows = {x["row"] for x in j["errors"]}
    for good in (1, 14):
        check(good not in bad_rows, "%s: good row %d reported: %r" % (w, good, errors_of(j, good)))
    # rows 1, 14 and whichever of 16/17 was not capped are stored
    check(j["accepted"] == 19 - len(bad_rows) and j["unchanged"] == 0,
          "%s: accepted %d, expected %d (rows without errors): %s" % (w, j["accepted"], 19 - len(bad_rows), brief(j)))
    check(14 not in bad_rows and 15 in bad_rows, "the duplicate must be flagged on the later row (15): %s" % brief(j))

    # course at a level the base does not train: a base that trains only junior
    if not lib.STACK:
        return "SKIP course_level_not_at_base needs TMCRED_STACK (scripts/stack sql) to limit a base's levels"
    code, jkey, _ = fresh_base_key(tag="junior-only")
    stack_sql("UPDATE bases SET levels = 'junior' WHERE code = '%s'" % code)
    r = upload(jkey, hours_csv([(a, an, PRO_I, "2", d3), (a, an, PRO_J, "2", d3)]), kind="hours",
               mode="atomic")
    j = report(r, 422, "intermediate course at a junior-only base", rows=2, rejected=1)
    expect_row_error(j, 1, "course_code", "course_level_not_at_base", "junior-only base")


def errors_of(j, row):
    return [(e["column"], e["code"]) for e in j["errors"] if e["row"] == row]


@test
def batch_roster_row_checks_and_unchanged():
    key = demo_key()
    ppl = people(6)
    (a, an), (b, bn), (c, cn), (d, dn), (e, en), (g, gn) = ppl
    header = ["身份证号", "姓名", "手机号", "电子邮箱", "工作单位"]
    rows = [
        [a, an, lib.fresh_phone(), lib.fresh_email("ros"), "上海某科技有限公司"],   # 1 good
        [lib.bad_checksum(b), bn, "", "", ""],                                      # 2 checksum
        [b[:16], bn, "", "", ""],                                                   # 3 length
        [g, "", "", "", ""],                                                        # 4 name required
        [g, "张" * 60, "", "", ""],                                                  # 5 name too long
        [a, an, "", "", ""],                                                        # 6 duplicate of 1
        [d, dn, "12345", "", ""],                                                   # 7 bad phone
        [e, en, "", "not-an-email", ""],                                            # 8 bad email
        [c.lower(), cn, "", "", "单位,含逗号\"引号\""],                               # 9 good (quoted)
    ]
    body = csv_bytes(header, rows)
    r = upload(key, body, kind="roster", mode="atomic")
    j = report(r, 422, "roster with bad rows (atomic)", kind="roster", st="rejected", rows=9)
    w = "roster row checks"
    expect_row_error(j, 2, "id_number", "id_number_checksum", w)
    expect_row_error(j, 3, "id_number", "id_number_length", w)
    expect_row_error(j, 4, "name", "*", w)
    expect_row_error(j, 5, "name", "*", w)
    expect_row_error(j, 6, None, "row_duplicate", w)
    expect_row_error(j, 7, "phone", "*", w)
    expect_row_error(j, 8, "email", "*", w)
    bad = {x["row"] for x in j["errors"]}
    check(1 not in bad and 9 not in bad, "%s: good rows reported: %s" % (w, brief(j)))
    check(j["rejected"] == 7, "%s: rejected %d, expected 7" % (w, j["rejected"]))
    # nothing stored: a, c, d, e are still new
    fresh_roster_accepted(key, [(a, an), (d, dn), (e, en), (g, gn)], w)
    # c (row 9) now as partial: stored; then the same again is unchanged
    r = upload(key, roster_csv([(c, cn)]), kind="roster", mode="partial")
    report(r, 201, "roster of c", accepted=1, unchanged=0)
    r = upload(key, roster_csv([(c, cn), (a, an)]), kind="roster")
    report(r, 201, "roster of stored persons again", st="accepted", rows=2, accepted=0, unchanged=2)
    # a stored person under another name is not "unchanged"
    r = upload(key, roster_csv([(a, an + "某")]), kind="roster", mode="partial")
    j = report(r, 201, "roster: a stored ID number with another name", rows=1, accepted=0, rejected=1)
    expect_row_error(j, 1, "name", "name_mismatch", "roster name mismatch")


@test
def batch_exams_row_checks_and_unchanged():
    key = demo_key()
    ppl = people(4)
    register_roster(key, ppl, "roster for the exams checks")
    (a, an), (b, bn), (c, cn), (d, dn) = ppl
    stranger, sname = person()
    d1, d2 = last_year(6, 1), last_year(6, 2)
    header = ["id_number", "name", "level", "exam_score", "case_score", "assessed_on"]
    rows = [
        [a, an, "junior", "85.5", "", d1],            # 1 good (no case score for junior)
        [a, an, "中级", "70", "81.25", d1],            # 2 good, Chinese level
        [b, bn, "intermediate", "70", "", d1],        # 3 case_score required
        [b, bn, "expert", "70", "70", d1],            # 4 level_invalid
        [c, cn, "senior", "100.001", "70", d1],       # 5 score_invalid (3 decimals)
        [c, cn, "高级", "60", "101", d2],              # 6 score_invalid (> 100)
        [d, dn, "junior", "-1", "", d1],              # 7 score_invalid (< 0)
        [d, dn, "junior", "60", "", "%d-13-01" % (datetime.date.today().year - 1)],  # 8 date_invalid
        [stranger, sname, "junior", "60", "", d1],    # 9 person_unknown
        [a, an, "junior", "85.5", "", d1],            # 10 duplicate of 1
        [d, dn, "初级", "100", "", d2],                # 11 good
        [c, cn + "某", "junior", "60", "", d2],        # 12 name_mismatch
    ]
    body = csv_bytes(header, rows)
    r = upload(key, body, kind="exams", mode="partial")
    j = report(r, 201, "exams row checks (partial)", kind="exams", mode="partial", st="partial", rows=12)
    w = "exams row checks"
    expect_row_error(j, 3, "case_score", "*", w)
    expect_row_error(j, 4, "level", "level_invalid", w)
    expect_row_error(j, 5, "exam_score", "score_invalid", w)
    expect_row_error(j, 6, "case_score", "score_invalid", w)
    expect_row_error(j, 7, "exam_score", "score_invalid", w)
    expect_row_error(j, 8, "assessed_on", "date_invalid", w)
    expect_row_error(j, 9, "id_number", "person_unknown", w)
    expect_row_error(j, 10, None, "row_duplicate", w)
    expect_row_error(j, 12, "name", "name_mismatch", w)
    bad = {x["row"] for x in j["errors"]}
    check(not bad & {1, 2, 11}, "%s: good rows reported: %s" % (w, brief(j)))
    check(j["accepted"] == 3 and j["rejected"] == 9, "%s: %s" % (w, brief(j)))
    # the good rows again (JSON this time): unchanged
    jrows = {"rows": [
        {"id_number": a, "name": an, "level": "junior", "exam_score": "85.5", "assessed_on": d1},
        {"id_number": a, "name": an, "level": "intermediate", "exam_score": 70, "case_score": "81.25",
         "assessed_on": d1},
        {"id_number": d, "name": dn, "level": "junior", "exam_score": "100", "assessed_on": d2},
    ]}
    r = upload(key, lib.json.dumps(jrows, ensure_ascii=False), kind="exams", ct="application/json")
    report(r, 201, "the good exam rows again as JSON", st="accepted", rows=3, accepted=0, unchanged=3)


@test
def batch_encodings_headers_and_json_accepted():
    """The same kind of roster in every accepted shape is stored."""
    key = demo_key()
    ppl = people(7)
    shapes = [
        ("UTF-8, no BOM, LF", csv_bytes(["id_number", "name"], [list(ppl[0])], eol="\n")),
        ("UTF-8 with BOM, CRLF", csv_bytes(["id_number", "name"], [list(ppl[1])], bom=True)),
        ("GB18030, Chinese headers reversed", csv_bytes(["姓名", "身份证号"], [[ppl[2][1], ppl[2][0]]],
                                                         encoding="gb18030")),
        ("GBK, CRLF, no final newline", csv_bytes(["身份证号", "姓名", "工作单位"],
                                                  [[ppl[3][0], ppl[3][1], "上海某研究院"]],
                                                  encoding="gbk").rstrip(b"\r\n")),
        ("UTF-8, English headers reversed, blank line at the end",
         csv_bytes(["name", "id_number"], [[ppl[4][1], ppl[4][0]]]) + b"\r\n"),
    ]
    for what, body in shapes:
        r = upload(key, body, kind="roster")
        report(r, 201, "roster as %s" % what, st="accepted", rows=1, accepted=1, unchanged=0)
    r = upload(key, csv_bytes(["id_number", "name"], [list(ppl[5])]), kind="roster",
               ct="text/csv; charset=utf-8")
    report(r, 201, "roster with Content-Type text/csv; charset=utf-8", accepted=1)
    r = upload(key, lib.json.dumps({"rows": [{"id_number": ppl[6][0], "name": ppl[6][1]}]}, ensure_ascii=False),
               kind="roster", ct="application/json")
    report(r, 201, "roster as JSON", st="accepted", rows=1, accepted=1)
    # a quoted field with a line break is one field: still 2 rows, the second one row 2
    q = people(1)[0]
    body = ("id_number,name,employer\r\n%s,%s,\"上海某公司\r\n第二行\"\r\n%s,%s,\r\n"
            % (ppl[5][0], ppl[5][1], q[0], q[1])).encode("utf-8")
    j = report(upload(key, body, kind="roster", mode="partial"), 201, "quoted line break")
    check(j["rows"] == 2 and all(e["row"] == 1 for e in j["errors"]),
          "a quoted line break split the row: %s" % brief(j))
    check(j["accepted"] + j["unchanged"] + j["rejected"] == 2 and 2 not in {e["row"] for e in j["errors"]},
          "quoted line break: %s" % brief(j))
    # all 7 are stored now
    r = upload(key, roster_csv(ppl), kind="roster")
    report(r, 201, "all 7 again", rows=7, accepted=0, unchanged=7)


# ------------------------------------------------------------------ whole-file errors


@test
def batch_whole_file_errors_store_nothing():
    code, key, _ = fresh_base_key(tag="wholefile")
    ppl = people(2)
    (a, an), (b, bn) = ppl
    good = roster_csv(ppl).decode("utf-8")
    cases = [
        ("empty body", b"", 422, "batch_empty"),
        ("unknown column", ("id_number,name,shoe_size\r\n%s,%s,42\r\n" % (a, an)).encode(), 422,
         "column_unknown"),
        ("missing required column", ("id_number\r\n%s\r\n" % a).encode(), 422, "column_missing"),
        ("duplicate column", ("id_number,name,姓名\r\n%s,%s,%s\r\n" % (a, an, an)).encode(), 422,
         "column_duplicate"),
        ("UTF-16LE with BOM", b"\xff\xfe" + good.encode("utf-16-le"), 415, "csv_encoding_utf16"),
        ("UTF-16BE with BOM", b"\xfe\xff" + good.encode("utf-16-be"), 415, "csv_encoding_utf16"),
        ("UTF-16LE without BOM", good.encode("utf-16-le"), 415, "csv_encoding_utf16"),
        ("neither UTF-8 nor GB18030", ("id_number,name\r\n%s,%s\r\n" % (a, an)).encode() +
         ("%s," % b).encode() + b"\xff\xfe\xfd\x80\r\n", 415, "csv_encoding_invalid"),
        ("BOM in the middle", (good + "\ufeff" + "id_number,name\r\n").encode("utf-8"), 422, "csv_bom_in_data"),
        ("BOM inside a field", ("id_number,name\r\n%s,%s\r\n%s,\ufeff%s\r\n" % (a, an, b, bn)).encode(), 422,
         "csv_bom_in_data"),
        ("unterminated quote", ("id_number,name\r\n%s,%s\r\n%s,\"%s\r\n" % (a, an, b, bn)).encode(), 422,
         "csv_unterminated_quote"),
        ("more columns than allowed", (good + ",".join(["x"] * 300) + "\r\n").encode(), 422,
         "csv_too_many_columns"),
        ("header with more columns than allowed",
         (",".join(["id_number", "name"] + ["c%d" % i for i in range(300)]) + "\r\n").encode(), 422,
         "csv_too_many_columns"),
    ]
    for what, body, status, ecode in cases:
        r = upload(key, body, kind="roster", mode="partial")
        e = whole_file_error(r, status, ecode, what)
        if ecode == "column_unknown":
            check(any(isinstance(x, dict) and x.get("column") == "shoe_size" for x in e.get("details") or []),
                  "column_unknown: details should name the column: %r" % e.get("details"))
        if ecode in ("column_missing", "column_duplicate"):
            check(e.get("details"), "%s: details should name the column: %r" % (ecode, e))
        if ecode == "csv_encoding_utf16":
            check("UTF-16" in e["message"], "%s: message should mention UTF-16: %r" % (what, e["message"]))
    # bad kind / mode / content type
    r = upload(key, good, kind="payroll")
    lib.api_error(r, 422, "validation_failed", "kind=payroll")
    r = upload(key, good, query="mode=atomic")
    lib.api_error(r, 422, "validation_failed", "no kind")
    r = upload(key, good, kind="roster", mode="sometimes")
    lib.api_error(r, 422, "validation_failed", "mode=sometimes")
    for ct in ("application/xml", "application/pdf", "image/png"):
        r = upload(key, good, kind="roster", ct=ct)
        check(r.status == 415, "Content-Type %s: expected 415, got %s" % (ct, r.short()))
        check(isinstance(r.json().get("error"), dict), "Content-Type %s: no error object: %s" % (ct, r.short()))
    # a 10 MB single field (nginx allows 64 MB here): 422, not 413 or a dropped connection
    big = ("id_number,name\r\n%s,%s\r\n%s," % (a, an, b)).encode() + b"A" * (10 << 20) + b"\r\n"
    hdrs = {"Authorization": "Bearer " + key, "Content-Type": "text/csv"}
    r = Client("big").raw_request("POST", "/api/v1/batches?kind=roster&mode=partial", big, hdrs, timeout=120)
    whole_file_error(r, 422, "csv_field_too_long", "a 10 MB field")
    # none of it stored anything: no batch of this base, both persons still new
    ids = batch_ids(key)
    check(ids == [], "whole-file errors left batches behind for base %s: %r" % (code, ids))
    fresh_roster_accepted(key, ppl, "after the whole-file errors")


@test
def batch_header_only():
    """A header row and no data: the contract allows 201 (rows 0) or 422; the
    app answers 201, which this pins down."""
    key = demo_key()
    for body in (b"id_number,name\r\n", BOM + "身份证号,姓名".encode("utf-8"), b"id_number,name\r\n\r\n,\r\n"):
        r = upload(key, body, kind="roster")
        report(r, 201, "header only %r" % body[:40], st="accepted", rows=0, accepted=0, rejected=0, unchanged=0)


# ------------------------------------------------------------------ idempotency


@test
def batch_idempotency_key_replay_and_conflict():
    key = demo_key()
    ppl = people(3)
    body = roster_csv(ppl[:2])
    k = "it-idem-%s" % lib.make_id()
    r1 = upload(key, body, idem=k)
    j1 = report(r1, 201, "first upload with Idempotency-Key", accepted=2)
    r2 = upload(key, body, idem=k)
    j2 = report(r2, 200, "same key, same bytes")
    check(j2["batch_id"] == j1["batch_id"], "replay: batch_id %r, first %r" % (j2["batch_id"], j1["batch_id"]))
    for f in ("kind", "mode", "status", "rows", "accepted", "rejected", "unchanged", "errors_total"):
        check(j2[f] == j1[f], "replay: %s is %r, first answer %r" % (f, j2[f], j1[f]))
    # other bytes under the same key: 409, and the third person is not stored
    r3 = upload(key, roster_csv(ppl), idem=k)
    lib.api_error(r3, 409, "batch_conflict", "same key, other bytes")
    r4 = upload(key, roster_csv(ppl[2:]), idem=k)
    lib.api_error(r4, 409, "batch_conflict", "same key, other bytes (2)")
    fresh_roster_accepted(key, ppl[2:], "after batch_conflict")
    # the same bytes without a key: a new batch, all unchanged
    r5 = upload(key, body)
    j5 = report(r5, 201, "same bytes without a key", accepted=0, unchanged=2)
    check(j5["batch_id"] != j1["batch_id"], "a request without a key replayed batch %d" % j1["batch_id"])
    # a rejected atomic batch is replayed too (its report was stored)
    bad = roster_csv([ppl[0], (lib.bad_checksum(lib.make_id()), "王五")])
    k2 = k + "-bad"
    j6 = report(upload(key, bad, idem=k2), 422, "rejected batch with a key")
    r7 = upload(key, bad, idem=k2)
    check(r7.status in (200, 422), "replay of a rejected batch: %s" % r7.short())
    check(r7.json().get("batch_id") == j6["batch_id"], "replay of a rejected batch: batch_id %r, first %r"
          % (r7.json().get("batch_id"), j6["batch_id"]))


def _race(fns):
    """Run the callables at once (a barrier), return their results or exceptions."""
    results = [None] * len(fns)
    start = threading.Barrier(len(fns))

    def go(i):
        try:
            start.wait(10)
            results[i] = fns[i]()
        except Exception as e:  # noqa: BLE001
            results[i] = e
    ts = [threading.Thread(target=go, args=(i,)) for i in range(len(fns))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    for x in results:
        check(isinstance(x, lib.Response), "parallel upload failed: %r" % (x,))
    return results


@test
def batch_idempotency_key_concurrent_same_request():
    """The same Idempotency-Key and bytes sent twice at once: one batch, rows once."""
    key = demo_key()
    for rnd in range(5):
        ppl = people(300)
        body = roster_csv(ppl)
        k = "it-race-%d-%s" % (rnd, lib.make_id())
        a, b = _race([lambda: upload(key, body, idem=k, timeout=60)] * 2)
        both = "%s | %s" % (a.short(), b.short())
        check(a.status in (200, 201) and b.status in (200, 201),
              "round %d: two parallel uploads with one Idempotency-Key: %s" % (rnd, both))
        check(201 in (a.status, b.status), "round %d: neither parallel upload answered 201: %s" % (rnd, both))
        bids = {a.json().get("batch_id"), b.json().get("batch_id")}
        check(len(bids) == 1, "round %d: parallel uploads with one key made batches %r: %s" % (rnd, bids, both))
        first = a if a.status == 201 else b
        j = report(first, 201, "round %d: parallel upload" % rnd)
        check(j["accepted"] == 300, "round %d: accepted %d, expected 300" % (rnd, j["accepted"]))
        r = upload(key, body, timeout=60)
        report(r, 201, "round %d: the raced roster without a key" % rnd, rows=300, accepted=0, unchanged=300)
        ids = batch_ids(key)
        check(ids.count(j["batch_id"]) == 1, "round %d: batch %d listed %d times"
              % (rnd, j["batch_id"], ids.count(j["batch_id"])))


@test
def batch_concurrent_same_rows_without_key_stored_once():
    """Two different requests (no Idempotency-Key) carrying the same new hours
    rows at once: each row is stored once; the other request counts them
    unchanged, or at worst fails cleanly with 503 batch_retry (never a 500)."""
    key = demo_key()
    for rnd in range(3):
        ppl = people(40)
        register_roster(key, ppl, "round %d: roster for the race" % rnd)
        rows = [(i, n, PRO_J, "2", last_year(7, 1)) for i, n in ppl]
        results = _race([lambda: upload(key, hours_csv(rows), kind="hours", timeout=60)] * 2)
        stored = 0
        for x in results:
            check(x.status in (201, 503), "round %d: two parallel uploads of the same new hours rows: %s"
                  % (rnd, x.short()))
            if x.status == 201:
                stored += x.json()["accepted"]
            else:
                lib.api_error(x, 503, "batch_retry", "round %d: parallel hours upload" % rnd)
        check(stored == 40, "round %d: two parallel uploads of 40 new rows stored %d (expected 40 in all)"
              % (rnd, stored))
        r = upload(key, hours_csv(rows), kind="hours", timeout=60)
        report(r, 201, "round %d: the raced hours again" % rnd, rows=40, accepted=0, unchanged=40)


# ------------------------------------------------------------------ auth, scopes, bases


@test
def batch_auth_missing_invalid_revoked_expired():
    ppl = people(1)
    body = roster_csv(ppl)
    r = upload(None, body)
    lib.api_error(r, 401, "unauthorized", "no Authorization header")
    for what, hdr in (("garbage", "Bearer garbage"), ("empty bearer", "Bearer "),
                      ("Basic scheme", "Basic dXNlcjpwYXNz"),
                      ("tampered demo key", "Bearer " + demo_key()[:-1] + ("A" if demo_key()[-1] != "A" else "B")),
                      ("well-formed unknown key", "Bearer tmk_zzzzzzzz_" + "Q" * 40)):
        r = upload(None, body, headers={"Authorization": hdr})
        lib.api_error(r, 401, "api_key_invalid", "Authorization: %s" % what)
        r = Client().get("/api/v1/batches", headers={"Authorization": hdr})
        lib.api_error(r, 401, "api_key_invalid", "GET /api/v1/batches with %s" % what)
    code, key, prefix = fresh_base_key()
    report(upload(key, roster_csv(people(1))), 201, "a new key works")
    revoke_key(prefix)
    r = upload(key, body)
    lib.api_error(r, 401, "api_key_revoked", "revoked key")
    r = get(key, "/api/v1/batches")
    lib.api_error(r, 401, "api_key_revoked", "GET /api/v1/batches with a revoked key")
    # a key with an expiry date works until then
    ekey, eprefix = new_key(code, "roster|read", expires_days=30)
    report(upload(ekey, roster_csv(people(1))), 201, "a key expiring in 30 days")
    # nothing of the refused uploads was stored
    fresh_roster_accepted(demo_key(), ppl, "after the refused uploads")
    if not lib.STACK:
        return "SKIP api_key_expired needs TMCRED_STACK to backdate a key"
    stack_sql("UPDATE api_keys SET expires_at = NOW() - INTERVAL 1 DAY WHERE prefix = '%s'" % eprefix)
    r = upload(ekey, roster_csv(people(1)))
    lib.api_error(r, 401, "api_key_expired", "expired key")


@test
def batch_scopes():
    code, _, _ = fresh_base_key(tag="scopes")
    rkey, _ = new_key(code, "read")
    ppl = people(1)
    for kind in ("roster", "hours", "exams"):
        r = upload(rkey, roster_csv(ppl), kind=kind)
        lib.api_error(r, 403, "scope_missing", "read-only key uploading %s" % kind)
    r = get(rkey, "/api/v1/batches")
    json_ok(r, 200, "GET /api/v1/batches with a read key")
    hkey, _ = new_key(code, "hours,read")
    r = upload(hkey, roster_csv(ppl), kind="roster")
    lib.api_error(r, 403, "scope_missing", "hours key uploading a roster")
    r = upload(hkey, hours_csv([(ppl[0][0], ppl[0][1], PRO_J, "2", last_year(8, 1))]), kind="hours")
    j = report(r, 422, "hours key uploading hours of an unknown person", rejected=1)
    expect_row_error(j, 1, "id_number", "person_unknown", "hours key")
    fresh_roster_accepted(demo_key(), ppl, "after scope_missing")


@test
def batch_bases_see_only_their_own():
    key_a = demo_key()
    code_b, key_b, _ = fresh_base_key(tag="other-base")
    ppl = people(2)
    ja = report(upload(key_a, roster_csv([ppl[0], (lib.bad_checksum(ppl[1][0]), ppl[1][1])]), mode="partial"),
                201, "base A partial roster")
    jb = report(upload(key_b, roster_csv([ppl[1]])), 201, "base B roster")
    for p in ("/api/v1/batches/%d", "/api/v1/batches/%d/errors.csv"):
        r = get(key_b, p % ja["batch_id"])
        lib.api_error(r, 404, "batch_not_found", "base B reading base A's %s" % (p % ja["batch_id"]))
        r = get(key_a, p % jb["batch_id"])
        lib.api_error(r, 404, "batch_not_found", "base A reading base B's %s" % (p % jb["batch_id"]))
    ids_b = batch_ids(key_b)
    check(jb["batch_id"] in ids_b and ja["batch_id"] not in ids_b, "base B's list %r" % ids_b)
    ids_a = batch_ids(key_a)
    check(ja["batch_id"] in ids_a and jb["batch_id"] not in ids_a, "base A's list shows base B's batch")
    r = get(key_a, "/api/v1/batches/99999999")
    lib.api_error(r, 404, "batch_not_found", "an unknown batch")
    # an Idempotency-Key is a base's own: B using A's key string makes its own batch
    k = "it-shared-%s" % lib.make_id()
    p2 = people(2)
    j1 = report(upload(key_a, roster_csv([p2[0]]), idem=k), 201, "A with a key")
    j2 = upload(key_b, roster_csv([p2[1]]), idem=k)
    check(j2.status == 201 and j2.json().get("batch_id") != j1["batch_id"],
          "base B reusing base A's Idempotency-Key string: %s" % j2.short())


@test
def batch_reports_list_and_errors_csv():
    key = demo_key()
    ppl = people(3)
    rows = [list(ppl[0]), [lib.bad_checksum(ppl[1][0]), ppl[1][1]], [ppl[2][0], ""]]
    r = upload(key, csv_bytes(["id_number", "name"], rows), mode="partial")
    j = report(r, 201, "partial roster with 2 bad rows", st="partial", rows=3, accepted=1, rejected=2)
    bid = j["batch_id"]
    r = get(key, "/api/v1/batches/%d" % bid)
    g = report(r, 200, "GET /api/v1/batches/%d" % bid)
    for f in ("batch_id", "kind", "mode", "status", "rows", "accepted", "rejected", "unchanged", "errors_total"):
        check(g[f] == j[f], "GET report %s %r != POST answer %r" % (f, g[f], j[f]))
    check(g["errors"] == j["errors"], "GET report errors %r != POST %r" % (g["errors"], j["errors"]))
    lines = parse_errors_csv(get(key, "/api/v1/batches/%d/errors.csv" % bid), "errors.csv")
    check(len(lines) == len(j["errors"]), "errors.csv has %d lines, the report %d errors"
          % (len(lines), len(j["errors"])))
    for line, e in zip(lines, j["errors"]):
        check(len(line) == 4 and line[0] == str(e["row"]) and line[1] == e["column"] and line[2] == e["code"]
              and line[3] == e["message"], "errors.csv line %r != report error %r" % (line, e))
    # a batch without errors: errors.csv is the header alone
    j2 = report(upload(key, roster_csv(people(1))), 201, "clean roster")
    lines = parse_errors_csv(get(key, "/api/v1/batches/%d/errors.csv" % j2["batch_id"]), "errors.csv (clean)")
    check(lines == [], "errors.csv of a clean batch: %r" % lines)
    r = get(key, "/api/v1/batches")
    lst = json_ok(r, 200, "GET /api/v1/batches").get("batches")
    by = {b.get("batch_id"): b for b in lst}
    check(bid in by and j2["batch_id"] in by, "the list lacks batches %d/%d" % (bid, j2["batch_id"]))
    check(by[bid].get("status") == "partial" and by[bid].get("kind") == "roster",
          "list entry of batch %d: %r" % (bid, by[bid]))
    for b in lst:
        for k in ("batch_id", "kind", "mode", "status", "rows", "accepted", "rejected", "unchanged"):
            check(k in b, "GET /api/v1/batches: entry lacks %r: %r" % (k, b))


@test
def batch_api_with_session_cookie_needs_csrf():
    """A base operator's session cookie must not let a cross-site form (text/plain,
    no preflight) upload: without the X-CSRF-Token the API answers 403."""
    d = demo_base()
    c = Client("base-op")
    lib.login(c, d["BASE_LOGIN"], d["BASE_PASSWORD"])
    ppl = people(1)
    for ct in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"):
        r = c.request("POST", "/api/v1/batches?kind=roster&mode=atomic", body=roster_csv(ppl),
                      content_type=ct)
        if ct == "text/plain":
            check(r.status == 403 and "csrf_invalid" in r.text,
                  "session-cookie POST /api/v1/batches as %s (a cross-site form can send this without a "
                  "preflight) and no X-CSRF-Token: expected 403 csrf_invalid, got %s" % (ct, r.short()))
        else:
            check(r.status in (403, 415), "session-cookie POST /api/v1/batches as %s without X-CSRF-Token: "
                  "expected 403 or 415, got %s" % (ct, r.short()))
    fresh_roster_accepted(demo_key(), ppl, "after cookie-only uploads")


@test
def batch_large_roster_and_hours():
    """2000 rows each way, in reasonable time; re-sent all unchanged."""
    key = demo_key()
    ppl = people(2000)
    body = roster_csv(ppl)
    t0 = time.monotonic()
    report(upload(key, body, timeout=120), 201, "2000-row roster", rows=2000, accepted=2000)
    hours = hours_csv([(i, n, GEN_J, "1.5", last_year(9, 9)) for i, n in ppl])
    report(upload(key, hours, kind="hours", timeout=120), 201, "2000-row hours", rows=2000, accepted=2000)
    report(upload(key, hours, kind="hours", timeout=120), 201, "2000-row hours again", rows=2000,
           accepted=0, unchanged=2000)
    dt = time.monotonic() - t0
    check(dt < 60, "three 2000-row uploads took %.1f s" % dt)


# ------------------------------------------------------------------ hours in atomic mode, many chunks
# Atomic hours are checked in C chunk by chunk and stored without staging (courses/batch_direct.c);
# partial hours still go through the staging table and its set queries. Both must find the same
# errors, across chunk boundaries (1,000 rows each).


@test
def batch_atomic_hours_many_chunks_same_errors_as_partial():
    if not lib.STACK:
        return "SKIP needs TMCRED_STACK (scripts/stack sql) for the ledger_years check"
    key = demo_key()
    n = 2600
    ppl = people(n)
    register_roster(key, ppl, "roster for the multi-chunk hours")
    stranger, sname = person()
    y = datetime.date.today().year - 1
    day = lambda i: (datetime.date(y, 1, 1) + datetime.timedelta(days=i % 300)).isoformat()
    d0, dcap, dcap2, dx, dc2 = day(301), day(302), day(303), day(304), day(305)
    # stored first: rows 1-10 again later ("unchanged"), 6 学时 on dcap for two persons
    pre = [(ppl[i][0], ppl[i][1], PRO_J, "2", d0) for i in range(10)]
    pre += [(ppl[20][0], ppl[20][1], GEN_J, "6", dcap), (ppl[21][0], ppl[21][1], GEN_J, "6", dcap2)]
    report(upload(key, hours_csv(pre), kind="hours"), 201, "stored first", accepted=len(pre))
    courses = (GEN_J, PRO_J, GEN_I, PRO_I)
    rows = [(i, nm, courses[k % 4], "1.5", day(k)) for k, (i, nm) in enumerate(ppl)]
    rows[0:10] = pre[0:10]                                              # 1-10 unchanged
    rows[30] = (ppl[30][0], ppl[30][1], GEN_J, "1", dx)                 # 31 first of a pair
    rows[1499] = (ppl[30][0], ppl[30][1], GEN_J, "2", dx)               # 1500 row_duplicate (other chunk)
    rows[39] = (ppl[40][0], ppl[40][1] + "某", GEN_J, "1", dx)          # 40 name_mismatch, first of a pair
    rows[2099] = (ppl[40][0], ppl[40][1], GEN_J, "1", dx)               # 2100 row_duplicate of a bad row
    rows[59] = (ppl[60][0], ppl[60][1], PRO_J, "5", dc2)                # 60 \ 5 + 4 on one day, two chunks:
    rows[2499] = (ppl[60][0], ppl[60][1], GEN_J, "4", dc2)              # 2500 / hours_over_daily_cap
    rows[69] = (ppl[21][0], ppl[21][1], PRO_J, "2", dcap2)              # 70 6 stored + 2 = 8: fine
    rows[1199] = (stranger, sname, PRO_J, "1", dx)                      # 1200 person_unknown
    rows[1299] = (ppl[1299][0], ppl[1299][1] + "某", PRO_J, "1", dx)    # 1300 name_mismatch
    rows[1399] = (ppl[1399][0], ppl[1399][1], "X-NOPE-99", "1", dx)     # 1400 course_unknown
    rows[1999] = (ppl[20][0], ppl[20][1], PRO_J, "3", dcap)             # 2000 6 stored + 3 > 8
    rows[2549] = (ppl[2549][0], ppl[2549][1], PRO_J, "abc", dx)         # 2550 hours_invalid (C check)
    body = hours_csv(rows, encoding="gb18030")
    expect = {(1500, "", "row_duplicate"), (40, "name", "name_mismatch"), (2100, "", "row_duplicate"),
              (60, "hours", "hours_over_daily_cap"), (2500, "hours", "hours_over_daily_cap"),
              (1200, "id_number", "person_unknown"), (1300, "name", "name_mismatch"),
              (1400, "course_code", "course_unknown"), (2000, "hours", "hours_over_daily_cap"),
              (2550, "hours", "hours_invalid")}
    w = "%d-row hours with errors in every chunk" % n
    a = report(upload(key, body, kind="hours", mode="atomic", timeout=120), 422, w + " (atomic)",
               st="rejected", rows=n, rejected=len(expect), unchanged=0)
    check(err_set(a) == expect, "%s (atomic): errors %r, expected %r"
          % (w, sorted(err_set(a) ^ expect), sorted(expect)))
    p = report(upload(key, body, kind="hours", mode="partial", timeout=120), 201, w + " (partial)",
               mode="partial", st="partial", rows=n, rejected=len(expect), unchanged=10)
    check(err_set(p) == err_set(a) and p["errors_total"] == a["errors_total"],
          "%s: atomic and partial found different errors: %r" % (w, sorted(err_set(p) ^ err_set(a))))
    check(p["accepted"] == n - 10 - len(expect), "%s (partial): accepted %d after the atomic 422 stored nothing"
          " (expected %d): %s" % (w, p["accepted"], n - 10 - len(expect), brief(p)))
    check(ledger_years_mismatches() == [0, 0], "ledger_years differs from training_records: %r"
          % ledger_years_mismatches())

    # a good file of as many rows, atomic: every row stored once, the ledger exact
    good = [(i, nm, courses[(k + 1) % 4], "2", day(k + 7)) for k, (i, nm) in enumerate(ppl)]
    report(upload(key, hours_csv(good), kind="hours", timeout=120), 201, "%d good rows (atomic)" % n,
           st="accepted", rows=n, accepted=n, unchanged=0)
    report(upload(key, hours_csv(good), kind="hours", timeout=120), 201, "%d good rows again" % n,
           st="accepted", rows=n, accepted=0, unchanged=n)
    check(ledger_years_mismatches() == [0, 0], "ledger_years differs from training_records after an atomic"
          " multi-chunk batch: %r" % ledger_years_mismatches())


@test
def batch_concurrent_uploads_one_person_day_keep_the_cap():
    """Two uploads at once, each with new hours for the same person and day that fit alone
    but not together: never both stored (the person's row is locked until the commit), in
    atomic mode (checked in C) and in partial mode (the staging table)."""
    if not lib.STACK:
        return "SKIP needs TMCRED_STACK (scripts/stack sql) to sum the stored hours"
    key = demo_key()
    for rnd, mode in enumerate(("atomic", "atomic", "partial", "partial")):
        ppl = people(3001)
        register_roster(key, ppl, "round %d: roster for the cap race" % rnd)
        (x, xn), others = ppl[0], ppl[1:]
        d, d2 = last_year(10, 1 + rnd), last_year(11, 1 + rnd)
        fa = hours_csv([(x, xn, PRO_J, "5", d)] + [(i, n, GEN_J, "1", d2) for i, n in others[:1500]])
        fb = hours_csv([(x, xn, GEN_J, "4", d)] + [(i, n, GEN_J, "1", d2) for i, n in others[1500:]])
        res = _race([lambda: upload(key, fa, kind="hours", mode=mode, timeout=120),
                     lambda: upload(key, fb, kind="hours", mode=mode, timeout=120)])
        ok = []
        w = "round %d (%s)" % (rnd, mode)
        for r in res:
            check(r.status in (201, 422, 503), "%s: racing uploads: %s" % (w, r.short()))
            if r.status == 201:
                ok.append(r.json()["batch_id"])
            if r.status == 422 or (r.status == 201 and r.json()["rejected"]):
                expect_row_error(r.json(), 1, "hours", "hours_over_daily_cap", "%s: the later upload" % w)
            elif r.status == 503:
                lib.api_error(r, 503, "batch_retry", "%s: racing upload" % w)
        check(ok, "%s: neither racing upload was stored: %s" % (w, [r.short() for r in res]))
        out = stack_sql("SELECT COALESCE(SUM(hours_x2), 0) FROM training_records WHERE completed_on = '%s'"
                        " AND batch_id IN (%s)" % (d, ",".join(str(int(b)) for b in ok)))
        check(int(out.split()[0]) <= 16, "%s: the two uploads stored %s half-hours for one person on %s,"
              " over the daily cap of 8 学时 (write skew)" % (w, out.strip(), d))
