#!/usr/bin/env bash
# Puts tmcred into a running reference-kit stack (../shared/bench/stack.sh start), beside the
# kit's references: a `tmcred` database and user in the kit's MariaDB, keys and migrations
# (keygen, migrate, signkey) through tmcred-ctl with a config written to RUN/tmcred.conf, then the tmcred-fcgi master
# (TM_WORKERS workers, default 2 = the kit's C_WORKERS) on RUN/tmcred.sock, started with
# `stack.sh daemon tmcred`, so that `stack.sh stop` ends it and the kit's CPU accounting counts
# the master and its workers (its children) as "app".
#
# Run by bench/http.sh and bench/rss.sh as the kit's BENCH_HOOK, with RUN/env exported (RUN,
# DB_SOCK, ...). The binaries are copied to RUN/bin first, so a rebuild of TMCRED_BUILD during a
# run cannot change what is measured; their sha256 goes to RUN/tmcred.build. TM_START=0 stops
# after the setup (bench/callgrind.sh starts tmcred-fcgi itself, under valgrind). TM_BASE_URL, if
# set, becomes [node] base_url (the base of the QR links tmcred issues; bench/verify.sh points it
# at the kit's nginx, e.g. HTTP://127.0.0.1:PORT/TM, so that the links it prints can be requested).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
KIT=${BENCH_KIT:-$TOP/../shared/bench}
BUILD=${TMCRED_BUILD:-$TOP/build}
WORKERS=${TM_WORKERS:-2}
: "${RUN:?run me from the kit: BENCH_HOOK with RUN/env exported}" "${DB_SOCK:?}"

die() { echo "tmcred-hook: $*" >&2; exit 1; }

for b in tmcred-fcgi tmcred-ctl; do
	[[ -x $BUILD/$b ]] || die "missing $BUILD/$b (build first: see bench/README.md)"
	cp "$BUILD/$b" "$RUN/bin/$b"
done
(cd "$RUN/bin" && sha256sum tmcred-fcgi tmcred-ctl && ls -l --time-style=+%FT%T tmcred-fcgi) >"$RUN/tmcred.build"

pw=$("$RUN/bin/tmcred-ctl" token)
[[ $pw =~ ^[A-Za-z0-9_-]{16,}$ ]] || die "unexpected output of tmcred-ctl token"
mariadb --defaults-file="$RUN/my.cnf" --user=root <<-SQL
	CREATE DATABASE tmcred CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	CREATE USER 'tmcred'@'localhost' IDENTIFIED BY '$pw';
	GRANT ALL PRIVILEGES ON tmcred.* TO 'tmcred'@'localhost';
SQL

(
	umask 077
	cat >"$RUN/tmcred.conf" <<-CONF
		; written by bench/tmcred-hook.sh for a benchmark run
		[server]
		socket = $RUN/tmcred.sock
		workers = $WORKERS
		templates = $TOP/fcgi/templates
		secure_cookies = 0
		[db]
		socket = $DB_SOCK
		user = tmcred
		password = $pw
		name = tmcred
		[keys]
		dir = $RUN/tmkeys
		[migrations]
		dir = $TOP/db/migrations
	CONF
	if [[ -n ${TM_BASE_URL:-} ]]; then
		printf '[node]\nbase_url = %s\n' "$TM_BASE_URL" >>"$RUN/tmcred.conf"
	fi
)
"$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf" keygen >>"$RUN/tmcred-ctl.log" 2>&1 || die "keygen failed; see $RUN/tmcred-ctl.log"
"$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf" migrate >>"$RUN/tmcred-ctl.log" 2>&1 || die "migrate failed; see $RUN/tmcred-ctl.log"
"$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf" signkey >>"$RUN/tmcred-ctl.log" 2>&1 || die "signkey failed; see $RUN/tmcred-ctl.log"

[[ ${TM_START:-1} == 1 ]] || exit 0
"$KIT/stack.sh" daemon tmcred "$RUN/bin/tmcred-fcgi" -c "$RUN/tmcred.conf"
master=$(awk '$1 == "tmcred" { p = $2 } END { print p }' "$RUN/pids")
for ((i = 0; i < 200; i++)); do # 20 s
	kill -0 "$master" 2>/dev/null || die "tmcred-fcgi exited; see $RUN/tmcred.log"
	n=$(awk -v m="$master" '{ sub(/.*\) /, ""); if ($2 == m) n++ } END { print n + 0 }' /proc/[0-9]*/stat 2>/dev/null || true)
	[[ -S $RUN/tmcred.sock && $n -ge $WORKERS ]] && exit 0
	sleep 0.1
done
die "tmcred-fcgi did not open $RUN/tmcred.sock with $WORKERS workers within 20 s; see $RUN/tmcred.log"
