"""What a worker may remember between requests, and when it must forget it:
sessions (fcgi/session.h: a logout ends the session on every worker at once;
a change made in SQL lands within [session] cache_seconds) and the
continuing-education rules (cached per worker, but checked against
ce_rules_version in the same statement as the ledger, so an admin's change
counts from the next request on, on every worker).

Each check makes its requests one after another on fresh connections: the
test stack runs two workers blocked in accept() on one socket, and the
kernel hands sequential connections to them in turn, so a run of ROUNDS
requests reaches both workers many times over."""

import os
import time

from batches_common import stack_sql
from lib import (Client, api_error, check, login, registered_and_logged_in)

TESTS = []
ROUNDS = 20
# the default of [session] cache_seconds (db/config.c); the stack does not set it
CACHE_SECONDS = int(os.environ.get("TMCRED_SESSION_CACHE_SECONDS", "5"))


def test(fn):
    TESTS.append(fn)
    return fn


def _statuses(cookies, path="/api/v1/me", n=ROUNDS):
    out = []
    for _ in range(n):
        c = Client("fresh")
        c.cookies = dict(cookies)
        out.append(c.get(path).status)
    return out


def _user_id(c):
    r = c.get("/api/v1/me")
    check(r.status == 200, "GET /api/v1/me: %s" % r.short())
    return int(r.json()["user_id"])


@test
def logout_ends_session_on_every_worker():
    c, _ = registered_and_logged_in("cache")
    cookies = dict(c.cookies)
    # every worker reads the session and keeps it
    st = _statuses(cookies)
    check(st == [200] * ROUNDS, "before logout, GET /api/v1/me answered %r" % st)
    r = c.request("DELETE", "/api/v1/session")
    check(r.status == 200, "DELETE /api/v1/session: %s" % r.short())
    # at once, on both workers, on connections opened after the logout answered
    st = _statuses(cookies)
    check(st == [401] * ROUNDS,
          "the logged-out cookie must be refused by every worker at once, got %r" % st)
    c2 = Client("replay")
    c2.cookies = dict(cookies)
    api_error(c2.get("/api/v1/me/credits"), 401, "unauthorized", "credits after logout")


@test
def logout_of_one_session_keeps_the_others():
    """The epoch drops every cached session; the others must still be read back live."""
    c, ident = registered_and_logged_in("cache2")
    other = Client("second")
    login(other, ident["email"], ident["password"])
    first = dict(c.cookies)
    st = _statuses(first) + _statuses(other.cookies)
    check(st == [200] * (2 * ROUNDS), "two sessions before logout: %r" % st)
    check(other.request("DELETE", "/api/v1/session").status == 200, "logout of the second")
    st = _statuses(first)
    check(st == [200] * ROUNDS, "the first session must live on after the second's logout: %r" % st)


def _until_all(cookies, want, path, what):
    """Polls until ROUNDS fresh requests all answer `want`; fails after cache_seconds + 3 s."""
    deadline = time.monotonic() + CACHE_SECONDS + 3
    last = None
    while time.monotonic() < deadline:
        last = _statuses(cookies, path, n=6)
        if last == [want] * 6:
            st = _statuses(cookies, path)
            check(st == [want] * ROUNDS, "%s: flapping back, got %r" % (what, st))
            return
        time.sleep(0.25)
    check(False, "%s: still %r after %d s (cache_seconds = %d)"
          % (what, last, CACHE_SECONDS + 3, CACHE_SECONDS))


@test
def status_change_in_sql_lands_within_cache_seconds():
    """/api/v1/me/credits, as GET /api/v1/me reads the user again by itself."""
    c, _ = registered_and_logged_in("cache3")
    cookies = dict(c.cookies)
    uid = _user_id(c)
    path = "/api/v1/me/credits"
    st = _statuses(cookies, path)
    check(st == [200] * ROUNDS, "before the change: %r" % st)
    if stack_sql("UPDATE users SET status = 'disabled' WHERE id = %d" % uid) is None:
        return "SKIP needs TMCRED_STACK for SQL"
    try:
        _until_all(cookies, 401, path, "a user disabled in SQL")
    finally:
        stack_sql("UPDATE users SET status = 'active' WHERE id = %d" % uid)
    _until_all(cookies, 200, path, "the user enabled again")


@test
def role_change_in_sql_lands_within_cache_seconds():
    c, _ = registered_and_logged_in("cache4")
    cookies = dict(c.cookies)
    uid = _user_id(c)
    st = _statuses(cookies, "/api/v1/me/credits")
    check(st == [200] * ROUNDS, "a trainee's credits before the change: %r" % st)
    if stack_sql("UPDATE users SET role = 'reviewer' WHERE id = %d" % uid) is None:
        return "SKIP needs TMCRED_STACK for SQL"
    try:
        _until_all(cookies, 403, "/api/v1/me/credits", "a trainee made reviewer in SQL")
    finally:
        stack_sql("UPDATE users SET role = 'trainee' WHERE id = %d" % uid)


def _rules(cookies, year):
    out = []
    for _ in range(ROUNDS):
        c = Client("fresh")
        c.cookies = dict(cookies)
        r = c.get("/api/v1/me/credits?year=%d" % year)
        check(r.status == 200, "credits %d: %s" % (year, r.short()))
        j = r.json()
        out.append((j["rule"]["effective_from"], float(j["rule"]["annual"]), float(j["required"])))
    return out


@test
def ce_rule_change_counts_from_the_next_request():
    """A rule far in the future (2090) so no other test's year is judged by it."""
    c, _ = registered_and_logged_in("rules")
    cookies = dict(c.cookies)
    year = 2090
    before = _rules(cookies, year)
    check(len(set(before)) == 1 and before[0][0] < "2090-01-01",
          "before: one rule in force, older than 2090: %r" % before[:3])
    if stack_sql("INSERT INTO ce_rules (region, effective_from, annual_hours_x2, professional_num,"
                 " professional_den, daily_cap_x2, minutes_per_hour, carry_over, note)"
                 " VALUES ('SH', '2090-01-01', 200, 2, 3, 16, 45, 0, 'integration test')") is None:
        return "SKIP needs TMCRED_STACK for SQL"
    try:
        st = _rules(cookies, year)
        check(st == [("2090-01-01", 100.0, 100.0)] * ROUNDS,
              "a new rule must count at once on every worker: %r" % sorted(set(st)))
        stack_sql("UPDATE ce_rules SET annual_hours_x2 = 220 WHERE region = 'SH'"
                  " AND effective_from = '2090-01-01'")
        st = _rules(cookies, year)
        check(st == [("2090-01-01", 110.0, 110.0)] * ROUNDS,
              "a changed rule must count at once on every worker: %r" % sorted(set(st)))
        prev = _rules(cookies, year - 1)
        check(prev == [before[0]] * ROUNDS, "2089 is still judged by the old rule: %r" % prev[:3])
    finally:
        stack_sql("DELETE FROM ce_rules WHERE region = 'SH' AND effective_from = '2090-01-01'")
    st = _rules(cookies, year)
    check(st == [before[0]] * ROUNDS, "a deleted rule must stop counting at once: %r" % sorted(set(st)))
