#!/usr/bin/env bash
# Worker memory of tmcred-fcgi over TOTAL (100,000) requests on a mix of routes, sampled from
# /proc every STEP (10,000) requests: VmRSS (the figure the issue bounds: <= 16 MiB per worker),
# RssAnon (heap and stacks: where a leak would show), VmHWM (peak). The target is met when every
# worker's VmRSS at TOTAL is <= MAX_RSS_KB and no worker's VmRSS or RssAnon grew between TOTAL/2
# and TOTAL.
#
#   bench/rss.sh
#
# The stack is the reference kit's (../shared/bench/stack.sh: its MariaDB and nginx) with tmcred
# added by bench/tmcred-hook.sh (master + TM_WORKERS=2 workers); nginx maps /tm/X to X and logs
# those requests only, so the number that reached tmcred is counted, not guessed. The mix
# (bench/mix.lua, in turn): GET /api/v1/version, GET /healthz, GET /login (template + CSRF
# cookie), GET /no/such/page (HTML 404), GET /api/v1/nope (JSON 404), POST /api/v1/session with
# malformed JSON (400), GET /api/v1/me with an unknown session cookie (prepared SELECT, 401),
# POST /login without CSRF token (403). Not in it: a real login (argon2id, 64 MiB for ~0.1 s):
# after the mix, LOGINS (20) real logins of a demo account (tmcred-ctl demo) are made one by one
# and the workers sampled again, to show what a login does to VmRSS and VmHWM (not part of the
# target, which is about the mix).
# Each step is one wrk run (-t 1 -c CONNS) that stops itself after STEP responses, bounded by
# `timeout` and -d 120s. The worker pids are checked to stay the same: a respawned worker
# would start small again and hide a leak.
#
# Knobs: TOTAL (100000) STEP (10000) CONNS (4) MAX_RSS_KB (16384) LOGINS (20) TM_WORKERS (2), TMCRED_BUILD,
# BENCH_KIT, BENCH_RUN (/tmp/tmb-rss), BENCH_RESULTS (bench/results/rss). Report: stdout and
# BENCH_RESULTS/rss.md; exit 1 if the target is missed. Everything started is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export BENCH_RUN=${BENCH_RUN:-/tmp/tmb-rss}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/rss}
TOTAL=${TOTAL:-100000} STEP=${STEP:-10000} CONNS=${CONNS:-4} MAX_RSS_KB=${MAX_RSS_KB:-16384}
TM_WORKERS=${TM_WORKERS:-2} LOGINS=${LOGINS:-20}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac
((TOTAL % STEP == 0 && (TOTAL / STEP) % 2 == 0)) || { echo "rss.sh: TOTAL must be an even multiple of STEP" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$TOP/scripts/lib.sh"
ensure_packages wrk nginx-light mariadb-server curl
# shellcheck disable=SC2034 # read by the kit's lib.sh
BENCH_DIR=$BENCH_KIT
# shellcheck source=/dev/null
source "$BENCH_KIT/lib.sh" # start_stack (stopped on exit), die, need
need wrk nginx mariadbd mariadb curl timeout

mkdir -p "$BENCH_RESULTS"
rm -f "$BENCH_RESULTS"/rss.*
# The kit's location for tmcred, plus an access log of its own.
sed 's|^\(\s*\)include fastcgi_params;|&\n\1access_log @RUN@/tm-access.log;|' "$HERE/tmcred.nginx.conf" \
	>"$BENCH_RESULTS/rss.nginx.conf"
export BENCH_NGINX_EXTRA=$BENCH_RESULTS/rss.nginx.conf
start_stack
"$HERE/tmcred-hook.sh"
LOGF=$RUN/tm-access.log
URL=$HTTP_URL/tm

master=$(awk '$1 == "tmcred" { p = $2 } END { print p }' "$RUN/pids")
children() { awk -v m="$master" '{ pid = $1; sub(/.*\) /, ""); if ($2 == m) print pid }' /proc/[0-9]*/stat 2>/dev/null | sort -n; }
st() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
read -r -a WORKERS <<<"$(children | tr '\n' ' ')"
((${#WORKERS[@]} == TM_WORKERS)) || die "expected $TM_WORKERS workers of $master, found: ${WORKERS[*]}"
declare -A START
for w in "${WORKERS[@]}"; do START[$w]=$(st "$w"); done

code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")
[[ $code == 200 ]] || die "GET /tm/healthz answered $code"
: >"$LOGF" # start counting from zero (nginx appends to the same open file)

count() { [[ -f $LOGF ]] && wc -l <"$LOGF" || echo 0; }

sample() { # REQUESTS: one line per worker into rss.samples
	local w f
	for w in "${WORKERS[@]}"; do
		[[ $(st "$w" 2>/dev/null) == "${START[$w]}" ]] || die "worker $w is gone or was replaced (see $RUN/tmcred.log)"
		f=$(awk '/^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM):/ { v[$1] = $2 }
			END { printf "VmRSS=%d RssAnon=%d RssFile=%d RssShmem=%d VmHWM=%d", v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"], v["VmHWM:"] }' "/proc/$w/status")
		echo "$1 $(count) $w $f" >>"$BENCH_RESULTS/rss.samples"
	done
}

sample 0
t0=$(date +%s)
for ((step = 1; step * STEP <= TOTAL; step++)); do
	want=$((step * STEP))
	# wrk's thread stops itself after STEP responses, but wrk's main thread sleeps out -d: once
	# the count has reached the step and stays put, SIGINT ends that sleep (wrk then reports).
	# -d and timeout only bound a stuck run.
	timeout 150 wrk -t 1 -c "$CONNS" -d 120s -s "$HERE/mix.lua" "$URL" -- "$STEP" \
		>"$BENCH_RESULTS/rss.wrk.$step.txt" 2>&1 &
	wrk_pid=$!
	last=-1
	for ((i = 0; i < 1300; i++)); do # 130 s
		c=$(count)
		((c >= want && c == last)) && break
		kill -0 "$wrk_pid" 2>/dev/null || break
		last=$c
		sleep 0.1
	done
	kill -INT "$wrk_pid" 2>/dev/null || true
	wait "$wrk_pid" || die "wrk failed in step $step; see $BENCH_RESULTS/rss.wrk.$step.txt"
	grep -q '^RESULT responses=' "$BENCH_RESULTS/rss.wrk.$step.txt" || die "no RESULT from wrk in step $step"
	sleep 0.2 # let nginx write the last log lines
	echo "step $step: $(count) requests reached tmcred ($(grep -h '^RESULT' "$BENCH_RESULTS/rss.wrk.$step.txt"))" >&2
	sample "$want"
done
t1=$(date +%s)

if ((LOGINS > 0)); then
	# shellcheck disable=SC1090
	source <("$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf" demo 2>>"$RUN/tmcred-ctl.log" | grep -E "^TRAINEE_(LOGIN|PASSWORD)='[^']*'$")
	[[ -n ${TRAINEE_LOGIN:-} && -n ${TRAINEE_PASSWORD:-} ]] || die "tmcred-ctl demo gave no trainee login"
	body=$(printf '{"login":"%s","password":"%s"}' "$TRAINEE_LOGIN" "$TRAINEE_PASSWORD")
	for ((i = 0; i < LOGINS; i++)); do
		code=$(curl -s -o "$BENCH_RESULTS/rss.login.body" -w '%{http_code}' -H 'Content-Type: application/json' \
			--data-binary "$body" "$URL/api/v1/session")
		[[ $code == 200 || $code == 201 ]] || die "login $((i + 1)) answered $code: $(head -c 300 "$BENCH_RESULTS/rss.login.body")"
	done
	rm -f "$BENCH_RESULTS/rss.login.body"
	sleep 0.2
	sample "$TOTAL+${LOGINS}_logins"
fi

grep -i -E 'respawn|killed|exited' "$RUN/tmcred.log" >"$BENCH_RESULTS/rss.tmcred-log" || true
# nginx's combined log: $6 = "METHOD, $7 = path, $9 = status
awk '{ m = substr($6, 2); c[m " " $7 " " $9]++ } END { for (k in c) printf "%s %d\n", k, c[k] }' "$LOGF" |
	sort >"$BENCH_RESULTS/rss.statuses"

{
	echo "tmcred-fcgi worker memory, $TOTAL requests in steps of $STEP (wrk -t 1 -c $CONNS, mix of" \
		"$(wc -l <"$BENCH_RESULTS/rss.statuses") route/status pairs), $TM_WORKERS workers, $((t1 - t0)) s;" \
		"$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	awk -v total="$TOTAL" -v max="$MAX_RSS_KB" -v half="$((TOTAL / 2))" '
	{ for (i = 4; i <= NF; i++) { split($i, p, "="); v[$1, $3, p[1]] = p[2] }
	  if (!($3 in seen)) { seen[$3] = 1; ws[++nw] = $3 } if (!($1 in st)) { st[$1] = 1; steps[++ns] = $1; reached[$1] = $2 } }
	END {
		printf "| requests sent (reached tmcred) |"; for (j = 1; j <= nw; j++) printf " worker %s VmRSS / RssAnon / VmHWM KiB |", ws[j]; print ""
		printf "| ---: |"; for (j = 1; j <= nw; j++) printf " ---: |"; print ""
		for (i = 1; i <= ns; i++) {
			s = steps[i]; lab = s; sub(/\+/, " + ", lab); sub(/_/, " ", lab); printf "| %s (%d) |", lab, reached[s]
			for (j = 1; j <= nw; j++) printf " %d / %d / %d |", v[s, ws[j], "VmRSS"], v[s, ws[j], "RssAnon"], v[s, ws[j], "VmHWM"]
			print ""
		}
		print ""
		ok = 1
		for (j = 1; j <= nw; j++) {
			w = ws[j]; r = v[total, w, "VmRSS"]; g = r - v[half, w, "VmRSS"]; ga = v[total, w, "RssAnon"] - v[half, w, "RssAnon"]
			printf "- worker %s: VmRSS %d KiB (%.2f MiB) after %d requests, %s %d KiB; growth over the last %d: VmRSS %+d KiB, RssAnon %+d KiB; RssFile %d KiB, RssShmem %d KiB\n",
				w, r, r / 1024, total, r <= max ? "within" : "OVER", max, total - half, g, ga, v[total, w, "RssFile"], v[total, w, "RssShmem"]
			if (r > max || g > 0 || ga > 0) ok = 0
		}
		print ""
		print (ok ? "Target met" : "Target MISSED") ": VmRSS <= " max " KiB per worker and no growth between " half " and " total " requests."
	}' "$BENCH_RESULTS/rss.samples"
	echo
	echo "Requests that reached tmcred, by method, path (as nginx got it) and status:"
	echo
	echo '```'
	cat "$BENCH_RESULTS/rss.statuses"
	echo '```'
	if [[ -s $BENCH_RESULTS/rss.tmcred-log ]]; then
		echo
		echo "tmcred log lines about workers ending (none expected):"
		sed 's/^/    /' "$BENCH_RESULTS/rss.tmcred-log"
	fi
	echo
	echo '```'
	cat "$RUN/tmcred.build"
	echo '```'
} | tee "$BENCH_RESULTS/rss.md"
grep -q '^Target met' "$BENCH_RESULTS/rss.md" || exit 1
