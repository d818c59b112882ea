#!/usr/bin/env bash
# Issue 10, scaling figures on this box (loopback only), in one run:
#
# 1. Verify req/s through one nginx with one worker host vs two (scripts/cluster: 3 Galera
#    nodes, hosts of TM_WORKERS workers each, host h on node h). CERTS certificates are made
#    through host 1 (persons by one INSERT ... SELECT, then tmcred-ctl cert-import-many), and
#    wrk (bench/cluster.lua, a random certificate per request, GET /api/v1/verify/SERIAL?s=TOKEN)
#    runs THREADS x CONNS for DURATION after WARMUP, ROUNDS rounds interleaving the setups:
#      one    nginx upstream = host 1 only (host 2 stopped)
#      two    nginx upstream = hosts 1 and 2
#      one4   host 1 alone with 2 x TM_WORKERS workers (as many processes as "two")
#    The machine's busy fraction (/proc/stat) is recorded for each measurement, and how busy
#    it was just before (other load on the box).
# 2. Bulk upload into Galera vs single MariaDB: the same hours upload (UP_PERSONS persons x 8
#    days, 1 学时 a day; POST /api/v1/batches?kind=hours, atomic) through the cluster and
#    through a single-node stack (scripts/stack, the default setup), UP_ROUNDS each, fresh days
#    each time, wall time of the POST (201 required); median rows/s and the ratio.
#
#   flock /tmp/tmcred-heavy.lock bench/cluster.sh        ~6 min on a quiet box
#
# Knobs: CERTS (5000) TM_WORKERS (2) THREADS (2) CONNS (64) DURATION (10s) WARMUP (3s)
# ROUNDS (3) UP_PERSONS (5000) UP_ROUNDS (3) QUIET_WAIT (10 s for the box to be < 10 % busy)
# BENCH_RESULTS (bench/results/cluster). Report: stdout and BENCH_RESULTS/cluster.md.
# Everything started is stopped and deleted on exit.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
CERTS=${CERTS:-5000} TM_WORKERS=${TM_WORKERS:-2} THREADS=${THREADS:-2} CONNS=${CONNS:-64}
DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s} ROUNDS=${ROUNDS:-3}
UP_PERSONS=${UP_PERSONS:-5000} UP_ROUNDS=${UP_ROUNDS:-3} QUIET_WAIT=${QUIET_WAIT:-10}
RES=${BENCH_RESULTS:-$HERE/results/cluster}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export TMCRED_VERIFY_RATE=100000r/s TMCRED_VERIFY_BURST=100000
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac
mkdir -p "$RES"
CL="" ST=""
cleanup() {
	[[ -n $CL ]] && "$TOP/scripts/cluster" destroy "$CL" >/dev/null 2>&1 || true
	[[ -n $ST ]] && "$TOP/scripts/stack" destroy "$ST" >/dev/null 2>&1 || true
	CL="" ST=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "bench/cluster: $*" >&2; }

busy() { # prints "total idle" jiffies of the machine
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat
}

quiet() { # waits up to QUIET_WAIT s for the box to be < 10 % busy; prints the last busy %
	local i a b pct=100
	for ((i = 0; i < QUIET_WAIT; i++)); do
		a=$(busy); sleep 1; b=$(busy)
		pct=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; print int(100 * (t - (y[2] - x[2])) / (t ? t : 1)) }')
		((pct < 10)) && break
	done
	echo "$pct"
}

# ----------------------------------------------------------------------------- 1. verify

CL=$(mktemp -d /tmp/tmc.XXXXXX)
say "cluster up in $CL"
TMCRED_WORKERS=$TM_WORKERS "$TOP/scripts/cluster" up "$CL" >"$RES/cluster-up.log" 2>&1 ||
	{ tail -n 30 "$RES/cluster-up.log" >&2; exit 1; }
eval "$("$TOP/scripts/cluster" env "$CL")"
csql() { "$TOP/scripts/cluster" sql "$CL" 1 "$@"; }

say "filling $CERTS certificates through host 1"
csql <<-SQL
	INSERT INTO persons (name, id_enc, id_blind)
	  SELECT CONCAT('测试张三', seq), RANDOM_BYTES(58), RANDOM_BYTES(32) FROM seq_1_to_$CERTS;
SQL
csql -N -e "SELECT id FROM persons WHERE name LIKE '测试张三%' ORDER BY id" >"$RES/person_ids.txt"
t0=$(date +%s.%N)
"$TOP/scripts/cluster" ctl "$CL" 1 cert-import-many junior "$(date -u +%F)" <"$RES/person_ids.txt" >"$RES/links.txt" 2>"$RES/import.log"
t1=$(date +%s.%N)
n=$(wc -l <"$RES/links.txt")
((n == CERTS)) || { tail "$RES/import.log" >&2; say "only $n certificates"; exit 1; }
import_rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
say "$n certificates ($import_rate/s through Galera node 1)"

# setup NAME: hosts and nginx as the setup needs them
setup() {
	case $1 in
	one | one4)
		"$TOP/scripts/cluster" host-stop "$CL" 2 >/dev/null 2>&1
		"$TOP/scripts/cluster" host-stop "$CL" 1 >/dev/null 2>&1
		sed -i "s/^workers = .*/workers = $([[ $1 == one4 ]] && echo $((2 * TM_WORKERS)) || echo "$TM_WORKERS")/" "$CL/h1/tmcred.conf"
		"$TOP/scripts/cluster" host-start "$CL" 1 >/dev/null 2>&1
		TMCRED_CLUSTER_HOSTS=1 TMCRED_WORKERS=$TM_WORKERS "$TOP/scripts/cluster" up "$CL" >/dev/null 2>&1
		;;
	two)
		"$TOP/scripts/cluster" host-stop "$CL" 1 >/dev/null 2>&1
		TMCRED_WORKERS=$TM_WORKERS "$TOP/scripts/cluster" up "$CL" >/dev/null 2>&1
		;;
	esac
	sleep 1
}

declare -A RPS P99 BUSY QUIET
for ((r = 1; r <= ROUNDS; r++)); do
	for s in one two one4; do
		setup "$s"
		q=$(quiet)
		wrk -t "$THREADS" -c "$CONNS" -d "$WARMUP" -s "$HERE/cluster.lua" "$TMCRED_URL" -- "$RES/links.txt" >/dev/null
		b0=$(busy)
		out=$(wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --latency -s "$HERE/cluster.lua" "$TMCRED_URL" -- "$RES/links.txt")
		b1=$(busy)
		echo "$out" >"$RES/wrk-$s-$r.txt"
		line=$(grep '^RESULT' <<<"$out")
		rps=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } printf "%.0f", v["requests"] / (v["duration_us"] / 1e6) }' <<<"$line")
		p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
		bad=$(sed -E 's/.*errors=([0-9]+) non2xx=([0-9]+).*/\1+\2/' <<<"$line")
		((bad == 0)) || say "warning: $s round $r: errors+non2xx = $bad"
		bz=$(awk -v a="$b0" -v b="$b1" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; printf "%.0f", 100 * (t - (y[2] - x[2])) / t }')
		RPS[$s]+="$rps " P99[$s]+="$p99 " BUSY[$s]+="$bz " QUIET[$s]+="$q "
		say "round $r $s: $rps req/s, p99 $((p99 / 1000)) ms, machine ${bz} % busy (quiet before: $q %)"
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cleanup

# ----------------------------------------------------------------------------- 2. upload

gen_persons() { # N: CSV roster of N fresh persons on stdout
	python3 - "$1" <<-'PY'
		import datetime, random, sys
		r = random.SystemRandom(); W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
		ids = set()
		while len(ids) < int(sys.argv[1]):
		    b = datetime.date.today() - datetime.timedelta(days=r.randint(7400, 29000))
		    f = "31%04d%s%03d" % (r.randint(0, 9999), b.strftime("%Y%m%d"), r.randint(0, 999))
		    ids.add(f + "10X98765432"[sum(int(c) * w for c, w in zip(f, W)) % 11])
		print("id_number,name")
		for i in sorted(ids):
		    print("%s,%s%s" % (i, r.choice("王李张刘陈杨黄赵吴周"), r.choice("伟芳娜敏静丽强磊军洋")))
	PY
}
gen_hours() { # ROSTER FIRST_DAY_BACK: 8 rows per person
	python3 - "$1" "$2" <<-'PY'
		import datetime, sys
		rows = [l.strip().split(",") for l in open(sys.argv[1], encoding="utf-8")][1:]
		days = [datetime.date.today() - datetime.timedelta(days=int(sys.argv[2]) + k) for k in range(8)]
		c = ("J-PUB-01", "J-PRA-01", "J-POL-02")
		print("id_number,name,course_code,hours,completed_on")
		for x, (i, n) in enumerate(rows):
		    for k, d in enumerate(days):
		        print("%s,%s,%s,1,%s" % (i, n, c[(x + k) % 3], d.isoformat()))
	PY
}
post() { # URL KEY KIND FILE: prints "status seconds"
	curl -s -o "$RES/post.out" -w '%{http_code} %{time_total}\n' --max-time 600 \
		-H "Authorization: Bearer $2" -H 'Content-Type: text/csv' --data-binary "@$4" \
		"${1}api/v1/batches?kind=$3&mode=atomic"
}

declare -A UP
upload_rounds() { # NAME URL KEY
	local name=$1 url=$2 key=$3 r st secs
	gen_persons "$UP_PERSONS" >"$RES/roster-$name.csv"
	read -r st secs < <(post "$url" "$key" roster "$RES/roster-$name.csv")
	[[ $st == 201 ]] || { cat "$RES/post.out" >&2; say "$name: roster answered $st"; exit 1; }
	for ((r = 1; r <= UP_ROUNDS; r++)); do
		gen_hours "$RES/roster-$name.csv" $((10 + 8 * r)) >"$RES/hours.csv"
		quiet >/dev/null
		read -r st secs < <(post "$url" "$key" hours "$RES/hours.csv")
		[[ $st == 201 ]] || { cat "$RES/post.out" >&2; say "$name: hours answered $st"; exit 1; }
		UP[$name]+="$(awk -v n=$((8 * UP_PERSONS)) -v s="$secs" 'BEGIN { printf "%.0f", n / s }') "
		say "upload $name round $r: $((8 * UP_PERSONS)) rows in $secs s"
	done
}

CL=$(mktemp -d /tmp/tmc.XXXXXX)
TMCRED_WORKERS=$TM_WORKERS "$TOP/scripts/cluster" up "$CL" >"$RES/cluster-up2.log" 2>&1 ||
	{ tail -n 30 "$RES/cluster-up2.log" >&2; exit 1; }
eval "$("$TOP/scripts/cluster" env "$CL")"
key=$(sed -n "s/^BASE_API_KEY='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$CL/demo.env")
upload_rounds galera "$TMCRED_URL" "$key"
cleanup

ST=$(mktemp -d /tmp/tm.XXXXXX)
TMCRED_WORKERS=$TM_WORKERS "$TOP/scripts/stack" start "$ST" >"$RES/stack-up.log" 2>&1 ||
	{ tail -n 30 "$RES/stack-up.log" >&2; exit 1; }
url=$("$TOP/scripts/stack" env "$ST" | sed -n 's/^TMCRED_URL=//p')
key=$("$TOP/scripts/stack" ctl "$ST" demo | sed -n "s/^BASE_API_KEY='\{0,1\}\([^']*\)'\{0,1\}$/\1/p")
upload_rounds single "$url" "$key"
cleanup

# ----------------------------------------------------------------------------- report

one=$(median "${RPS[one]}") two=$(median "${RPS[two]}") one4=$(median "${RPS[one4]}")
ug=$(median "${UP[galera]}") us=$(median "${UP[single]}")
{
	echo "## bench/cluster.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$TOP" rev-parse --short HEAD)"
	echo
	echo "$(nproc) cores; $CERTS certificates (made at $import_rate/s through Galera node 1); wrk -t$THREADS -c$CONNS -d$DURATION (after $WARMUP), $ROUNDS rounds, median."
	echo
	echo "| setup | req/s (median) | rounds | p99 µs | machine busy % | busy % just before |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for s in one two one4; do
		echo "| $s | $(median "${RPS[$s]}") | ${RPS[$s]% } | ${P99[$s]% } | ${BUSY[$s]% } | ${QUIET[$s]% } |"
	done
	echo
	awk -v a="$two" -v b="$one" -v c="$one4" 'BEGIN { printf "two / one = %.2f; one4 / one = %.2f; two / one4 = %.2f\n", a / b, c / b, a / c }'
	echo
	echo "Bulk upload ($((8 * UP_PERSONS)) hours rows, atomic, $UP_ROUNDS rounds, median rows/s): Galera (3 nodes, through host 1 or 2) ${UP[galera]% } → $ug; single MariaDB ${UP[single]% } → $us; Galera / single = $(awk -v a="$ug" -v b="$us" 'BEGIN { printf "%.2f", a / b }')"
} | tee "$RES/cluster.md"
