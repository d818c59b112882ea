#!/usr/bin/env python3
"""tmcred integration tests over real HTTP.

Run by scripts/test with TMCRED_URL, TMCRED_STACK and TMCRED_TOP set.
Python 3 standard library only.  Prints `ok - name` / `not ok - name: reason`
per test and, as the very last line, `RESULT passed=N failed=M`; exits 1 if
any test failed.

Optional: TMCRED_IT_ONLY=substring runs only tests whose name contains it.
"""

import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib  # noqa: E402
import t_api  # noqa: E402
import t_html  # noqa: E402
import t_courses  # noqa: E402
import t_ledger  # noqa: E402
import t_batches  # noqa: E402
import t_batches_page  # noqa: E402
import t_certs  # noqa: E402
import t_statements  # noqa: E402
import t_global  # noqa: E402
import t_session_cache  # noqa: E402
import t_upload_faults  # noqa: E402
import t_faults  # noqa: E402
import t_assessment  # noqa: E402
import t_progress  # noqa: E402
import t_federation  # noqa: E402
import t_security  # noqa: E402

# Order matters: fault tests (which stop the DB and kill workers) run last,
# the global checks over every response seen run just before them.
MODULES = [t_api, t_html, t_courses, t_ledger, t_session_cache, t_batches, t_batches_page, t_assessment, t_certs, t_statements, t_progress,
           t_federation, t_security, t_global,
           t_upload_faults, t_faults]
PER_TEST_LIMIT = 180  # seconds; a hard bound on any one test


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test exceeded %d s" % PER_TEST_LIMIT)


def main():
    only = os.environ.get("TMCRED_IT_ONLY", "")
    signal.signal(signal.SIGALRM, _alarm)
    passed = failed = skipped = 0
    print("# tmcred integration tests against %s (stack %s)"
          % (lib.BASE_URL, lib.STACK or "-"), flush=True)
    for mod in MODULES:
        for fn in mod.TESTS:
            name = fn.__name__
            if only and only not in name:
                continue
            t0 = time.monotonic()
            signal.alarm(PER_TEST_LIMIT)
            try:
                res = fn()
                signal.alarm(0)
                dt = time.monotonic() - t0
                if isinstance(res, str) and res.startswith("SKIP"):
                    skipped += 1
                    print("ok - %s # %s" % (name, res), flush=True)
                else:
                    passed += 1
                    print("ok - %s (%.2fs)" % (name, dt), flush=True)
            except lib.TestFailure as e:
                signal.alarm(0)
                failed += 1
                msg = " ".join(str(e).split())
                print("not ok - %s: %s" % (name, msg[:2000]), flush=True)
            except Exception as e:  # noqa: BLE001
                signal.alarm(0)
                failed += 1
                tb = traceback.format_exc().strip().splitlines()
                where = tb[-3].strip() if len(tb) >= 3 else ""
                print("not ok - %s: %s: %s [%s]"
                      % (name, type(e).__name__, " ".join(str(e).split())[:1500],
                         where), flush=True)
    if lib.RATE_LIMITED[0]:
        print("# nginx rate-limited %d request(s); they were retried after waiting"
              % lib.RATE_LIMITED[0], flush=True)
    if skipped:
        print("# skipped=%d (not counted in passed)" % skipped, flush=True)
    print("RESULT passed=%d failed=%d" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
