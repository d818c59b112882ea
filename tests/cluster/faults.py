"""Fault tests under load (issue 10): verifications and a bulk upload run through nginx while
a fault is injected; afterwards no answer may have been wrong, every uploaded row must be
stored exactly once, and full answers must be back within RECOVERY_LIMIT seconds of the end
of the fault.

    python3 tests/cluster/faults.py cluster DIR   # DIR from scripts/cluster up: faults 1-3
    python3 tests/cluster/faults.py single DIR    # DIR from scripts/stack start: fault 4

Faults: (1) SIGKILL one worker (the busiest: the one storing the upload), (2) SIGKILL the
whole worker host of the busiest worker (master and workers), start it again 3 s later, (3) stop Galera node 2 (host 2's node) and start it again
3 s later, (4) stop the single MariaDB of the default setup and start it again 3 s later.

"Right" is what the same request answered before any fault (the baseline). During a fault a
502/503/504 is allowed and counted if it is retryable: under /api/ its JSON carries a
retryable code (service_unavailable, db_unavailable, batch_retry); a page (the QR link,
/healthz) has no code, its 5xx status says it. A broken connection is counted the same way; any other status, or a 2xx/4xx
with another verification status than the baseline, is a wrong answer and fails the test.
Every load loop is bounded by time (PHASE_SECONDS) and by count (MAX_REQUESTS).
Prints one "# faults: ..." line per fault with its figures and ends with
"RESULT passed=N failed=M".
"""

import datetime
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOAD_THREADS = 4
PHASE_SECONDS = 20.0          # load per fault, from before the fault to after its end
AFTER_FAULT = 8.0             # load goes on at least this long after the fault ends
MAX_REQUESTS = 40000          # per fault, all threads together
RECOVERY_LIMIT = 5.0          # s from the end of the fault to full answers
PERSONS = int(os.environ.get("FAULT_PERSONS", "3000"))
DAYS_PER_FAULT = 8            # x PERSONS hours rows per fault upload (1 学时 a day)
UPLOAD_RETRY_WINDOW = 120.0
RETRYABLE = ("service_unavailable", "db_unavailable", "batch_retry")
COURSES = ("J-PUB-01", "J-PRA-01", "J-POL-02")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华慧巧美"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
rng = random.SystemRandom()


def note(msg):
    print("# faults: %s" % msg, flush=True)


class Failed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)


# ------------------------------------------------------------------------------ environment


class Env:
    def __init__(self, mode, d):
        self.mode, self.dir = mode, d
        if mode == "cluster":
            env = self._assign(self._run(["scripts/cluster", "env", d]))
            self.url = env["TMCRED_URL"]
            demo_file = os.path.join(d, "demo.env")
        else:
            env = self._assign(self._run(["scripts/stack", "env", d]))
            self.url = env["TMCRED_URL"]
            demo_file = os.path.join(d, "demo.env")
        u = urllib.parse.urlsplit(self.url)
        self.host, self.port = u.hostname, u.port
        self.demo = {}
        with open(demo_file, encoding="utf-8") as f:
            for ln in f:
                m = re.match(r"^([A-Z_0-9]+)=(.*)$", ln.strip())
                if m:
                    self.demo[m.group(1)] = m.group(2).strip("'\"")

    @staticmethod
    def _run(argv, check_rc=True):
        p = subprocess.run(argv, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        if check_rc and p.returncode != 0:
            raise Failed("%s exited %d: %s" % (" ".join(argv), p.returncode, p.stderr[-600:]))
        return p.stdout

    @staticmethod
    def _assign(text):
        return dict(ln.split("=", 1) for ln in text.splitlines() if "=" in ln)

    def sql(self, q):
        if self.mode == "cluster":
            # causal: node 1 first applies what nodes 2 and 3 committed before this read
            argv = ["scripts/cluster", "sql", self.dir, "1", "-N", "-B", "-e",
                    "SET SESSION wsrep_sync_wait = 1; " + q]
        else:
            argv = ["scripts/stack", "sql", self.dir, "-N", "-B", "-e", q]
        return [ln.split("\t") for ln in self._run(argv).splitlines() if ln.strip()]

    def ints(self, q):
        rows = self.sql(q)
        check(len(rows) == 1, "SQL %r: one row expected, got %r" % (q, rows))
        return [int(v) for v in rows[0]]

    def action(self, *args):
        tool = "scripts/cluster" if self.mode == "cluster" else "scripts/stack"
        t0 = time.monotonic()
        self._run([tool, args[0], self.dir] + list(args[1:]))
        return time.monotonic() - t0


# ------------------------------------------------------------------------------ HTTP


def request(env, method, path, body=None, headers=None, timeout=30.0, conn=None):
    """(status, parsed JSON or None, raw body) or raises OSError/HTTPException."""
    c = conn or http.client.HTTPConnection(env.host, env.port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        j = None
        if r.getheader("Content-Type", "").startswith("application/json"):
            try:
                j = json.loads(data)
            except ValueError:
                j = None
        return r.status, j, data
    finally:
        if conn is None:
            c.close()


def code_of(j):
    if isinstance(j, dict) and isinstance(j.get("error"), dict):
        return j["error"].get("code")
    return None


def targets(env):
    """Verification requests with a stable answer: the demo certificates by the API and by
    their QR link, a forged signature, /healthz."""
    out = []
    for k in ("DEMO_CERT_URL", "DEMO_CERT_URL_EXPIRED", "DEMO_CERT_URL_SUSPENDED",
              "DEMO_CERT_URL_REVOKED"):
        url = env.demo.get(k)
        check(url, "demo.env has no %s" % k)
        m = re.search(r"/V/([^/]+)/([A-Z2-7]+)$", url)
        check(m, "odd %s %r" % (k, url))
        serial, tok = m.group(1), m.group(2)
        out.append("/api/v1/verify/%s?s=%s" % (serial, tok))
        out.append("/V/%s/%s" % (serial, tok))
    serial, tok = re.search(r"/V/([^/]+)/([A-Z2-7]+)$", env.demo["DEMO_CERT_URL"]).groups()
    forged = tok[:-4] + ("AAAA" if tok[-4:] != "AAAA" else "BBBB")
    out.append("/api/v1/verify/%s?s=%s" % (serial, forged))
    out.append("/healthz")
    return out


def answer_key(status, j):
    """What must not change: the HTTP status and, for a verification, its status field."""
    v = j.get("status") if isinstance(j, dict) else None
    return (status, v if isinstance(v, str) else None)


class Load:
    """LOAD_THREADS keep-alive clients cycling through the targets until stop() or the
    deadline, at most MAX_REQUESTS in all. Records (time, target, outcome) where outcome is
    "ok", "retryable" (5xx with a retryable code, refused connection) or "wrong"."""

    def __init__(self, env, baseline, deadline):
        self.env, self.baseline, self.deadline = env, baseline, deadline
        self.log = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(LOAD_THREADS)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join(40)

    def run(self):
        paths = list(self.baseline)
        conn = None
        while not self.stopped.is_set() and time.monotonic() < self.deadline:
            with self.lock:
                if len(self.log) >= MAX_REQUESTS:
                    return
            p = rng.choice(paths)
            if conn is None:
                conn = http.client.HTTPConnection(self.env.host, self.env.port, timeout=15)
            t = time.monotonic()
            try:
                st, j, _ = request(self.env, "GET", p, conn=conn)
                if st in (502, 503, 504):
                    # a page (the QR link, /healthz) has no error code: its 5xx status is
                    # the retryable answer; under /api/ the JSON code must say so too
                    page = not p.startswith("/api/")
                    outcome = "retryable" if code_of(j) in RETRYABLE or page else "wrong"
                    detail = "%d %s" % (st, code_of(j))
                elif answer_key(st, j) == self.baseline[p]:
                    outcome, detail = "ok", ""
                else:
                    outcome, detail = "wrong", "%r, expected %r" % (answer_key(st, j), self.baseline[p])
            except (OSError, http.client.HTTPException) as e:
                # nginx itself stays up in every fault: a broken client connection is a
                # failed request, retryable by the client, never a wrong answer
                outcome, detail = "retryable", type(e).__name__
                conn.close()
                conn = None
            with self.lock:
                self.log.append((t, p, outcome, detail))
        if conn is not None:
            conn.close()


# ------------------------------------------------------------------------------ data


def fresh_id():
    birth = datetime.date.today() - datetime.timedelta(days=rng.randint(20 * 366, 80 * 365))
    first17 = "31%04d%s%03d" % (rng.randint(0, 9999), birth.strftime("%Y%m%d"), rng.randint(0, 999))
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + "10X98765432"[s % 11]


def csv_body(header, rows):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def upload_until_stored(env, key, kind, body, window=UPLOAD_RETRY_WINDOW):
    """POSTs the batch with one Idempotency-Key until it answers 2xx; returns
    (final JSON, tries, [non-2xx answers seen])."""
    idem = "faults-%x" % rng.getrandbits(64)
    hdr = {"Authorization": "Bearer " + key, "Content-Type": "text/csv", "Idempotency-Key": idem}
    end = time.monotonic() + window
    seen, tries = [], 0
    while time.monotonic() < end:
        tries += 1
        try:
            st, j, raw = request(env, "POST", "/api/v1/batches?kind=%s&mode=atomic" % kind, body=body,
                                 headers=hdr, timeout=150)
        except (OSError, http.client.HTTPException) as e:
            seen.append(type(e).__name__)
            time.sleep(0.5)
            continue
        if 200 <= st < 300:
            return j, tries, seen
        check(st in (502, 503, 504) and code_of(j) in RETRYABLE,
              "upload answered %d %s (%r): not a retryable answer" % (st, code_of(j), raw[:200]))
        seen.append("%d %s" % (st, code_of(j)))
        time.sleep(0.5)
    raise Failed("upload not stored within %.0f s (answers: %s)" % (window, seen[-5:]))


class Persons:
    def __init__(self, env):
        self.env = env
        ids = set()
        while len(ids) < PERSONS:
            ids.add(fresh_id())
        self.ppl = [(i, rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))))
                    for i in sorted(ids)]
        before = env.ints("SELECT COALESCE(MAX(id), 0) FROM persons")[0]
        j, _, _ = upload_until_stored(env, env.demo["BASE_API_KEY"], "roster",
                                      csv_body(["id_number", "name"], self.ppl))
        check(j.get("accepted") == PERSONS, "roster: accepted %r of %d" % (j.get("accepted"), PERSONS))
        n, self.lo, self.hi = env.ints("SELECT COUNT(*), MIN(id), MAX(id) FROM persons WHERE id > %d" % before)
        check(n == PERSONS, "after the roster %d persons are new, not %d" % (n, PERSONS))

    def hours(self, first_back):
        days = [datetime.date.today() - datetime.timedelta(days=first_back + k) for k in range(DAYS_PER_FAULT)]
        rows = [(i, n, COURSES[(k + x) % len(COURSES)], "1", d.isoformat())
                for x, (i, n) in enumerate(self.ppl) for k, d in enumerate(days)]
        return csv_body(["id_number", "name", "course_code", "hours", "completed_on"], rows), days

    def stored(self, days):
        return self.env.ints(
            "SELECT COUNT(*), COUNT(DISTINCT natural_key), COUNT(DISTINCT person_id, course_id, completed_on)"
            " FROM training_records WHERE person_id BETWEEN %d AND %d AND completed_on BETWEEN '%s' AND '%s'"
            % (self.lo, self.hi, min(days).isoformat(), max(days).isoformat()))


# ------------------------------------------------------------------------------ faults


def worker_pids(env, h):
    with open(os.path.join(env.dir, "h%d" % h, "pid")) as f:
        master = int(f.read())
    kids = []
    for t in os.listdir("/proc/%d/task" % master):
        with open("/proc/%d/task/%s/children" % (master, t)) as f:
            kids += [int(x) for x in f.read().split()]
    return master, kids


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return int(v[11]) + int(v[12])
    except (OSError, IndexError, ValueError):
        return 0


def busiest_worker(env):
    """(host, worker pid) of the worker that used most CPU over the last 0.5 s: the one
    parsing and storing the upload (verifications are spread over all of them), so the
    fault lands in the middle of the upload."""
    pids = [(h, w) for h in (1, 2) for w in worker_pids(env, h)[1]]
    t0 = {w: cpu_ticks(w) for _, w in pids}
    time.sleep(0.5)
    return max(pids, key=lambda hw: cpu_ticks(hw[1]) - t0[hw[1]])


def fault_worker_kill(env):
    h, pid = busiest_worker(env)
    master, kids = worker_pids(env, h)
    os.kill(pid, 9)
    # over when the master has a full set of workers again
    end = time.monotonic() + 10
    while time.monotonic() < end:
        _, now = worker_pids(env, h)
        if pid not in now and len(now) >= len(kids):
            break
        time.sleep(0.05)
    return "SIGKILL the busiest worker (%d, host %d; its master respawns it)" % (pid, h)


def fault_host_kill(env):
    h, _ = busiest_worker(env)
    env.action("host-kill", str(h))
    time.sleep(3)
    env.action("host-start", str(h))
    return "SIGKILL host %d (the busiest worker's: master + workers), down 3 s, started again" % h


def fault_node_restart(env):
    t = env.action("node-stop", "2")
    time.sleep(3)
    t2 = env.action("node-start", "2")
    return "Galera node 2 stopped (%.1f s), down 3 s, started again (%.1f s to Synced)" % (t, t2)


def fault_db_restart(env):
    t = env.action("db-stop")
    time.sleep(3)
    t2 = env.action("db-start")
    return "MariaDB stopped (%.1f s), down 3 s, started again (%.1f s)" % (t, t2)


SERIAL_PERSONS = int(os.environ.get("FAULT_SERIAL_PERSONS", "200"))


def serials_two_nodes(env, persons):
    """Certificates issued at the same time through Galera nodes 1 and 2 (tmcred-ctl
    cert-import-many with host 1's and host 2's config, SERIAL_PERSONS persons each, both
    at full speed on the same serial_counters row: the worst case). The loser of a conflict
    gets 1213 at COMMIT (or is aborted mid-transaction) and db_tx retries. Every person ends
    with exactly one certificate (a refusal may only be retryable: db_busy / db_unavailable,
    and the refused are issued by a second pass, as a client would retry), and the (node,
    year, level) sequence stays gap- and duplicate-free."""
    # the persons' real ids: Galera steps auto-increments by the cluster size
    ids = [int(r[0]) for r in env.sql(
        "SELECT p.id FROM persons p WHERE p.id BETWEEN %d AND %d AND NOT EXISTS"
        " (SELECT 1 FROM certificates c WHERE c.person_id = p.id)" % (persons.lo, persons.hi))]
    check(len(ids) >= 2 * SERIAL_PERSONS, "only %d persons without a certificate" % len(ids))
    rng.shuffle(ids)
    half = [ids[:SERIAL_PERSONS], ids[SERIAL_PERSONS:2 * SERIAL_PERSONS]]
    day = datetime.date.today().isoformat()

    def conflicts():
        n = 0
        for node in ("1", "2"):
            out = Env._run(["scripts/cluster", "sql", env.dir, node, "-N", "-B", "-e",
                            "SHOW GLOBAL STATUS WHERE Variable_name IN"
                            " ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')"])
            n += sum(int(ln.split("\t")[1]) for ln in out.splitlines() if "\t" in ln)
        return n

    def run(hosts_ids):
        """cert-import-many on each (host, ids) at the same time (stdin from files, so
        neither waits for the other); [(stdout, stderr)]."""
        procs = []
        for h, lst in hosts_ids:
            f = open(os.path.join(env.dir, "serial-ids-%d" % h), "w+")
            f.write("".join("%d\n" % i for i in lst))
            f.seek(0)
            procs.append((subprocess.Popen(
                [os.path.join(TOP, "scripts/cluster"), "ctl", env.dir, str(h), "cert-import-many",
                 "junior", day], cwd=TOP, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True), f))
        outs = []
        for p, f in procs:
            out, err = p.communicate(timeout=900)
            f.close()
            outs.append((out, err))
        return outs

    c0 = conflicts()
    t0 = time.monotonic()
    outs = run([(1, half[0]), (2, half[1])])
    secs = time.monotonic() - t0
    c1 = conflicts()
    reasons = {}
    for _, err in outs:
        for ln in err.splitlines():
            m = re.search(r"certificate not issued: (\w+)", ln)
            if m:
                reasons[m.group(1)] = reasons.get(m.group(1), 0) + 1
    check(set(reasons) <= {"db_busy", "db_unavailable"},
          "refusals that are not retryable: %r" % reasons)
    first = sum(len(out.splitlines()) for out, _ in outs)
    # the refused ones again, as a client retries: through host 1 alone
    have = {int(r[0]) for r in env.sql(
        "SELECT person_id FROM certificates WHERE level = 'junior' AND person_id IN (%s)"
        % ",".join(str(i) for i in ids[:2 * SERIAL_PERSONS]))}
    missing = [i for i in ids[:2 * SERIAL_PERSONS] if i not in have]
    check(len(missing) == 2 * SERIAL_PERSONS - first,
          "%d printed serials but %d persons without a certificate" % (first, len(missing)))
    if missing:
        outs += run([(1, missing)])
    year = datetime.date.today().year
    rows = env.sql("SELECT CAST(SUBSTRING(serial, 14, 6) AS UNSIGNED) FROM certificates"
                   " WHERE serial LIKE 'TM-SH-%d-J-%%' ORDER BY 1" % year)
    seqs = [int(r[0]) for r in rows]
    last = env.ints("SELECT last_seq FROM serial_counters WHERE node = 'SH' AND year = %d AND level = 'junior'" % year)[0]
    check(seqs == list(range(1, len(seqs) + 1)), "serial sequence has gaps or duplicates: %d serials, "
          "first gaps/dups near %r" % (len(seqs), [s for i, s in enumerate(seqs) if s != i + 1][:5]))
    check(last == len(seqs), "serial_counters.last_seq %d, but %d serials" % (last, len(seqs)))
    printed = [ln.split()[0] for out, _ in outs for ln in out.splitlines()]
    check(len(printed) == 2 * SERIAL_PERSONS and len(set(printed)) == len(printed),
          "%d serials printed (%d distinct) for %d persons" % (len(printed), len(set(printed)), 2 * SERIAL_PERSONS))
    n = env.ints("SELECT COUNT(*) FROM certificates WHERE level = 'junior' AND person_id IN (%s)"
                 % ",".join(str(i) for i in ids[:2 * SERIAL_PERSONS]))[0]
    check(n == 2 * SERIAL_PERSONS, "%d persons have a certificate, not %d" % (n, 2 * SERIAL_PERSONS))
    note("serials: %d certificates issued at once through nodes 1 and 2 in %.1f s, %d Galera "
         "certification failures + brute-force aborts (retried by db_tx); refused on the first "
         "pass: %s, issued by a second pass through host 1; sequence 1..%d without gaps or "
         "duplicates, last_seq %d" % (2 * SERIAL_PERSONS, secs, c1 - c0, reasons or "none",
                                      len(seqs), last))


FAULTS = {
    "cluster": [("worker_kill", fault_worker_kill), ("host_kill", fault_host_kill),
                ("node_restart", fault_node_restart)],
    "single": [("db_restart", fault_db_restart)],
}


def baseline_of(env, paths):
    base = {}
    for p in paths:
        st, j, raw = request(env, "GET", p)
        check(st < 500, "baseline %s answered %d %r" % (p, st, raw[:200]))
        base[p] = answer_key(st, j)
    vs = sorted({v[1] for v in base.values() if v[1]})
    check({"valid", "expired", "suspended", "revoked", "forged"} <= set(vs),
          "baseline verification statuses %r lack some of valid/expired/suspended/revoked/forged" % vs)
    return base


def run_fault(env, persons, base, n, name, fn):
    body, days = persons.hours(10 + n * DAYS_PER_FAULT)
    expect = PERSONS * DAYS_PER_FAULT
    check(persons.stored(days)[0] == 0, "%s: rows already stored on its days" % name)
    t_start = time.monotonic()
    load = Load(env, base, t_start + PHASE_SECONDS + 30)
    load.start()
    up = {}

    def uploader():
        try:
            up["j"], up["tries"], up["seen"] = upload_until_stored(env, env.demo["BASE_API_KEY"], "hours", body)
        except Failed as e:
            up["err"] = str(e)
        up["done"] = time.monotonic()

    ut = threading.Thread(target=uploader, daemon=True)
    ut.start()
    time.sleep(1.0)              # the upload is being parsed/stored when the fault comes
    f0 = time.monotonic()
    what = fn(env)
    f1 = time.monotonic()
    # load until AFTER_FAULT past the end of the fault, and not before PHASE_SECONDS
    while time.monotonic() < max(f1 + AFTER_FAULT, t_start + PHASE_SECONDS):
        time.sleep(0.2)
    load.stop()
    ut.join(UPLOAD_RETRY_WINDOW + 30)
    check("done" in up, "%s: the upload did not finish" % name)
    check("err" not in up, "%s: %s" % (name, up.get("err")))
    stored = persons.stored(days)

    log = sorted(load.log)
    wrong = [x for x in log if x[2] == "wrong"]
    bad = [x for x in log if x[2] != "ok"]
    during = [x for x in bad if x[0] >= f0]
    last_bad = max((x[0] for x in bad), default=None)
    recovery = max(0.0, last_bad - f1) if last_bad is not None and last_bad >= f0 else 0.0
    after = [x for x in log if x[0] > f1]
    span = (log[-1][0] - log[0][0]) if len(log) > 1 else 1.0
    fig = ("%s: %s | %d requests (%.0f/s), %d not ok during the fault (%s), %d wrong, recovery "
           "%.2f s after the fault ended (fault lasted %.1f s) | upload of %d rows: %d tries (%s), "
           "answered %.1f s after start; stored %d rows, %d distinct" % (
               name, what, len(log), len(log) / span, len(during),
               ", ".join(sorted({x[3] for x in during}))[:160] or "none", len(wrong), recovery,
               f1 - f0, expect, up["tries"], ", ".join(up["seen"])[:120] or "first try 2xx",
               up["done"] - t_start, stored[0], stored[1]))
    note(fig)
    check(not wrong, "%s: %d wrong answers, e.g. %r" % (name, len(wrong), wrong[:3]))
    check(stored == [expect, expect, expect],
          "%s: stored (rows, distinct keys, distinct person/course/day) %r, expected %d each"
          % (name, stored, expect))
    check(recovery < RECOVERY_LIMIT, "%s: full answers only %.2f s after the fault" % (name, recovery))
    check(len(after) > 0 and all(x[2] == "ok" for x in after if x[0] > f1 + RECOVERY_LIMIT),
          "%s: answers still not ok %.0f s after the fault" % (name, RECOVERY_LIMIT))
    return fig


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in FAULTS:
        print(__doc__, file=sys.stderr)
        return 2
    env = Env(sys.argv[1], sys.argv[2])
    passed = failed = 0
    try:
        base = baseline_of(env, targets(env))
        t = time.monotonic()
        persons = Persons(env)
        note("%s: %d persons registered by one roster upload in %.1f s" % (env.mode, PERSONS, time.monotonic() - t))
    except Failed as e:
        note("FAIL setup: %s" % e)
        print("RESULT passed=0 failed=1", flush=True)
        return 1
    if env.mode == "cluster":
        try:
            serials_two_nodes(env, persons)
            passed += 1
            note("ok   serials")
        except Failed as e:
            failed += 1
            note("FAIL serials: %s" % e)
    for n, (name, fn) in enumerate(FAULTS[env.mode]):
        try:
            run_fault(env, persons, base, n + (3 if env.mode == "single" else 0), name, fn)
            passed += 1
            note("ok   %s" % name)
        except Failed as e:
            failed += 1
            note("FAIL %s: %s" % (name, e))
    print("RESULT passed=%d failed=%d" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
