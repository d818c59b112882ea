#!/usr/bin/env bash
# Certificate rendering per core: sign + QR PNG, and the printable PDF, single-threaded on one
# core (taskset -c 0), with references measured in the same run by the same program
# (bench/render_bench.c: Ed25519 signing alone, libqrencode alone, an empty cairo PDF).
# Targets (issue 7): sign + PNG >= 2,500 certificates/s per core, PDF >= 60/s per core.
# Rates are per CPU-second of the benchmark's thread (CLOCK_THREAD_CPUTIME_ID), with the wall
# rate beside them: on a shared box other processes also run on the pinned core.
#
#   bench/render.sh            ROUNDS (3) rounds of BENCH_SECS (5, whole) seconds per measurement
#
# Builds render_bench from the build's libtmcerts.a (TMCRED_BUILD, default build/; run make
# first), not from make check. Every loop is bounded by time and by MAX iterations (200000).
# Report: bench/results/render/render.md (git-ignored); the figures quoted are in bench/render.md.
# On a shared box run it under `flock /tmp/tmcred-heavy.lock bench/render.sh`.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${TMCRED_BUILD:-$TOP/build}
ROUNDS=${ROUNDS:-3}
BENCH_SECS=${BENCH_SECS:-5}
MAX=${MAX:-200000}
CORE=${CORE:-0}
OUT=$TOP/bench/results/render
mkdir -p "$OUT"
rm -f "$OUT"/round-*.txt

[[ -f $B/libtmcerts.a ]] || { echo "render.sh: $B/libtmcerts.a missing: build first" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=gnu17 -O2 -g -Wall -Wextra -Werror -I"$TOP" $(pkg-config --cflags cairo libqrencode) \
	"$TOP/bench/render_bench.c" "$B/libtmcerts.a" \
	$(pkg-config --libs libsodium libqrencode libpng pangocairo cairo zlib) -lm -o "$OUT/render_bench"

{
	echo "# render bench $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?'), core $CORE," \
		"$ROUNDS rounds x ${BENCH_SECS}s per measurement, $(nproc) CPUs, $(uname -r)"
	echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/render.md"

for ((r = 1; r <= ROUNDS; r++)); do
	echo "== round $r" >&2
	timeout -k 5 $((BENCH_SECS * 12 + 60)) taskset -c "$CORE" "$OUT/render_bench" "$BENCH_SECS" "$MAX" |
		tee "$OUT/round-$r.txt" >&2
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/render.md"

# median per measurement over the rounds, then the ratios and the targets
cat "$OUT"/round-*.txt | awk -v rounds="$ROUNDS" '
	$1 != "pdf_first" { n[$1]++; v[$1, n[$1]] = $5; w[$1, n[$1]] = $9; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	$1 == "pdf_first" { first = $6 }
	function medianw(name,   i, j, t, a, c) {
		c = n[name]
		for (i = 1; i <= c; i++) a[i] = w[name, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	function median(name,   i, j, t, a, c) {
		c = n[name]
		for (i = 1; i <= c; i++) a[i] = v[name, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	END {
		printf "\n| measurement | per CPU-second (median of %d) | µs of CPU each | per wall second (median) |\n|---|---:|---:|---:|\n", rounds
		for (i = 1; i <= k; i++) { m[order[i]] = median(order[i]); printf "| %s | %.1f | %.1f | %.1f |\n", order[i], m[order[i]], 1e6 / m[order[i]], medianw(order[i]) }
		printf "| pdf_first (first PDF of a process, once) | – | %.0f |\n", first
		printf "\n| ratio | value |\n|---|---:|\n"
		printf "| sign_png / sign | %.3f |\n", m["sign_png"] / m["sign"]
		printf "| sign_png / qrencode | %.3f |\n", m["sign_png"] / m["qrencode"]
		printf "| 1/sign + 1/qrencode + 1/png, µs (sum of the parts) | %.1f |\n", 1e6 / m["sign"] + 1e6 / m["qrencode"] + 1e6 / m["png"]
		printf "| pdf / pdf_empty | %.4f |\n", m["pdf"] / m["pdf_empty"]
		printf "| pdf / sign_png | %.4f |\n", m["pdf"] / m["sign_png"]
		printf "\n| target | measured | met |\n|---|---:|---|\n"
		printf "| sign + QR PNG ≥ 2,500/s per core | %.0f | %s |\n", m["sign_png"], m["sign_png"] >= 2500 ? "yes" : "**no**"
		printf "| PDF ≥ 60/s per core | %.1f | %s |\n", m["pdf"], m["pdf"] >= 60 ? "yes" : "**no**"
	}' >>"$OUT/render.md"
cat "$OUT/render.md"
