"""Demo logins (the first admin and the demo trainee) for the tests.

`scripts/stack ctl DIR demo` creates the admin, the demo trainee (李明, with
2024 met and 2025 not met) and the demo catalogue; it can run only ONCE per
stack, and the passwords are printed only then.  So the first caller runs it
and caches its output in $TMCRED_STACK/demo-logins.env (mode 0600, written
atomically, under an flock so parallel callers wait for the first one); every
later caller -- other integration modules, the browser runner -- reads that
file.

As a script (`python3 demo_logins.py`) it prints the cached KEY='value' lines,
creating them first if needed; tests/browser/run.js uses it that way.
"""

import fcntl
import os
import re
import subprocess
import sys

CACHE_NAME = "demo-logins.env"
KEYS = ("ADMIN_LOGIN", "ADMIN_PASSWORD", "TRAINEE_LOGIN", "TRAINEE_PASSWORD")
# Printed by newer `tmcred-ctl demo` (training bases; DEMO_CERT_* certificates, ...):
# every KEY='value' line is cached and passed on; tests that need one check for it.
EXTRA_KEYS = ("BASE_CODE", "BASE_LOGIN", "BASE_PASSWORD", "BASE_API_KEY")

_cached = {}


class DemoUnavailable(Exception):
    pass


def _stack_and_top():
    stack = os.environ.get("TMCRED_STACK", "")
    top = os.environ.get("TMCRED_TOP") or os.path.abspath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    return stack, top


def parse(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z_]+)='([^']*)'\s*$", line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def cache_path():
    stack, _ = _stack_and_top()
    return os.path.join(stack, CACHE_NAME) if stack else None


def logins():
    """dict with ADMIN_LOGIN, ADMIN_PASSWORD, TRAINEE_LOGIN, TRAINEE_PASSWORD
    and, when `tmcred-ctl demo` printed them, BASE_CODE, BASE_LOGIN,
    BASE_PASSWORD, BASE_API_KEY.
    Raises DemoUnavailable with a reason if they cannot be had."""
    if _cached:
        return dict(_cached)
    stack, top = _stack_and_top()
    if not stack:
        raise DemoUnavailable("TMCRED_STACK is not set: cannot run `scripts/stack ctl DIR demo`")
    path = os.path.join(stack, CACHE_NAME)
    lock = os.open(path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                d = parse(f.read())
        else:
            script = os.path.join(top, "scripts", "stack")
            try:
                p = subprocess.run([script, "ctl", stack, "demo"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=120)
            except subprocess.TimeoutExpired:
                raise DemoUnavailable("`scripts/stack ctl %s demo` did not finish in 120 s" % stack)
            out = p.stdout.decode("utf-8", "replace")
            if p.returncode != 0:
                raise DemoUnavailable(
                    "`scripts/stack ctl %s demo` failed (rc %d; it runs only once per stack and "
                    "%s does not exist): %s" % (stack, p.returncode, path,
                                                " ".join(p.stderr.decode("utf-8", "replace").split())[-400:]))
            d = parse(out)
            if all(k in d for k in KEYS):
                tmp = path + ".tmp.%d" % os.getpid()
                fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write("".join("%s='%s'\n" % (k, d[k]) for k in sorted(d)))
                os.rename(tmp, path)
    finally:
        os.close(lock)
    missing = [k for k in KEYS if not d.get(k)]
    if missing:
        raise DemoUnavailable("demo logins lack %s (cache %s)" % (", ".join(missing), path))
    _cached.update(d)
    return dict(d)


if __name__ == "__main__":
    try:
        d = logins()
    except DemoUnavailable as e:
        print("demo_logins: %s" % e, file=sys.stderr)
        sys.exit(1)
    sys.stdout.write("".join("%s='%s'\n" % (k, d[k]) for k in sorted(d)))
