"""What a worker may remember between requests, and when it must forget it:
sessions (fcgi/session.h: a logout ends the session on every worker at once;
a change made in SQL lands within [session] cache_seconds), the
continuing-education rules (cached per worker, but checked against
ce_rules_version in the same statement as the ledger, so a change counts at
once for every ledger read from the database) and the ledger answers (kept
per worker for [credits] cache_seconds: a write served by this host drops
them at once on every worker, a change made in SQL lands within the bound),
and the idle deadline of a session ([session] idle_minutes), which use moves.

Each check makes its requests one after another on fresh connections: the
test stack runs two workers blocked in accept() on one socket, and the
kernel hands sequential connections to them in turn, so a run of ROUNDS
requests reaches both workers many times over."""

import datetime
import os
import time

from batches_common import stack_sql
from courses_common import add_record, reverse
from lib import (Client, api_error, check, login, registered_and_logged_in)

TESTS = []
ROUNDS = 20
# the default of [session] cache_seconds (db/config.c); the stack does not set it
CACHE_SECONDS = int(os.environ.get("TMCRED_SESSION_CACHE_SECONDS", "5"))
# the default of [credits] cache_seconds (db/config.c), likewise
CREDITS_CACHE_SECONDS = int(os.environ.get("TMCRED_CREDITS_CACHE_SECONDS", "5"))


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


def _until(sample, want, bound, what):
    """Polls sample(n) (n fresh requests) until 6 in a row give `want`, then checks that
    ROUNDS more do too (no worker flaps back); fails after bound + 3 s."""
    deadline = time.monotonic() + bound + 3
    last = None
    while time.monotonic() < deadline:
        last = sample(6)
        if last == [want] * 6:
            st = sample(ROUNDS)
            check(st == [want] * ROUNDS, "%s: flapping back, got %r" % (what, sorted(set(st))))
            return
        time.sleep(0.25)
    check(False, "%s: still %r after %d s (cache bound %d s)"
          % (what, sorted(set(last or [])), bound + 3, bound))


def _until_all(cookies, want, path, what):
    _until(lambda n: _statuses(cookies, path, n=n), want, CACHE_SECONDS, what)


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


def _rules(cookies, year, n=ROUNDS):
    out = []
    for _ in range(n):
        c = Client("fresh")
        c.cookies = dict(cookies)
        r = c.get("/api/v1/me/credits?year=%d" % year)
        check(r.status == 200, "credits %d: %s" % (year, r.short()))
        j = r.json()
        out.append((j["rule"]["effective_from"], float(j["rule"]["annual"]), float(j["required"])))
    return out


def _until_rules(cookies, year, want, what):
    _until(lambda n: _rules(cookies, year, n=n), want, CREDITS_CACHE_SECONDS, what)


@test
def ce_rule_change_counts_at_once_where_no_answer_is_cached():
    """Rules changed in SQL: a year no worker has answered yet is judged by the new rule at
    once (the version read with the ledger), a year a worker answered within cache_seconds.
    Rules far in the future (2090-2095) so no other test's year is judged by them."""
    c, _ = registered_and_logged_in("rules")
    cookies = dict(c.cookies)
    before = _rules(cookies, 2090)
    check(len(set(before)) == 1 and before[0][0] < "2090-01-01",
          "before: one rule in force, older than 2090: %r" % before[:3])
    if stack_sql("INSERT INTO ce_rules (region, effective_from, annual_hours_x2, professional_num,"
                 " professional_den, daily_cap_x2, minutes_per_hour, carry_over, note)"
                 " VALUES ('SH', '2090-01-01', 200, 2, 3, 16, 45, 0, 'integration test')") is None:
        return "SKIP needs TMCRED_STACK for SQL"
    new = ("2090-01-01", 100.0, 100.0)
    try:
        st = _rules(cookies, 2091)
        check(st == [new] * ROUNDS, "a new rule must count at once on every worker: %r" % sorted(set(st)))
        _until_rules(cookies, 2090, new, "2090, answered before the new rule")
        stack_sql("UPDATE ce_rules SET annual_hours_x2 = 220 WHERE region = 'SH'"
                  " AND effective_from = '2090-01-01'")
        changed = ("2090-01-01", 110.0, 110.0)
        st = _rules(cookies, 2092)
        check(st == [changed] * ROUNDS, "a changed rule must count at once on every worker: %r"
              % sorted(set(st)))
        _until_rules(cookies, 2090, changed, "2090, answered before the change")
        prev = _rules(cookies, 2089)
        check(prev == [before[0]] * ROUNDS, "2089 is still judged by the old rule: %r" % prev[:3])
    finally:
        stack_sql("DELETE FROM ce_rules WHERE region = 'SH' AND effective_from = '2090-01-01'")
    st = _rules(cookies, 2093)
    check(st == [before[0]] * ROUNDS, "a deleted rule must stop counting at once: %r" % sorted(set(st)))
    _until_rules(cookies, 2090, before[0], "2090 after the rule was deleted")


def _totals(cookies, year, n=ROUNDS, html=False):
    """The year's total as n fresh requests (both workers) give it, API or HTML face."""
    out = []
    for _ in range(n):
        c = Client("fresh")
        c.cookies = dict(cookies)
        if html:
            r = c.get("/me/credits?year=%d" % year)
            check(r.status == 200, "GET /me/credits: %s" % r.short())
            out.append(r.text)
        else:
            r = c.get("/api/v1/me/credits?year=%d" % year)
            check(r.status == 200, "credits %d: %s" % (year, r.short()))
            out.append(float(r.json()["total"]))
    return out


@test
def credits_answer_drops_at_once_after_a_write_through_this_host():
    """Every worker answered (and kept) the ledger; an admin's entry and its reversal,
    through this host, show on the very next request, on every worker, API and page."""
    t, ident = registered_and_logged_in("ccache")
    cookies = dict(t.cookies)
    y = datetime.date.today().year - 1
    st = _totals(cookies, y)
    check(st == [0.0] * ROUNDS, "a fresh trainee's %d: %r" % (y, st))
    r = add_record(ident["id_number"], "J-PRA-01", "4.5", "%d-05-06" % y, base="SH-STEX")
    check(r.status == 201, "POST /api/v1/records: %s" % r.short())
    st = _totals(cookies, y)
    check(st == [4.5] * ROUNDS, "after an admin entry, every worker at once: %r" % st)
    pages = _totals(cookies, y, n=6, html=True)
    check(all("4.5" in p for p in pages), "the /me/credits page must show the 4.5 学时 at once")
    rid = r.json()["id"]
    check(reverse(rid).status == 201, "reversal")
    st = _totals(cookies, y)
    check(st == [0.0] * ROUNDS, "after the reversal, every worker at once: %r" % st)


@test
def credits_written_in_sql_land_within_cache_seconds():
    """A change this host did not serve (SQL here; another worker host, tmcred-ctl) is
    bounded by [credits] cache_seconds, never kept longer."""
    t, ident = registered_and_logged_in("ccache2")
    cookies = dict(t.cookies)
    y = datetime.date.today().year - 1
    r = add_record(ident["id_number"], "J-PRA-01", "2", "%d-06-06" % y, base="SH-STEX")
    check(r.status == 201, "POST /api/v1/records: %s" % r.short())
    st = _totals(cookies, y)
    check(st == [2.0] * ROUNDS, "before: %r" % st)
    rid = r.json()["id"]
    # A second entry and its year's sums, as a writer on another worker host stores them
    # (courses/ledger_years.h); the table is append-only, so a new row rather than a change.
    if stack_sql("INSERT INTO training_records (person_id, course_id, base_id, hours_x2,"
                 " completed_on, subject, compulsory, source, source_ref, created_by)"
                 " SELECT person_id, course_id, base_id, 3, '%d-06-07', subject, compulsory,"
                 " 'admin', 'integration test', created_by FROM training_records WHERE id = %d;"
                 " INSERT INTO ledger_years (person_id, year, professional_x2, general_x2,"
                 " compulsory_x2) SELECT person_id, YEAR(completed_on),"
                 " SUM(IF(subject = 'professional', hours_x2, 0)),"
                 " SUM(IF(subject = 'general', hours_x2, 0)),"
                 " SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0))"
                 " FROM training_records WHERE person_id = (SELECT person_id FROM training_records"
                 " WHERE id = %d) AND YEAR(completed_on) = %d GROUP BY person_id, YEAR(completed_on)"
                 " ON DUPLICATE KEY UPDATE professional_x2 = VALUES(professional_x2),"
                 " general_x2 = VALUES(general_x2), compulsory_x2 = VALUES(compulsory_x2)"
                 % (y, rid, rid, y)) is None:
        return "SKIP needs TMCRED_STACK for SQL"
    _until(lambda n: _totals(cookies, y, n=n), 3.5, CREDITS_CACHE_SECONDS, "an entry made in SQL")


IDLE_SECONDS = 60 * int(os.environ.get("TMCRED_SESSION_IDLE_MINUTES", "30"))


def _idle_left(uid):
    """Seconds until each of the user's sessions ends for idleness, as MariaDB sees it."""
    out = stack_sql("SELECT TIMESTAMPDIFF(SECOND, NOW(), idle_until) FROM sessions"
                    " WHERE user_id = %d" % uid)
    return None if out is None else [int(x) for x in out.split()]


@test
def idle_session_ends_and_use_moves_its_deadline():
    """[session] idle_minutes (DEFAULT 30, ASVS 3.3.2): a login sets the deadline, use
    moves it (at most one UPDATE a minute), an idle one ends the session on every worker."""
    c, ident = registered_and_logged_in("idle")
    cookies = dict(c.cookies)
    uid = _user_id(c)
    left = _idle_left(uid)
    if left is None:
        return "SKIP needs TMCRED_STACK for SQL"
    check(len(left) == 1 and IDLE_SECONDS - 30 <= left[0] <= IDLE_SECONDS,
          "a new session's idle deadline: %r (want about %d s)" % (left, IDLE_SECONDS))

    # As if it had been idle for all but 100 s: the next read from MariaDB moves it.
    stack_sql("UPDATE sessions SET idle_until = NOW() + INTERVAL 100 SECOND WHERE user_id = %d"
              % uid)
    deadline = time.monotonic() + CACHE_SECONDS + 3
    while time.monotonic() < deadline:
        st = _statuses(cookies, n=6)
        check(st == [200] * 6, "a session 100 s from its idle end must still work: %r" % st)
        left = _idle_left(uid)
        if left[0] > IDLE_SECONDS - 70:
            break
        time.sleep(0.25)
    check(left[0] > IDLE_SECONDS - 70,
          "using the session must move its idle deadline within %d s: %r" % (CACHE_SECONDS, left))

    # Within a minute of the last move, use writes nothing (the UPDATE is once a minute).
    stack_sql("UPDATE sessions SET idle_until = NOW() + INTERVAL %d SECOND WHERE user_id = %d"
              % (IDLE_SECONDS - 30, uid))
    time.sleep(CACHE_SECONDS + 0.5)
    _statuses(cookies)
    left = _idle_left(uid)
    check(IDLE_SECONDS - 45 <= left[0] <= IDLE_SECONDS - 30,
          "a deadline moved less than a minute ago must be left alone: %r" % left)

    # Idle past its deadline: refused by every worker within the session cache bound.
    stack_sql("UPDATE sessions SET idle_until = NOW() - INTERVAL 1 SECOND WHERE user_id = %d" % uid)
    _until_all(cookies, 401, "/api/v1/me", "a session idle past its deadline")
    page = Client("idle-page")
    page.cookies = dict(cookies)
    r = page.get("/me")
    check(r.status == 303 and r.location_path() == "/login",
          "an idle session's page must send to the login: %s" % r.short())
    # A new login works, and the idle session's row is gone with it.
    c2 = Client("idle-again")
    login(c2, ident["email"], ident["password"])
    check(c2.get("/api/v1/me").status == 200, "a new login after an idle end")
    left = _idle_left(uid)
    check(len(left) == 1 and left[0] > IDLE_SECONDS - 70,
          "the login must drop the idle session's row and keep its own: %r" % left)
