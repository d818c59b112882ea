#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, user space only) of one tmcred worker for
# GET /api/v1/version and GET /healthz, and of the kit's libfcgi hello, through the same nginx.
# Instruction counts do not depend on what else runs on the machine, so this is the comparison
# to trust when the box is shared (bench/http.sh's req/s are not then). Kernel work (syscalls,
# socket wake-ups) is not counted: see the syscall counts in bench/README.md.
#
#   bench/callgrind.sh
#
# For each target, the process is started under callgrind twice, sent N1 and then N2 requests
# (one curl, keep-alive to nginx; nginx opens a new FastCGI connection per request, as in
# http.sh), and stopped; per request = (Ir at N2 - Ir at N1) / (N2 - N1), so start-up and
# shut-down cancel out. The N2 profile of each tmcred route is kept for callgrind_annotate.
#
# Knobs: N1 (1000) N2 (5000), TMCRED_BUILD, BENCH_KIT, BENCH_RUN (/tmp/tmb-cg), BENCH_RESULTS
# (bench/results/callgrind). Report: stdout and BENCH_RESULTS/callgrind.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export BENCH_RUN=${BENCH_RUN:-/tmp/tmb-cg}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/callgrind}
N1=${N1:-1000} N2=${N2:-5000}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac
((N2 > N1)) || { echo "callgrind.sh: N2 must be above N1" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$TOP/scripts/lib.sh"
ensure_packages valgrind spawn-fcgi nginx-light mariadb-server libfcgi-dev curl pkg-config
# shellcheck disable=SC2034 # read by the kit's lib.sh
BENCH_DIR=$BENCH_KIT
# shellcheck source=/dev/null
source "$BENCH_KIT/lib.sh" # start_stack (stopped on exit), build, die, need
need valgrind callgrind_annotate spawn-fcgi nginx mariadbd curl cc pkg-config

mkdir -p "$BENCH_RESULTS"
rm -f "$BENCH_RESULTS"/cg.* "$BENCH_RESULTS"/callgrind.md
export BENCH_NGINX_EXTRA=$HERE/tmcred.nginx.conf
start_stack
build hello fcgi
TM_START=0 TM_WORKERS=1 "$HERE/tmcred-hook.sh"
CG=(valgrind --tool=callgrind --quiet)

alive() { kill -0 "$1" 2>/dev/null && [[ $(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1) != Z ]]; }
stop_wait() { # PID: SIGTERM, wait up to 30 s (callgrind writes its file on the way out)
	kill -TERM "$1" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do alive "$1" || return 0; sleep 0.1; done
	die "process $1 did not stop"
}

# one LABEL PATH N: starts the target under callgrind, N requests, stop; prints the worker's Ir.
one() {
	local label=$1 path=$2 n=$3 pid out code ok i
	out=$BENCH_RESULTS/cg.$label.$n
	if [[ $label == hello ]]; then
		rm -f "$RUN/hello.sock"
		"$STACK" fcgi hello 1 "${CG[@]}" --callgrind-out-file="$out.%p" "$RUN/bin/hello"
		pid=$(tail -n 1 "$RUN/pids" | cut -d' ' -f2)
	else
		rm -f "$RUN/tmcred.sock"
		"$STACK" daemon tmcred "${CG[@]}" --callgrind-out-file="$out.%p" "$RUN/bin/tmcred-fcgi" -c "$RUN/tmcred.conf"
		pid=$(tail -n 1 "$RUN/pids" | cut -d' ' -f2)
	fi
	# Ready when it answers 200; that request (and any 200 before it) counts for N1 and N2 alike.
	for ((i = 0; i < 300; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$HTTP_URL$path" || true)
		[[ $code == 200 ]] && break
		sleep 0.1
	done
	[[ $code == 200 ]] || die "$label did not answer 200 under valgrind"
	# shellcheck disable=SC2046
	ok=$(timeout 300 curl -s -o /dev/null -w '%{http_code}\n' $(printf -- "-o /dev/null $HTTP_URL$path %.0s" $(seq "$n")) | grep -c '^200$' || true)
	((ok == n)) || die "$label: $ok of $n requests answered 200"
	stop_wait "$pid"
	# The worker's file: the one not named after the process we started (hello: the only one).
	local f="" c
	for c in "$out".*; do
		[[ $label == hello || $c != "$out.$pid" ]] && f=$c
	done
	[[ -n $f ]] || die "no callgrind output for $label"
	[[ $label == hello ]] || mv "$f" "$out.worker"
	[[ $label == hello ]] || f=$out.worker
	awk '/^(summary|totals):/ { print $2; exit }' "$f"
}

declare -A IR
for t in hello=/hello/ version=/tm/api/v1/version healthz=/tm/healthz; do
	label=${t%%=*} path=${t#*=}
	for n in "$N1" "$N2"; do
		echo "callgrind: $label, $n requests" >&2
		IR[$label,$n]=$(one "$label" "$path" "$n")
	done
done

# perfn [--inclusive=yes] LABEL: "Ir-per-request function" lines, from the N1 and N2 profiles.
perfn() {
	local opt=() label
	[[ $1 == --* ]] && { opt=("$1"); shift; }
	label=$1
	for n in "$N1" "$N2"; do
		f=$BENCH_RESULTS/cg.$label.$n.worker
		if [[ ! -f $f ]]; then for c in "$BENCH_RESULTS/cg.$label.$n".*; do f=$c; done; fi
		echo "== $n"
		callgrind_annotate --auto=no --threshold=100 "${opt[@]}" "$f" 2>/dev/null |
			sed -n '/file:function/,$p' | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\(.*\)$/\1 \2/p'
	done | awk -v n1="$N1" -v n2="$N2" '
		/^== / { cur = $2; next }
		{ v = $1; gsub(",", "", v); $1 = ""; fn = substr($0, 2); sub(/ \[.*\]$/, "", fn); ir[cur, fn] += v; fns[fn] = 1 }
		END { for (fn in fns) { d = (ir[n2, fn] - ir[n1, fn]) / (n2 - n1); if (d >= 1) printf "%.0f %s\n", d, fn } }' |
		sort -rn
}

{
	echo "Instructions (Ir, user space) per request of one worker, callgrind, ($N2 − $N1) requests" \
		"difference; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "| target | Ir per request | ÷ hello |"
	echo "| --- | ---: | ---: |"
	h=$(((IR[hello,$N2] - IR[hello,$N1]) / (N2 - N1)))
	for label in hello version healthz; do
		per=$(((IR[$label,$N2] - IR[$label,$N1]) / (N2 - N1)))
		echo "| $label | $per | $(awk -v a="$per" -v b="$h" 'BEGIN { printf "%.2f", a / b }') |"
	done
	perfn hello >"$BENCH_RESULTS/cg.hello.perreq"
	for label in version healthz; do
		perfn "$label" >"$BENCH_RESULTS/cg.$label.perreq"
		perfn --inclusive=yes "$label" >"$BENCH_RESULTS/cg.$label.perreq-inclusive"
		echo
		echo "$label: self Ir per request by function (top 20), beside hello's for the same function:"
		echo
		echo "| Ir/req $label | Ir/req hello | function |"
		echo "| ---: | ---: | --- |"
		awk 'NR == FNR { $1 = $1; h[substr($0, index($0, " ") + 1)] = $1; next }
			FNR <= 20 { fn = substr($0, index($0, " ") + 1); printf "| %d | %d | %s |\n", $1, h[fn], fn }' \
			"$BENCH_RESULTS/cg.hello.perreq" "$BENCH_RESULTS/cg.$label.perreq"
		echo
		echo "$label: inclusive Ir per request of tmcred's own functions and the libraries' entry points:"
		echo
		echo '```'
		grep -E ' (build/|\?\?\?:(json_|mysql_|FCGX_|sodium|crypto_))' "$BENCH_RESULTS/cg.$label.perreq-inclusive" |
			awk 'n++ < 30'
		echo '```'
	done
	echo
	echo '```'
	cat "$RUN/tmcred.build"
	echo '```'
} | tee "$BENCH_RESULTS/callgrind.md"
