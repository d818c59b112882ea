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
moment is read from MariaDB itself (information_schema.innodb_trx and
processlist: the rows the upload's open transaction has written so far and
the statement it runs), so the fault lands inside the transaction, not before
it or after its commit.  A MariaDB crash (its log's [FATAL] / "got signal"
lines) fails the test it happened in, and MariaDB is started again so that
the tests after it still run.
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
RETRY_WINDOW = 60.0                  # s for re-sending until 201
STORE_WAIT = 3.0                     # s into the INSERT INTO training_records of the upload

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


def _open_trx():
    """(rows written so far, the statement running) of the app's open transaction that has
    written most (one rolling back does not count), or (None, None) if the app ('tmcred' DB
    user) has no open transaction."""
    rows = _sql_rows("SELECT t.trx_rows_modified, LEFT(COALESCE(p.info, '-'), 40)"
                     " FROM information_schema.innodb_trx t"
                     " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
                     " WHERE p.user = 'tmcred' AND t.trx_state <> 'ROLLING BACK'"
                     " ORDER BY t.trx_rows_modified DESC LIMIT 1")
    if not rows or not rows[0][0].isdigit():
        return None, None
    return int(rows[0][0]), (rows[0][1] if len(rows[0]) > 1 else "")


def _open_trx_rows():
    return _open_trx()[0]


def _quiet():
    """No transaction of the app is open (nor rolling back): nothing left of an earlier
    upload runs in MariaDB."""
    q, info = wait_until(lambda: _sql_ints(
        "SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p"
        " ON p.id = t.trx_mysql_thread_id WHERE p.user = 'tmcred'")[0] == 0,
        timeout=30, interval=0.5)
    check(q, "a transaction of the app is still open in MariaDB 30 s after the last upload (%r)"
          % (info,))


def _trx_snapshot():
    """The app's transactions open in MariaDB now, for a failure message."""
    try:
        rows = _sql_rows("SELECT t.trx_mysql_thread_id, t.trx_state, t.trx_rows_modified,"
                         " TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), COALESCE(p.command, '-'),"
                         " LEFT(COALESCE(t.trx_query, '-'), 40)"
                         " FROM information_schema.innodb_trx t"
                         " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
                         " WHERE p.user = 'tmcred' ORDER BY 1")
    except AssertionError as e:
        return "(no snapshot: %s)" % " ".join(str(e).split())[:100]
    return "; ".join("thread %s %s %s rows, %s s old, %s: %s" % tuple(r[:6]) for r in rows
                     if len(r) >= 6) or "none"


def _staging_empty():
    return _sql_ints("SELECT COUNT(*) FROM batch_rows")[0] == 0


# ---------------------------------------------------------------- MariaDB health


def _db_alive():
    """mariadbd of the stack runs (its pid file names a live process)."""
    try:
        with open(os.path.join(lib.STACK, "run", "mysqld.pid")) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _err_log():
    return os.path.join(lib.STACK, "log", "mariadb.err")


def _err_log_size():
    try:
        return os.path.getsize(_err_log())
    except OSError:
        return 0


def _db_crash_lines(offset):
    """[FATAL] / 'got signal' / assertion lines MariaDB wrote after offset: a crash (a clean
    shutdown writes none of them)."""
    try:
        with open(_err_log(), "rb") as f:
            f.seek(offset)
            text = f.read(4 << 20).decode("utf-8", "replace")
    except OSError:
        return []
    return [" ".join(ln.split())[:300] for ln in text.splitlines()
            if "[FATAL]" in ln or "got signal" in ln or "Assertion" in ln]


def _settle(timeout=30):
    """Wait until MariaDB runs no transaction of the app any more (a killed upload's rollback
    included) or is gone; what is left of a fault shows up before the verdict."""
    def settled():
        if not _db_alive():
            return True
        try:
            return _sql_ints("SELECT COUNT(*) FROM information_schema.innodb_trx t"
                             " JOIN information_schema.processlist p"
                             " ON p.id = t.trx_mysql_thread_id WHERE p.user = 'tmcred'")[0] == 0
        except AssertionError:
            return not _db_alive()
    wait_until(settled, timeout=timeout, interval=0.5)
    time.sleep(0.5)


def _ensure_db(what):
    """None if MariaDB runs, else (after starting it again) what was found."""
    if _db_alive():
        return None
    return _crash_problem(max(0, _err_log_size() - (256 << 10)),
                          "before %s began (it was not running)" % what)


def _crash_problem(offset, what):
    """None, or what MariaDB's crash looked like (and MariaDB is started again)."""
    lines = _db_crash_lines(offset)
    alive = _db_alive()
    if alive and not lines:
        return None
    msg = "MARIADB %s %s (log/mariadb.err: %s)" % (
        "CRASHED" if lines else "IS NOT RUNNING", what, " / ".join(lines[-3:]) or "no crash lines")
    if not alive:
        _stack("db-start")
        ok, info = _healthz_ok(30)
        if not ok:
            msg += "; after db-start /healthz is still not 200 (last %r)" % (info,)
    return msg


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


def _resend_until_201(key, body, kind, rows, what, problems):
    """Re-send the same file until 201 within RETRY_WINDOW.  503 with a retryable code is
    waited out; another 5xx is a problem (recorded) but re-sent too, so that the counts are
    still checked; a 4xx ends it.  Returns (report json, attempts, seconds)."""
    t0 = time.monotonic()
    deadline = t0 + RETRY_WINDOW
    attempts = []
    while True:
        t1 = time.monotonic()
        try:
            r = upload(key, body, kind=kind, mode="atomic",
                       timeout=min(UPLOAD_WAIT, max(20.0, deadline - t1)))
        except lib.TestFailure as e:   # no answer in time, connection refused, ...
            attempts.append("no answer (%s) after %.1f s" % (" ".join(str(e).split())[-60:],
                                                            time.monotonic() - t1))
            check(time.monotonic() < deadline - 5, "%s: re-sending for %.0f s never got 201 "
                  "(answers: %s); the app's transactions in MariaDB now: %s"
                  % (what, RETRY_WINDOW, _squeeze(attempts), _trx_snapshot()))
            continue
        attempts.append("%s in %.1f s" % (_status(r), time.monotonic() - t1))
        if r.status == 201:
            j = report(r, 201, "%s: re-sent upload" % what, kind=kind, mode="atomic",
                       st="accepted", rows=rows, rejected=0)
            return j, _squeeze(attempts), time.monotonic() - t0
        p = _retryable_problem(r, "%s: re-sent upload #%d" % (what, len(attempts)))
        if p:
            check(r.status >= 500, p)
            problems.append(p)
        check(_db_alive(), "%s: MariaDB is no longer running (answers to the re-sent upload: %s)"
              % (what, _squeeze(attempts)))
        check(time.monotonic() < deadline - 5, "%s: re-sending for %.0f s never got 201 "
              "(answers: %s; last %s); the app's transactions in MariaDB now: %s"
              % (what, RETRY_WINDOW, _squeeze(attempts), r.short(), _trx_snapshot()))
        try:
            time.sleep(min(max(float(r.header("Retry-After") or 1), 0.5), 5.0))
        except ValueError:
            time.sleep(1.0)


def _squeeze(items):
    """'a, b x3, c': repeated neighbours counted."""
    out = []
    for it in items:
        if out and out[-1][0] == it:
            out[-1][1] += 1
        else:
            out.append([it, 1])
    return ", ".join(it if n == 1 else "%s x%d" % (it, n) for it, n in out)


def _healthz_ok(timeout):
    return wait_until(lambda: _healthz_status() == 200, timeout=timeout, interval=0.25)


def _healthz_status():
    return lib.Client().get("/healthz", timeout=5, record=False).status


def _warm():
    """Every worker answers /healthz 200 (a worker notices a dead DB connection there and
    reconnects on its next request), so that an upload meets no connection left over from
    an earlier restart."""
    want = 2 * len(_children(_master_pid())) + 2
    run = [0]

    def ok():
        run[0] = run[0] + 1 if _healthz_status() == 200 else 0
        return run[0] >= want
    done, info = wait_until(ok, timeout=15, interval=0.05)
    check(done, "/healthz did not answer 200 %d times in a row within 15 s (last %r)"
          % (want, info))


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
    problems = [p for p in [_ensure_db("the SIGKILL test")] if p]
    _warm()
    _quiet()
    off = _err_log_size()
    try:
        _sigkill_scenario(problems)
    except lib.TestFailure as e:
        problems.append(str(e))
    finally:
        _settle()
        crash = _crash_problem(off, "during the SIGKILL test (re-sent 100k upload beside the "
                               "killed one's transaction)")
        if crash:
            problems.insert(0, crash)
    check(not problems, " | ".join(problems))


def _sigkill_scenario(problems):
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
    check(before_rows[0] == 0, "fresh persons already have %d records on those days"
          % before_rows[0])

    # The upload; the kill lands once its transaction has stored a quarter of its rows in
    # training_records (atomic hours go there chunk by chunk, with no staging: the batch row
    # and 25,000 records), or its INSERT INTO training_records has run for STORE_WAIT s
    # (innodb_trx may show no rows for a while), or it empties a staging table (every row
    # stored, not committed): where a half-stored batch would show.
    up = _Upload(key, body, "hours")
    t_start = time.monotonic()
    up.start()
    check(up.sent.wait(30), "the 100k-row body was not sent within 30 s")
    cpu0 = {w: _cpu_ticks(w) for w in _children(master)}
    kill_at = 1 + BIG_ROWS // 4
    seen_rows = seen_sql = store_seen = None
    victims = []
    poll_deadline = time.monotonic() + UPLOAD_WAIT
    while up.is_alive() and time.monotonic() < poll_deadline:
        seen_rows, seen_sql = _open_trx()
        storing = (seen_sql or "").startswith("INSERT INTO training_records")
        if storing and store_seen is None:
            store_seen = time.monotonic()
        if seen_rows is not None and (
                seen_rows >= kill_at or (seen_sql or "").startswith("DELETE FROM batch_rows")
                or (storing and time.monotonic() - store_seen >= STORE_WAIT)):
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
    _note("SIGKILL %s %.2f s after the body was sent (open transaction had written %s rows, "
          "of %d; running %r); first answer %s after %.2f s"
          % ("worker(s) %s" % victims if victims else "NOT sent (upload finished first)",
             t_kill - up.sent_at, seen_rows, BIG_ROWS, seen_sql, _status(r),
             up.done_at - t_start))

    first = None
    if r.status == 201:
        first = report(r, 201, "first upload (the kill came too late)", kind="hours",
                       st="accepted", rows=BIG_ROWS, rejected=0)
        if first["accepted"] != BIG_ROWS:
            problems.append("first upload answered 201 with accepted %d (expected %d): %s"
                            % (first["accepted"], BIG_ROWS, brief(first)))
        if killed_mid:
            _note("the worker was killed after its transaction was seen open (%s rows written), "
                  "yet the client got 201: it committed in between; the counts below decide"
                  % seen_rows)
    elif 200 <= r.status < 300:
        problems.append("a 2xx other than 201 for the interrupted upload: %s" % r.short())
    else:
        p = _retryable_problem(r, "upload whose worker was killed")
        if p:
            problems.append(p)

    # the master replaced the victim(s) and the service answers again
    if victims:
        def replaced():
            c = _children(master)
            return c if not set(victims) & c and len(c) >= len(workers) else None
        now, _ = wait_until(replaced, timeout=10, interval=0.1)
        if not now:
            problems.append("killed worker(s) %s not replaced within 10 s (children of %d: %s)"
                            % (victims, master, sorted(_children(master))))
        for v in victims:
            if _is_zombie(v):
                problems.append("killed worker %d left as a zombie" % v)
    ok, info = _healthz_ok(15)
    check(ok, "/healthz not 200 within 15 s after the kill (last %r); %s"
          % (info, " | ".join(problems)))

    # re-send the same file until 201, right away as a client would: the killed worker's
    # statement may still run in MariaDB and its transaction then rolls back beside the re-send
    j, attempts, dt = _resend_until_201(key, body, "hours", BIG_ROWS, "100k hours after SIGKILL",
                                        problems)
    _note("re-send: answers %s, 201 after %.2f s: accepted %d, unchanged %d"
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
    if (g.get("accepted"), g.get("unchanged"), g.get("rows")) != (j["accepted"], j["unchanged"],
                                                                  BIG_ROWS):
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
                        % (BIG_PERSONS, n, nk, nat, hx2, BIG_ROWS, BIG_ROWS, BIG_ROWS,
                           2 * BIG_ROWS))
    if nb != 1:
        problems.append("the 100k rows come from %d batches (expected 1)" % nb)
    tot, dist = _sql_ints("SELECT COUNT(*), COUNT(DISTINCT natural_key) FROM training_records"
                          " WHERE source = 'batch'")
    if tot != dist or tot < BIG_ROWS:
        problems.append("training_records source='batch': %d rows, %d distinct natural keys"
                        % (tot, dist))
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


@test
def upload_faults_db_restart_mid_upload_no_false_2xx():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    problems = [p for p in [_ensure_db("the DB restart test")] if p]
    _warm()
    _quiet()
    off = _err_log_size()
    key = _key()
    pers = _registered_persons()
    sub = {"ppl": pers["ppl"][:DB_PERSONS], "lo": pers["lo"], "hi": pers["hi"]}
    rows = 8 * DB_PERSONS
    days = _days(60)
    body = _hours_file(sub["ppl"], days)
    check(_stored(sub, days)[0] == 0, "the persons already have records on the test's days")

    up = _Upload(key, body, "hours")
    t_start = time.monotonic()
    stopped = False
    seen_rows = None
    t_stop = None
    try:
        up.start()
        check(up.sent.wait(30), "the body was not sent within 30 s")
        # stop MariaDB once the upload's transaction has staged every row (it is checking or
        # storing them), or 0.5 s after it was first seen writing
        poll_deadline = time.monotonic() + UPLOAD_WAIT
        first_seen = None
        while up.is_alive() and time.monotonic() < poll_deadline:
            seen_rows = _open_trx_rows()
            if seen_rows and first_seen is None:
                first_seen = time.monotonic()
            if seen_rows and (seen_rows >= rows or time.monotonic() - first_seen >= 0.5):
                t_stop = time.monotonic()
                stopped = True
                _stack("db-stop")
                break
            time.sleep(0.03)
        t_stopped = time.monotonic()
        r = up.answer(t_start + UPLOAD_WAIT)
        if t_stop:
            _note("db-stop began %.2f s after the body was sent (the upload's open transaction "
                  "had written %s of %d rows) and took %.2f s; answer %s after %.2f s"
                  % (t_stop - up.sent_at, seen_rows, rows, t_stopped - t_stop, _status(r),
                     up.done_at - t_start))
        else:
            _note("the DB stop did NOT land inside the upload (it was answered %s after %.2f s "
                  "before an open transaction was seen): only the answer is checked"
                  % (_status(r), up.done_at - t_start))
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
            problems.append("HALF-STORED: the upload cut by the DB stop left %d of %d rows"
                            % (n, rows))

    j, attempts, dt = _resend_until_201(key, body, "hours", rows, "hours after DB restart",
                                        problems)
    _note("re-send after the restart: answers %s, 201 after %.2f s: accepted %d, unchanged %d"
          % (attempts, dt, j["accepted"], j["unchanged"]))
    if j["accepted"] + j["unchanged"] != rows:
        problems.append("re-sent upload: accepted %d + unchanged %d != %d"
                        % (j["accepted"], j["unchanged"], rows))
    if first is not None and j["unchanged"] != rows:
        problems.append("re-sending a file answered 201: unchanged %d (expected %d)"
                        % (j["unchanged"], rows))
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
    _settle()
    crash = _crash_problem(off, "during the DB restart test")
    if crash:
        problems.insert(0, crash)
    ok, info = _healthz_ok(10)
    check(ok, "/healthz not 200 at the end (last %r); %s" % (info, " | ".join(problems)))
    check(not problems, " | ".join(problems))


@test
def upload_faults_small_upload_after_faults():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    down = _ensure_db("the small upload test")
    check(down is None, down)
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
    g = json_ok(get(key, "/api/v1/batches/%d" % j["batch_id"]), 200,
                "GET /api/v1/batches/%d" % j["batch_id"])
    check((g.get("rows"), g.get("accepted"), g.get("unchanged")) == (3, 3, 0),
          "GET /api/v1/batches/%d: %r" % (j["batch_id"], g))
    check(j2["batch_id"] != j["batch_id"], "the re-sent file got the same batch id")
