"""Bulk uploads under faults, run just before t_faults: a worker killed with
SIGKILL in the middle of a 100,000-row hours upload, MariaDB stopped and
started again in the middle of another, then an ordinary small upload.

A batch is one transaction: whatever happens mid-upload, either every row is
stored (once) or none is, the client never gets a 2xx for a batch that was not
stored, and re-sending the same file until it answers 201 ends with every row
stored exactly once.  A DB failure answers 503 with a retryable code
(batch_retry, db_unavailable) or nginx's JSON 503 service_unavailable (its
answer under /api/ when the worker dies; 502/504 are tolerated too).

The tests need $TMCRED_STACK (pids under run/, `scripts/stack sql`,
db-stop/db-start) and the demo base's API key (demo_logins).  The mid-upload
moment is read from MariaDB itself (information_schema.innodb_trx: the rows
the upload's open transaction has written so far), so the fault lands inside
the transaction, not before it or after its commit.
"""

import datetime
import http.client
import os
import random
import signal
import socket
import threading
import time

import lib
from lib import check, wait_until
from batches_common import (brief, demo_base, get, hours_csv, report, roster_csv, stack_sql,
                            upload)
from courses_common import GEN_J, PRO_J, json_ok, test_collector
from t_faults import _children, _is_zombie, _master_pid, _no_leak, _stack

TESTS, test = test_collector()

BIG_PERSONS = 12500                  # x 8 days = 100,000 hours rows
BIG_ROWS = 8 * BIG_PERSONS
DB_PERSONS = 5000                    # x 8 days = 40,000 rows for the DB restart
COURSES = (GEN_J, PRO_J, "J-POL-02")  # junior courses of the demo catalogue
RETRYABLE = ("batch_retry", "db_unavailable", "service_unavailable")
UPLOAD_WAIT = 60.0                   # s for one upload's answer
RETRY_WINDOW = 75.0                  # s for re-sending until 201

_rng = random.SystemRandom()
_persons = {}                        # the registered persons, shared by the tests


def _note(msg):
    print("# upload_faults: %s" % msg, flush=True)


# ---------------------------------------------------------------- persons and files


def _fresh_id():
    """A valid number of province 31 from a large space (address 31xxxx, any birth date
    giving an age of 20-90, any sequence) so that fresh IDs do not meet older ones."""
    today = datetime.date.today()
    birth = today - datetime.timedelta(days=_rng.randint(20 * 366, 90 * 365))
    first17 = "31%04d%s%03d" % (_rng.randint(0, 9999), birth.strftime("%Y%m%d"),
                                _rng.randint(0, 999))
    return first17 + lib.id_check_char(first17)


def _sql_rows(sql):
    out = stack_sql(sql)
    return [ln.split("\t") for ln in out.splitlines() if ln.strip()]


def _sql_ints(sql):
    rows = _sql_rows(sql)
    check(len(rows) == 1, "SQL %r: expected one row, got %r" % (sql, rows))
    return [int(v) if v not in ("NULL", "") else None for v in rows[0]]


def _key():
    return demo_base()["BASE_API_KEY"]


def _registered_persons():
    """BIG_PERSONS fresh persons registered by one roster upload, with the range of their
    persons.id: {"ppl": [(id, name)], "lo": int, "hi": int}.  Made once per run."""
    if _persons:
        return _persons
    ids = set()
    while len(ids) < BIG_PERSONS:
        ids.add(_fresh_id())
    ppl = [(i, lib.fresh_name()) for i in sorted(ids, key=lambda _: _rng.random())]
    lib.KNOWN_IDS.update(ids)
    before = _sql_ints("SELECT COALESCE(MAX(id), 0) FROM persons")[0]
    r = upload(_key(), roster_csv(ppl), kind="roster", mode="atomic", timeout=UPLOAD_WAIT)
    j = report(r, 201, "roster of %d fresh persons" % BIG_PERSONS, kind="roster", st="accepted",
               rows=BIG_PERSONS, rejected=0)
    check(j["accepted"] == BIG_PERSONS, "roster of %d fresh persons: accepted %d, unchanged %d (%s)"
          % (BIG_PERSONS, j["accepted"], j["unchanged"], brief(j)))
    n, lo, hi = _sql_ints("SELECT COUNT(*), MIN(id), MAX(id) FROM persons WHERE id > %d" % before)
    check(n == BIG_PERSONS, "after the roster, %d persons have id > %d (expected %d): another "
          "writer? the row counts below would be wrong" % (n, before, BIG_PERSONS))
    _persons.update(ppl=ppl, lo=lo, hi=hi)
    return _persons


def _days(first_back):
    """8 distinct past days, first_back .. first_back+7 days before today."""
    today = datetime.date.today()
    return [today - datetime.timedelta(days=first_back + k) for k in range(8)]


def _hours_file(ppl, days):
    """8 rows of 1 学时 per person, one on each day."""
    rows = [(i, n, COURSES[(k + x) % len(COURSES)], "1", d.isoformat())
            for x, (i, n) in enumerate(ppl) for k, d in enumerate(days)]
    return hours_csv(rows)


def _stored(pers, days):
    """training_records of these persons on these days:
    (count, distinct natural keys, distinct (person, course, day), sum of hours_x2,
    distinct batch ids)."""
    return _sql_ints(
        "SELECT COUNT(*), COUNT(DISTINCT natural_key), COUNT(DISTINCT person_id, course_id,"
        " completed_on), COALESCE(SUM(hours_x2), 0), COUNT(DISTINCT batch_id)"
        " FROM training_records WHERE person_id BETWEEN %d AND %d"
        " AND completed_on BETWEEN '%s' AND '%s'"
        % (pers["lo"], pers["hi"], min(days).isoformat(), max(days).isoformat()))


def _base_id():
    code = demo_base()["BASE_CODE"]
    check(code.replace("-", "").isalnum(), "odd base code %r" % code)
    return _sql_ints("SELECT id FROM bases WHERE code = '%s'" % code)[0]


def _max_batch():
    return _sql_ints("SELECT COALESCE(MAX(id), 0) FROM upload_batches")[0]


def _batches_since(before, base_id):
    return [[int(v) if v.isdigit() else v for v in row] for row in _sql_rows(
        "SELECT id, kind, status, rows_total, accepted, unchanged FROM upload_batches"
        " WHERE id > %d AND base_id = %d ORDER BY id" % (before, base_id))]


def _open_trx_rows():
    """Rows written so far by the app's open transactions (max over them), or None if the
    app ('tmcred' DB user) has no open transaction."""
    rows = _sql_rows("SELECT t.trx_rows_modified FROM information_schema.innodb_trx t"
                     " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
                     " WHERE p.user = 'tmcred'")
    vals = [int(r[0]) for r in rows if r and r[0].isdigit()]
    return max(vals) if vals else None


def _staging_empty():
    return _sql_ints("SELECT COUNT(*) FROM batch_rows")[0] == 0


# ---------------------------------------------------------------- uploads


class _Upload(threading.Thread):
    """One POST /api/v1/batches in a thread; .sent is set once the whole body is written,
    .resp / .error once it is answered."""

    def __init__(self, key, body, kind):
        super().__init__(daemon=True)
        self.key, self.body, self.kind = key, body, kind
        self.sent = threading.Event()
        self.sent_at = None
        self.resp = None
        self.error = None
        self.done_at = None

    def run(self):
        path = "/api/v1/batches?kind=%s&mode=atomic" % self.kind
        conn = http.client.HTTPConnection(lib.HOST, lib.PORT, timeout=UPLOAD_WAIT)
        try:
            conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
            for k, v in (("Host", lib.HOST_HEADER), ("Connection", "close"),
                         ("Content-Type", "text/csv"), ("Authorization", "Bearer " + self.key),
                         ("Content-Length", str(len(self.body)))):
                conn.putheader(k, v)
            conn.endheaders()
            try:
                conn.send(self.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered early: read the answer
            self.sent_at = time.monotonic()
            self.sent.set()
            r = conn.getresponse()
            data = r.read()
            self.resp = lib.Response("POST", path, r.status, r.getheaders(), data)
            lib.SEEN.append(self.resp)
        except (socket.timeout, OSError, http.client.HTTPException) as e:
            self.error = "%s: %s" % (type(e).__name__, e)
        finally:
            self.done_at = time.monotonic()
            self.sent.set()
            conn.close()

    def answer(self, deadline):
        self.join(max(0.0, deadline - time.monotonic()))
        check(not self.is_alive(), "the upload got no answer within %.0f s" % UPLOAD_WAIT)
        check(self.error is None and self.resp is not None,
              "the upload got no HTTP answer: %s" % self.error)
        return self.resp


def _status(r):
    """"503 batch_retry" and the like, for the notes."""
    if 200 <= r.status < 300:
        return str(r.status)
    try:
        return "%d %s" % (r.status, (r.json().get("error") or {}).get("code"))
    except AssertionError:
        return "%d (not JSON)" % r.status


def _retryable_problem(r, what):
    """None when r is an acceptable answer to a batch that a fault interrupted (503 with a
    retryable code, or nginx's 502/504), else what is wrong with it."""
    if r.status in (502, 504):
        return None
    if r.status != 503:
        return "%s: expected 503 (retryable) or 502/504, got %s" % (what, r.short())
    try:
        e = r.json().get("error") or {}
    except AssertionError as ex:
        return "%s: %s" % (what, ex)
    if e.get("code") not in RETRYABLE:
        return "%s: 503 with error.code %r, expected one of %s: %s" % (
            what, e.get("code"), "/".join(RETRYABLE), r.short())
    if not lib.has_cjk(e.get("message", "")):
        return "%s: 503 error.message is not zh-CN: %s" % (what, r.short())
    try:
        _no_leak(r, what)
    except AssertionError as ex:
        return str(ex)
    return None


def _resend_until_201(key, body, kind, rows, what):
    """Re-send the same file until 201 (503 retryable answers are waited out), within
    RETRY_WINDOW.  Returns (report json, attempts, seconds)."""
    t0 = time.monotonic()
    deadline = t0 + RETRY_WINDOW
    attempts = []
    while True:
        t1 = time.monotonic()
        r = upload(key, body, kind=kind, mode="atomic",
                   timeout=max(5.0, min(UPLOAD_WAIT, deadline - time.monotonic())))
        attempts.append("%s in %.1f s" % (_status(r), time.monotonic() - t1))
        if r.status == 201:
            j = report(r, 201, "%s: re-sent upload" % what, kind=kind, mode="atomic",
                       st="accepted", rows=rows, rejected=0)
            return j, attempts, time.monotonic() - t0
        p = _retryable_problem(r, "%s: re-sent upload #%d" % (what, len(attempts)))
        check(p is None, p)
        check(time.monotonic() < deadline, "%s: re-sending for %.0f s never got 201 (answers %r; "
              "last %s)" % (what, RETRY_WINDOW, attempts, r.short()))
        time.sleep(1.0)


def _healthz_ok(timeout):
    r, info = wait_until(lambda: lib.Client().get("/healthz", timeout=5, record=False).status == 200,
                         timeout=timeout, interval=0.25)
    return r, info


def _cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])   # utime + stime
    except (OSError, IndexError, ValueError):
        return None


# ---------------------------------------------------------------- tests


@test
def upload_faults_worker_sigkill_mid_100k_hours_exactly_once():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    key = _key()
    base_id = _base_id()
    master = _master_pid()
    workers = _children(master)
    check(workers, "master %d has no worker children" % master)
    pers = _registered_persons()
    days = _days(40)
    body = _hours_file(pers["ppl"], days)
    check(body.count(b"\n") == BIG_ROWS + 1, "generated file has %d lines" % body.count(b"\n"))
    before_batch = _max_batch()
    before_rows = _stored(pers, days)
    check(before_rows[0] == 0, "fresh persons already have %d records on those days" % before_rows[0])

    # The upload; the kill lands when its transaction is storing training_records (more
    # rows written than the staging holds): the point where a half-stored batch would show.
    up = _Upload(key, body, "hours")
    t_start = time.monotonic()
    up.start()
    check(up.sent.wait(30), "the 100k-row body was not sent within 30 s")
    cpu0 = {w: _cpu_ticks(w) for w in _children(master)}
    kill_at = BIG_ROWS + 1 + BIG_ROWS // 4
    seen_rows = None
    victims = []
    poll_deadline = time.monotonic() + UPLOAD_WAIT
    while up.is_alive() and time.monotonic() < poll_deadline:
        seen_rows = _open_trx_rows()
        if seen_rows is not None and seen_rows >= kill_at:
            deltas = {w: (_cpu_ticks(w) or 0) - (c or 0) for w, c in cpu0.items()}
            busy = [w for w, d in deltas.items() if d > 0 and d == max(deltas.values())]
            victims = busy[:1] or sorted(_children(master))
            for v in victims:
                try:
                    os.kill(v, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            break
        time.sleep(0.05)
    t_kill = time.monotonic()
    r = up.answer(t_start + UPLOAD_WAIT)
    killed_mid = bool(victims)
    _note("SIGKILL %s %.2f s after the body was sent (open transaction had written %s rows; "
          "staging %d); first answer %s after %.2f s"
          % ("worker(s) %s" % victims if victims else "NOT sent (upload finished first)",
             t_kill - up.sent_at, seen_rows, BIG_ROWS, _status(r), up.done_at - t_start))

    problems = []
    first = None
    if r.status == 201:
        first = report(r, 201, "first upload (the kill came too late)", kind="hours",
                       st="accepted", rows=BIG_ROWS, rejected=0)
        if first["accepted"] != BIG_ROWS:
            problems.append("first upload answered 201 with accepted %d (expected %d): %s"
                            % (first["accepted"], BIG_ROWS, brief(first)))
        if killed_mid:
            problems.append("the worker was killed while its transaction was open (%s rows "
                            "written), yet the client got 201: %s" % (seen_rows, r.short()))
    elif 200 <= r.status < 300:
        problems.append("a 2xx other than 201 for the interrupted upload: %s" % r.short())
    else:
        p = _retryable_problem(r, "upload whose worker was killed")
        if p:
            problems.append(p)

    # the master replaced the victim(s) and the service answers again
    if victims:
        now, _ = wait_until(lambda: (lambda c: c if (not set(victims) & c
                                                     and len(c) >= len(workers)) else None)(
            _children(master)), timeout=10, interval=0.1)
        if not now:
            problems.append("killed worker(s) %s not replaced within 10 s (children of %d: %s)"
                            % (victims, master, sorted(_children(master))))
        for v in victims:
            if _is_zombie(v):
                problems.append("killed worker %d left as a zombie" % v)
    ok, info = _healthz_ok(15)
    check(ok, "/healthz not 200 within 15 s after the kill (last %r); %s" % (info, " | ".join(problems)))

    # re-send the same file until 201
    j, attempts, dt = _resend_until_201(key, body, "hours", BIG_ROWS, "100k hours after SIGKILL")
    _note("re-send: answers %r, 201 after %.2f s: accepted %d, unchanged %d"
          % (attempts, dt, j["accepted"], j["unchanged"]))
    if j["accepted"] + j["unchanged"] != BIG_ROWS:
        problems.append("re-sent upload: accepted %d + unchanged %d != %d"
                        % (j["accepted"], j["unchanged"], BIG_ROWS))
    if first is not None:
        if j["unchanged"] != BIG_ROWS:
            problems.append("re-sending a file already answered 201: unchanged %d (expected %d): %s"
                            % (j["unchanged"], BIG_ROWS, brief(j)))
    elif j["unchanged"] not in (0, BIG_ROWS):
        problems.append("the killed upload was HALF-STORED: re-sending it found %d of %d rows "
                        "already stored (accepted %d)" % (j["unchanged"], BIG_ROWS, j["accepted"]))
    elif j["unchanged"] == BIG_ROWS:
        _note("the killed upload had committed before the kill: its rows were all stored")

    g = json_ok(get(key, "/api/v1/batches/%d" % j["batch_id"]), 200,
                "GET /api/v1/batches/%d" % j["batch_id"])
    if (g.get("accepted"), g.get("unchanged"), g.get("rows")) != (j["accepted"], j["unchanged"], BIG_ROWS):
        problems.append("GET /api/v1/batches/%d: rows %r accepted %r unchanged %r, the upload "
                        "answered rows %d accepted %d unchanged %d"
                        % (j["batch_id"], g.get("rows"), g.get("accepted"), g.get("unchanged"),
                           BIG_ROWS, j["accepted"], j["unchanged"]))

    # exactly once, counted in the database
    n, nk, nat, hx2, nb = _stored(pers, days)
    if (n, nk, nat, hx2) != (BIG_ROWS, BIG_ROWS, BIG_ROWS, 2 * BIG_ROWS):
        problems.append("training_records of the %d persons on the 8 days: %d rows, %d distinct "
                        "natural keys, %d distinct (person, course, day), hours_x2 sum %d; "
                        "expected %d, %d, %d, %d"
                        % (BIG_PERSONS, n, nk, nat, hx2, BIG_ROWS, BIG_ROWS, BIG_ROWS, 2 * BIG_ROWS))
    if nb != 1:
        problems.append("the 100k rows come from %d batches (expected 1)" % nb)
    tot, dist = _sql_ints("SELECT COUNT(*), COUNT(DISTINCT natural_key) FROM training_records"
                          " WHERE source = 'batch'")
    if tot != dist or tot < BIG_ROWS:
        problems.append("training_records source='batch': %d rows, %d distinct natural keys" % (tot, dist))
    new = [b for b in _batches_since(before_batch, base_id) if b[1] == "hours"]
    acc = sum(b[4] for b in new)
    if acc != BIG_ROWS:
        problems.append("hours batches stored since the test began accept %d rows in all (expected "
                        "%d): %r" % (acc, BIG_ROWS, new))
    empty, info = wait_until(_staging_empty, timeout=15, interval=0.5)
    if not empty:
        problems.append("batch_rows (staging) still holds %s rows 15 s after the uploads ended"
                        % _sql_ints("SELECT COUNT(*) FROM batch_rows")[0])
    check(_master_pid() == master, "master pid changed")
    check(not problems, " | ".join(problems))


@test
def upload_faults_db_restart_mid_upload_no_false_2xx():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    key = _key()
    pers = _registered_persons()
    sub = {"ppl": pers["ppl"][:DB_PERSONS], "lo": pers["lo"], "hi": pers["hi"]}
    rows = 8 * DB_PERSONS
    days = _days(60)
    body = _hours_file(sub["ppl"], days)
    check(_stored(sub, days)[0] == 0, "the persons already have records on the test's days")

    problems = []
    up = _Upload(key, body, "hours")
    t_start = time.monotonic()
    stopped = False
    seen_rows = None
    t_stop = None
    try:
        up.start()
        check(up.sent.wait(30), "the body was not sent within 30 s")
        # stop MariaDB once the upload's transaction has staged half of its rows
        poll_deadline = time.monotonic() + UPLOAD_WAIT
        while up.is_alive() and time.monotonic() < poll_deadline:
            seen_rows = _open_trx_rows()
            if seen_rows is not None and seen_rows >= rows // 2:
                t_stop = time.monotonic()
                stopped = True
                _stack("db-stop")
                break
            time.sleep(0.03)
        r = up.answer(t_start + UPLOAD_WAIT)
        _note("db-stop began %s after the body was sent (open transaction had written %s of %d "
              "staging rows), took %.2f s; answer %s after %.2f s"
              % ("%.2f s" % (t_stop - up.sent_at) if t_stop else "NEVER (upload finished first)",
                 seen_rows, rows, time.monotonic() - t_stop if t_stop else 0, _status(r),
                 up.done_at - t_start))
    finally:
        _stack("db-start")
        ok, info = _healthz_ok(30)
        check(ok, "MariaDB restarted: /healthz not 200 within 30 s (last %r)" % (info,))

    first = None
    if r.status == 201:
        first = report(r, 201, "upload answered across the DB stop", kind="hours", st="accepted",
                       rows=rows, rejected=0)
        if stopped and up.done_at > t_stop:
            _note("201 came after db-stop began: checking that its rows really are stored")
    elif 200 <= r.status < 300:
        problems.append("a 2xx other than 201 for the upload cut by the DB stop: %s" % r.short())
    else:
        p = _retryable_problem(r, "upload cut by the DB stop")
        if p:
            problems.append(p)

    if first is not None:
        # a 201 must mean every row is stored
        n = _stored(sub, days)[0]
        if n != rows or first["accepted"] != rows:
            problems.append("the upload answered 201 (accepted %d) but %d of its %d rows are "
                            "stored after the DB restart" % (first["accepted"], n, rows))
    else:
        n = _stored(sub, days)[0]
        if n not in (0, rows):
            problems.append("HALF-STORED: the upload cut by the DB stop left %d of %d rows" % (n, rows))

    j, attempts, dt = _resend_until_201(key, body, "hours", rows, "hours after DB restart")
    _note("re-send after the restart: answers %r, 201 after %.2f s: accepted %d, unchanged %d"
          % (attempts, dt, j["accepted"], j["unchanged"]))
    if j["accepted"] + j["unchanged"] != rows:
        problems.append("re-sent upload: accepted %d + unchanged %d != %d"
                        % (j["accepted"], j["unchanged"], rows))
    if first is not None and j["unchanged"] != rows:
        problems.append("re-sending a file answered 201: unchanged %d (expected %d)" % (j["unchanged"], rows))
    if first is None and j["unchanged"] not in (0, rows):
        problems.append("HALF-STORED: re-sending found %d of %d rows already stored"
                        % (j["unchanged"], rows))
    n, nk, nat, hx2, nb = _stored(sub, days)
    if (n, nk, nat, hx2, nb) != (rows, rows, rows, 2 * rows, 1):
        problems.append("training_records of the %d persons on the 8 days: %d rows, %d distinct "
                        "natural keys, %d distinct (person, course, day), hours_x2 sum %d, from %d "
                        "batch(es); expected %d, %d, %d, %d, 1"
                        % (DB_PERSONS, n, nk, nat, hx2, nb, rows, rows, rows, 2 * rows))
    empty, info = wait_until(_staging_empty, timeout=15, interval=0.5)
    if not empty:
        problems.append("batch_rows (staging) still holds %s rows 15 s after the restart"
                        % _sql_ints("SELECT COUNT(*) FROM batch_rows")[0])
    ok, info = _healthz_ok(10)
    check(ok, "/healthz not 200 at the end (last %r); %s" % (info, " | ".join(problems)))
    check(not problems, " | ".join(problems))


@test
def upload_faults_small_upload_after_faults():
    key = _key()
    r = lib.Client().get("/healthz", timeout=10)
    check(r.status == 200, "/healthz: %s" % r.short())
    ppl = []
    while len(ppl) < 3:
        i = _fresh_id()
        if i not in [p[0] for p in ppl]:
            ppl.append((i, lib.fresh_name()))
            lib.KNOWN_IDS.add(i)
    j = report(upload(key, roster_csv(ppl), kind="roster"), 201, "roster of 3 after the faults",
               st="accepted", rows=3, accepted=3, rejected=0, unchanged=0)
    day = _days(3)[0].isoformat()
    hours = hours_csv([(i, n, GEN_J, "2", day) for i, n in ppl])
    j = report(upload(key, hours, kind="hours"), 201, "hours of 3 after the faults", kind="hours",
               st="accepted", rows=3, accepted=3, rejected=0, unchanged=0)
    j2 = report(upload(key, hours, kind="hours"), 201, "the same hours again", kind="hours",
                st="accepted", rows=3, accepted=0, rejected=0, unchanged=3)
    g = json_ok(get(key, "/api/v1/batches/%d" % j["batch_id"]), 200, "GET /api/v1/batches/%d" % j["batch_id"])
    check((g.get("rows"), g.get("accepted"), g.get("unchanged")) == (3, 3, 0),
          "GET /api/v1/batches/%d: %r" % (j["batch_id"], g))
    check(j2["batch_id"] != j["batch_id"], "the re-sent file got the same batch id")
