#!/usr/bin/env bash
# tmcred's two cheapest routes beside the reference kit's ceiling and hello, in one run of the
# kit's own http.sh (../shared/bench/http.sh): same nginx, same wrk command lines, rounds
# interleaved, so the ratios are comparable with ../shared/bench/BASELINE.md.
#
#   bench/http.sh                                  64 connections (the issue's figures), ~4 min
#   THREADS=1 CONNS=1 ROUNDS=1 WARMUP=2s bench/http.sh     unloaded latency
#   bench/http.sh --report                         only redo the ratios from BENCH_RESULTS
#
# Targets (label=path): ceiling=/ceiling/ (nginx alone), hello=/hello/ (libfcgi, fixed 2-byte
# body, 2 processes under spawn-fcgi), hello_rw=/hr/ (the same hello behind the same kind of
# prefix rewrite as tmcred's: a control), hello_cl=/hcl/ (bench/ref/hello_cl.c: hello with a
# Content-Length header like tmcred's answers, which nginx then does not chunk: a control),
# version=/tm/api/v1/version (tmcred, no DB),
# healthz=/tm/healthz (tmcred, mysql_ping per request). tmcred runs as its prefork master with
# 2 workers (TM_WORKERS) on the kit's MariaDB (bench/tmcred-hook.sh); nginx maps /tm/X to X
# (bench/tmcred.nginx.conf). Every request is exactly GET <path>: the kit's wrk script appends a
# line of SERIALS to the path, and SERIALS here is one empty line.
#
# On a shared box, the kit's "other" column shows outside load per measurement; the ratios are
# also given over the "clean" rounds only (other <= CLEAN cores for both the target and hello).
#
# Knobs: the kit's (THREADS CONNS DURATION WARMUP ROUNDS ...), TARGETS, CLEAN (0.15), TM_WORKERS (2),
# TMCRED_BUILD (build dir, default TOP/build), BENCH_KIT (../shared/bench), BENCH_RUN
# (/tmp/tmb-http), BENCH_RESULTS (bench/results/http). Report: stdout and
# BENCH_RESULTS/tmcred-http.md (the kit's http.md plus the ratios to hello); raw wrk outputs
# beside it. Everything started is stopped on exit (the kit's stack.sh stop).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export BENCH_RUN=${BENCH_RUN:-/tmp/tmb-http}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/http}
export TARGETS=${TARGETS:-ceiling=/ceiling/ hello=/hello/ hello_rw=/hr/ hello_cl=/hcl/ version=/tm/api/v1/version healthz=/tm/healthz}
export BENCH_NGINX_EXTRA=$HERE/tmcred.nginx.conf
# The hook builds and starts the hello_cl control (2 processes, like hello), then tmcred.
export BENCH_HOOK="cc -O2 -Wall -Wextra -Werror -o \"\$RUN/bin/hello_cl\" \"$HERE/ref/hello_cl.c\" \$(pkg-config --cflags --libs fcgi) &&
	\"$BENCH_KIT/stack.sh\" fcgi hello_cl 2 \"\$RUN/bin/hello_cl\" && \"$HERE/tmcred-hook.sh\""
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac

die() { echo "bench/http.sh: $*" >&2; exit 1; }
[[ -x $BENCH_KIT/http.sh ]] || die "no reference kit at $BENCH_KIT (set BENCH_KIT)"
if [[ ${1:-} != --report ]]; then
	for b in tmcred-fcgi tmcred-ctl; do
		[[ -x $TMCRED_BUILD/$b ]] || die "missing $TMCRED_BUILD/$b (build first: see bench/README.md)"
	done
	# The kit needs these (php-fpm too: it starts its PHP references even when not measured).
	# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
	source "$TOP/scripts/lib.sh"
	ensure_packages wrk spawn-fcgi nginx-light mariadb-server libfcgi-dev libmariadb-dev php-fpm php-mysql curl pkg-config
fi

CLEAN=${CLEAN:-0.15}
if [[ ${1:-} != --report ]]; then
	mkdir -p "$BENCH_RESULTS"
	export SERIALS=$BENCH_RESULTS/paths.txt
	echo >"$SERIALS" # one empty "serial": GET <path> exactly
	"$BENCH_KIT/http.sh"
	cp "$BENCH_RUN/tmcred.build" "$BENCH_RESULTS/tmcred.build"
fi

# Ratios to hello: of the medians, and per round (the rounds interleave the targets, so a round's
# ratio compares measurements a few seconds apart).
ratios() {
	awk -v targets="$TARGETS" -v clean="$CLEAN" '
	function med(arr, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
		return arr[int((n + 1) / 2)]
	}
	{
		delete v
		for (i = 3; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
		k = $1; r = $2; n[k]++; rounds[r] = 1
		rps[k, r] = v["requests"] * 1e6 / v["duration_us"]; p99[k, r] = v["p99_us"] / 1000
		p50[k, r] = v["p50_us"] / 1000
		srv[k] += (v["cpu_nginx"] + v["cpu_app"] + v["cpu_db"]); app[k] += v["cpu_app"]
		oth[k, r] = v["cpu_other"]
	}
	END {
		if (!n["hello"]) exit
		nt = split(targets, tl, " ")
		for (i = 1; i <= nt; i++) {
			split(tl[i], kp, "="); k = kp[1]; c = 0
			for (r in rounds) if ((k, r) in rps) { c++; a[c] = rps[k, r] } R[k] = med(a, c)
			c = 0; for (r in rounds) if ((k, r) in rps) { c++; a[c] = p99[k, r] } P99[k] = med(a, c)
			c = 0; for (r in rounds) if ((k, r) in rps) { c++; a[c] = p50[k, r] } P50[k] = med(a, c)
			SRV[k] = srv[k] / n[k] * 1e6 / R[k]; APP[k] = app[k] / n[k] * 1e6 / R[k]
		}
		print "| target | req/s | req/s ÷ hello | per round | clean rounds: req/s ÷ hello, p99 ÷ hello (median) | p50 ms | p99 ms | p99 ÷ hello | server µs/req | app µs/req |"
		print "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= nt; i++) {
			split(tl[i], kp, "="); k = kp[1]; pr = ""; c = 0
			for (r = 1; (r in rounds); r++) {
				if (!((k, r) in rps) || !(("hello", r) in rps)) continue
				pr = pr (pr == "" ? "" : ", ") sprintf("%.3f", rps[k, r] / rps["hello", r])
				if (oth[k, r] <= clean && oth["hello", r] <= clean) { c++; a[c] = rps[k, r] / rps["hello", r]; b[c] = p99[k, r] / p99["hello", r] }
			}
			cr = c ? sprintf("%.3f, %.2f (%d of %d)", med(a, c), med(b, c), c, n[k]) : sprintf("none of %d", n[k])
			printf "| %s | %.0f | %.3f | %s | %s | %.2f | %.2f | %.2f | %.0f | %.0f |\n", k, R[k], R[k] / R["hello"], pr, cr,
				P50[k], P99[k], P99[k] / P99["hello"], SRV[k], APP[k]
		}
	}' "$BENCH_RESULTS/http.raw"
}

{
	echo
	echo "Ratios to hello (same run; per round = that round's target ÷ that round's hello; clean" \
		"rounds = those where neither the target's nor hello's measurement saw more than $CLEAN" \
		"cores of outside load, the kit's \"other\" column):"
	echo
	ratios
	echo
	echo "tmcred binary measured (copied to the run dir at start):"
	echo
	echo '```'
	cat "$BENCH_RESULTS/tmcred.build"
	echo '```'
} | tee "$BENCH_RESULTS/tmcred-ratios.md"
cat "$BENCH_RESULTS/http.md" "$BENCH_RESULTS/tmcred-ratios.md" >"$BENCH_RESULTS/tmcred-http.md"
