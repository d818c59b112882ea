"""Fault tests, run last: MariaDB stopped and restarted under the running
workers, and a worker killed with SIGKILL.  They need $TMCRED_STACK."""

import os
import signal
import subprocess
import time

import lib
from lib import Client, check, identity, login, register, wait_until

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


LEAK_NEEDLES = ("mysql", "mariadb", "sqlstate", "/work/", "/tmp/", ".c:", "errno")


def _master_pid():
    path = os.path.join(lib.STACK, "run", "tmcred.pid")
    with open(path) as f:
        pid = int(f.read().strip())
    check(os.path.exists("/proc/%d" % pid), "master pid %d from %s is not running" % (pid, path))
    return pid


def _children(ppid):
    """Live (non-zombie) direct children of ppid, from /proc."""
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        rest = st.rsplit(")", 1)[1].split()
        state, pp = rest[0], int(rest[1])
        if pp == ppid and state != "Z":
            out.add(int(d))
    return out


def _is_zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def _stack(cmd, timeout=120):
    script = os.path.join(lib.TOP, "scripts", "stack")
    p = subprocess.run([script, cmd, lib.STACK], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    check(p.returncode == 0, "scripts/stack %s failed (rc %d): %s"
          % (cmd, p.returncode, p.stdout.decode("utf-8", "replace")[-800:]))


def _no_leak(r, what):
    low = r.body.decode("utf-8", "replace").lower()
    for n in LEAK_NEEDLES:
        check(n not in low, "%s: error body shows internals (%r): %s" % (what, n, r.short()))


@test
def db_down_then_back():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    master = _master_pid()
    workers = _children(master)
    check(workers, "master %d has no worker children" % master)

    ident = identity("dbdown")
    register(Client(), ident)
    sess = Client("dbdown")
    login(sess, ident["email"], ident["password"])

    problems = []
    _stack("db-stop")
    try:
        def healthz_down():
            r = Client().get("/healthz", timeout=12)
            return r if r.status == 503 else None

        t0 = time.monotonic()
        r, info = wait_until(healthz_down, timeout=20, interval=0.5)
        check(r is not None, "MariaDB stopped: /healthz never answered 503 within 20 s (last: %r)" % (info,))
        check(time.monotonic() - t0 < 20, "healthz took too long to notice")
        j = r.json()
        check(j.get("db") == "down", "/healthz 503 body should say \"db\":\"down\": %r" % j)
        _no_leak(r, "/healthz 503")

        # calls that need the DB answer 503 quickly with a JSON error, not a hang
        for label, fn in (
                ("POST /api/v1/session", lambda: Client().post_json(
                    "/api/v1/session", {"login": ident["email"], "password": ident["password"]}, timeout=15)),
                ("POST /api/v1/trainees", lambda: Client().post_json(
                    "/api/v1/trainees", identity("dbdown2"), timeout=15)),
                ("GET /api/v1/me", lambda: sess.get("/api/v1/me", timeout=15))):
            t1 = time.monotonic()
            try:
                r = fn()
            except AssertionError as ex:
                problems.append("%s while the DB is down: %s" % (label, ex))
                continue
            dt = time.monotonic() - t1
            if r.status != 503:
                problems.append("%s while the DB is down: expected 503, got %s" % (label, r.short()))
                continue
            try:
                e = r.json().get("error") or {}
                if not e.get("code") or not lib.has_cjk(e.get("message", "")):
                    problems.append("%s 503: not a JSON error with code and zh-CN message: %s" % (label, r.short()))
                _no_leak(r, label)
            except AssertionError as ex:
                problems.append(str(ex))
            if dt > 12:
                problems.append("%s took %.1f s to answer 503" % (label, dt))
        r = Client().get("/api/v1/version", timeout=10)
        if r.status != 200:
            problems.append("/api/v1/version needs no DB but answered %s" % r.short())
    finally:
        _stack("db-start")

    t0 = time.monotonic()
    r, info = wait_until(lambda: Client().get("/healthz", timeout=5, record=False).status == 200,
                         timeout=15, interval=0.25)
    dt = time.monotonic() - t0
    check(r, "MariaDB restarted: /healthz not 200 within 15 s (last: %r). Other problems: %s"
          % (info, " | ".join(problems)))
    if dt > 10:
        problems.append("/healthz took %.1f s (> 10 s) to come back after db-start" % dt)
    j = Client().get("/healthz").json()
    if j.get("db") != "ok":
        problems.append("/healthz after restart: %r" % j)

    master2 = _master_pid()
    workers2 = _children(master2)
    if master2 != master:
        problems.append("master pid changed %d -> %d" % (master, master2))
    if workers2 != workers:
        problems.append("workers changed across the DB outage: %s -> %s (they must reconnect, not be respawned)"
                        % (sorted(workers), sorted(workers2)))

    # DB work succeeds again on every worker: several logins and a registration
    for i in range(max(4, 2 * len(workers2))):
        r = login(Client(), ident["email"], ident["password"], expect=None)
        if r.status != 200:
            problems.append("login #%d after DB restart: %s" % (i + 1, r.short()))
            break
    r = sess.get("/api/v1/me")
    if r.status != 200:
        problems.append("session from before the outage after restart: %s" % r.short())
    r = Client().post_json("/api/v1/trainees", identity("dbback"))
    if r.status != 201:
        problems.append("registration after DB restart: %s" % r.short())
    check(not problems, " | ".join(problems))


@test
def worker_sigkill_respawned():
    if not lib.STACK:
        return "SKIP no TMCRED_STACK"
    master = _master_pid()
    before = _children(master)
    check(before, "master %d has no worker children" % master)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)

    def respawned():
        now = _children(master)
        return now if (victim not in now and len(now) >= len(before) and now - before) else None

    now, info = wait_until(respawned, timeout=10, interval=0.1)
    check(now, "worker %d killed: no replacement child of master %d within 10 s (children now %s)"
          % (victim, master, sorted(_children(master))))
    check(not _is_zombie(victim), "killed worker %d left as a zombie (not reaped)" % victim)
    check(os.path.exists("/proc/%d" % master), "master died")
    check(_master_pid() == master, "master pid changed")

    r, info = wait_until(lambda: Client().get("/healthz", timeout=5, record=False).status == 200,
                         timeout=10, interval=0.2)
    check(r, "/healthz not 200 within 10 s after the kill (last: %r)" % (info,))
    # every following request succeeds (spread over all workers)
    fails = []
    for i in range(30):
        r = Client().get("/healthz", timeout=5)
        if r.status != 200:
            fails.append("#%d %s" % (i, r.short()))
    ident = identity("respawn")
    r = Client().post_json("/api/v1/trainees", ident)
    if r.status != 201:
        fails.append("register: %s" % r.short())
    else:
        for i in range(2 * len(now)):
            r = login(Client(), ident["email"], ident["password"], expect=None)
            if r.status != 200:
                fails.append("login #%d: %s" % (i, r.short()))
                break
    check(not fails, "requests after respawn failed: %s" % "; ".join(fails[:10]))
