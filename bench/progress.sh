#!/usr/bin/env bash
# Issue 8, goal progress: GET /api/v1/progress at 64 connections with LARGE_ROWS (1,000,000)
# training records, LARGE_PERSONS (100,000) persons and LARGE_CERTS (50,000) certificates, and
# with SMALL_ROWS (10,000) records (SMALL_PERSONS 1,000, SMALL_CERTS 500), against the kit's bare
# libfcgi hello (../shared/bench/ref/hello.c, 2 processes under spawn-fcgi) measured in the same
# run, rounds interleaved. Targets: progress@1M / hello >= 0.5; progress@1M / progress@10k >= 0.9.
#
#   flock /tmp/tmcred-heavy.lock bench/progress.sh     ~6 min on a quiet box
#   ROUNDS=1 DURATION=5s bench/progress.sh              quick look
#
# Stacks: two of the reference kit (MariaDB + nginx, loopback only), S and L, each with tmcred
# put in by bench/tmcred-hook.sh (2 workers; nginx /tm/X -> X), a signing key, the demo bases and
# catalogue (tmcred-ctl demo with TMCRED_DEMO_PROGRESS=0), then the generator below: bulk SQL
# (INSERT ... SELECT from MariaDB's seq tables) for persons, training records (with their
# ledger_years rebuilt) and certificates, which bypasses the certificate code on purpose, so the
# counters are then rebuilt by `tmcred-ctl progress-rebuild` and checked by `tmcred-ctl
# progress-check` (must report 0 differences; the run stops otherwise).
# Certificates: persons 1..0.8 C hold a junior certificate first issued between 2023-10-01 and
# today (some before the goal's window), persons 1..0.2 C also an intermediate one ~200 days
# later, at another base; 1 % revoked, 1 % suspended. Serials (sequence 500001 on, clear of the
# demo's) are unique but their check characters are not computed (nothing here verifies them);
# serial_counters is moved past them.
#
# Targets measured: hello (S, /hello/); progress_10k (S), progress_1M (L): GET /tm/api/v1/progress;
# page_1M (L): GET /tm/progress (the HTML page with its chart, for information).
# Also: the database cost of what a cache miss reads (the queries of progress_view(), 300 times
# in one client session, mariadbd CPU per query) in S and L; the time of progress-rebuild and
# progress-check at each size.
#
# Knobs: THREADS (2) CONNS (64) DURATION (10s) WARMUP (3s) ROUNDS (3) QUIET_WAIT (120)
# SMALL_ROWS SMALL_PERSONS SMALL_CERTS LARGE_ROWS LARGE_PERSONS LARGE_CERTS TM_WORKERS (2)
# TMCRED_BUILD (TOP/build) BENCH_KIT (../shared/bench) BENCH_RUN_BASE (/tmp/tmpb)
# BENCH_RESULTS (bench/results/progress) KEEP (0).
# Report: stdout and BENCH_RESULTS/progress.md; raw wrk outputs and answers beside it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export TM_WORKERS=${TM_WORKERS:-2}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/progress}
export BENCH_NGINX_EXTRA=$HERE/tmcred.nginx.conf
BASE=${BENCH_RUN_BASE:-/tmp/tmpb}
THREADS=${THREADS:-2} CONNS=${CONNS:-64} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3} QUIET_WAIT=${QUIET_WAIT:-120}
SMALL_ROWS=${SMALL_ROWS:-10000} SMALL_PERSONS=${SMALL_PERSONS:-1000} SMALL_CERTS=${SMALL_CERTS:-500}
LARGE_ROWS=${LARGE_ROWS:-1000000} LARGE_PERSONS=${LARGE_PERSONS:-100000} LARGE_CERTS=${LARGE_CERTS:-50000}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac

for v in ROUNDS THREADS CONNS QUIET_WAIT SMALL_ROWS SMALL_PERSONS SMALL_CERTS LARGE_ROWS LARGE_PERSONS LARGE_CERTS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "progress.sh: $v must be a positive integer" >&2; exit 2; }
done
((SMALL_CERTS <= SMALL_PERSONS && LARGE_CERTS <= LARGE_PERSONS && LARGE_CERTS < 499999)) ||
	{ echo "progress.sh: certificates must not exceed persons (nor 499,998)" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$TOP/scripts/lib.sh" # ensure_packages
ensure_packages wrk spawn-fcgi nginx-light mariadb-server mariadb-client libfcgi-dev libmariadb-dev curl pkg-config
# shellcheck disable=SC2034 # read by the kit's lib.sh
BENCH_DIR=$BENCH_KIT
# shellcheck source=/dev/null
source "$BENCH_KIT/lib.sh" # die need wait_quiet cpu_snapshot build; OUT=$BENCH_RESULTS; ME=progress
need wrk spawn-fcgi nginx mariadbd mariadb curl cc pkg-config awk
for b in tmcred-fcgi tmcred-ctl; do
	[[ -x $TMCRED_BUILD/$b ]] || die "missing $TMCRED_BUILD/$b (build first: see bench/README.md)"
done

S=$BASE.s L=$BASE.l
mkdir -p "$OUT"
rm -f "$OUT"/progress.*

cleanup() {
	local d
	for d in "$S" "$L"; do
		[[ -f $d/.tmcred-bench ]] || continue
		BENCH_RUN=$d "$STACK" stop || true
		[[ ${KEEP:-0} == 1 ]] || rm -rf -- "$d"
	done
}
trap cleanup EXIT

ctl() { # DIR ARGS
	local d=$1
	shift
	"$d/bin/tmcred-ctl" -c "$d/tmcred.conf" "$@"
}

up() { # DIR: kit stack + tmcred + signing key + demo bases and catalogue (no demo holders)
	local d=$1
	BENCH_RUN=$d "$STACK" start >/dev/null
	(
		set -a
		# shellcheck disable=SC1091
		source "$d/env"
		set +a
		export BENCH_RUN=$d
		mkdir -p "$RUN/bin"
		"$HERE/tmcred-hook.sh"
		TMCRED_DEMO_PROGRESS=0 ctl "$RUN" demo >"$RUN/demo.logins" 2>>"$RUN/tmcred-ctl.log" ||
			die "tmcred-ctl demo failed; see $RUN/tmcred-ctl.log"
	)
}

sql() { # DIR [mariadb args]
	local d=$1
	shift
	mariadb --defaults-file="$d/my.cnf" --user=root --default-character-set=utf8mb4 tmcred "$@"
}

http_url() { sed -n 's/.*HTTP_URL=//p' "$1/env"; }

# load DIR ROWS PERSONS CERTS
load() {
	local d=$1 rows=$2 np=$3 nc=$4 nj ni
	nj=$((nc * 4 / 5)) ni=$((nc - nc * 4 / 5))
	sql "$d" <<-SQL
		SET @admin = (SELECT id FROM users WHERE email = 'admin@tmcred.example');
		SET SESSION max_heap_table_size = 1073741824, tmp_table_size = 1073741824;
		INSERT INTO persons (name, id_enc, id_blind)
		  SELECT CONCAT('bench-', seq), UNHEX(SHA2(CONCAT('bench-enc-', seq), 256)),
		         UNHEX(SHA2(CONCAT('bench-blind-', seq), 256)) FROM seq_1_to_$np;
		CREATE TEMPORARY TABLE fmap (k INT PRIMARY KEY, person_id BIGINT UNSIGNED NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id AS person_id FROM persons
		  WHERE name LIKE 'bench-%';
		CREATE TEMPORARY TABLE cmap (k INT PRIMARY KEY, id BIGINT UNSIGNED NOT NULL,
		  subject VARCHAR(16) NOT NULL, compulsory TINYINT NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id, subject, compulsory FROM courses;
		CREATE TEMPORARY TABLE bmap (k INT PRIMARY KEY, id BIGINT UNSIGNED NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id FROM bases;
		SET @nc = (SELECT COUNT(*) FROM cmap), @nb = (SELECT COUNT(*) FROM bmap);
		-- record n: person n mod P, at most one a day per person, 0.5-8 学时, 2015 onwards
		INSERT INTO training_records (person_id, course_id, base_id, hours_x2, completed_on, subject,
		    compulsory, source, source_ref, created_by)
		  SELECT f.person_id, c.id, b.id, 1 + s.seq % 16,
		         '2015-01-01' + INTERVAL (((s.seq DIV $np) * 37 + f.k % 29) % 4300) DAY,
		         c.subject, c.compulsory, 'admin', 'bench', @admin
		  FROM seq_1_to_$rows s JOIN fmap f ON f.k = s.seq % $np
		  JOIN cmap c ON c.k = s.seq % @nc JOIN bmap b ON b.k = s.seq % @nb;
		-- junior certificates of persons 0..NJ-1: first issued 2023-10-01 .. today
		SET @span = DATEDIFF(UTC_DATE(), '2023-10-01');
		CREATE TEMPORARY TABLE cj (k INT PRIMARY KEY, person_id BIGINT UNSIGNED, d DATE, b BIGINT UNSIGNED)
		  SELECT f.k, f.person_id, '2023-10-01' + INTERVAL ((f.k * 7919) % @span) DAY AS d, b.id AS b
		  FROM fmap f JOIN bmap b ON b.k = f.k % @nb WHERE f.k < $nj;
		INSERT INTO certificates (serial, person_id, level, base_id, holder_name, first_issued_on,
		    issued_on, expires_on, key_id, signature, status)
		  SELECT CONCAT('TM-SH-', YEAR(d), '-J-', LPAD(k + 500001, 6, '0'), '-0'), person_id, 'junior', b,
		         CONCAT('bench-', k + 1), d, d, d + INTERVAL 3 YEAR - INTERVAL 1 DAY, 'SH1',
		         UNHEX(SHA2(CONCAT('sig-j-', k), 512)),
		         CASE k % 100 WHEN 37 THEN 'revoked' WHEN 38 THEN 'suspended' ELSE 'valid' END
		  FROM cj;
		-- intermediate certificates of persons 0..NI-1, ~200 days after their junior one
		INSERT INTO certificates (serial, person_id, level, base_id, holder_name, first_issued_on,
		    issued_on, expires_on, key_id, signature, status)
		  SELECT CONCAT('TM-SH-', YEAR(x.d), '-I-', LPAD(x.k + 500001, 6, '0'), '-0'), x.person_id,
		         'intermediate', x.b, CONCAT('bench-', x.k + 1), x.d, x.d,
		         x.d + INTERVAL 3 YEAR - INTERVAL 1 DAY, 'SH1', UNHEX(SHA2(CONCAT('sig-i-', x.k), 512)),
		         CASE x.k % 100 WHEN 53 THEN 'revoked' ELSE 'valid' END
		  FROM (SELECT cj.k, cj.person_id, LEAST(cj.d + INTERVAL 200 DAY, UTC_DATE()) AS d,
		               bm.id AS b FROM cj JOIN bmap bm ON bm.k = (cj.k + 1) % @nb WHERE cj.k < $ni) x;
		INSERT INTO serial_counters (node, year, level, last_seq)
		  SELECT 'SH', YEAR(first_issued_on), level, 999998 FROM certificates
		  WHERE holder_name LIKE 'bench-%' GROUP BY YEAR(first_issued_on), level
		  ON DUPLICATE KEY UPDATE last_seq = 999998;
		$(cat "$HERE/ledger_years_rebuild.sql")
		ANALYZE TABLE training_records, persons, certificates;
	SQL
	local got
	got=$(sql "$d" -N -e "SELECT (SELECT COUNT(*) FROM training_records WHERE source_ref = 'bench'), (SELECT COUNT(*) FROM persons WHERE name LIKE 'bench-%'),
		(SELECT COUNT(*) FROM certificates WHERE holder_name LIKE 'bench-%')" | tr '\t' ' ')
	[[ $got == "$rows $np $nc" ]] || die "$d: loaded $got (records persons certificates), wanted $rows $np $nc"
}

# counters DIR LABEL: progress-rebuild (the bulk load bypassed the certificate code), then
# progress-check must report no difference; both timed.
counters() {
	local d=$1 label=$2 t0 t1 t2 out
	t0=$(date +%s%N)
	ctl "$d" progress-rebuild >"$OUT/progress.rebuild.$label" 2>&1 || die "$label: progress-rebuild failed: $(tail -3 "$OUT/progress.rebuild.$label")"
	t1=$(date +%s%N)
	out=$(ctl "$d" progress-check 2>&1) || die "$label: progress-check found differences after the rebuild: $out"
	t2=$(date +%s%N)
	echo "$label: progress-rebuild $(((t1 - t0) / 1000000)) ms ($(tail -1 "$OUT/progress.rebuild.$label")); progress-check $(((t2 - t1) / 1000000)) ms: $out"
}

echo "starting stacks S ($S) and L ($L)" >&2
up "$S"
up "$L"
RUN=$S
build hello fcgi
BENCH_RUN=$S "$STACK" fcgi hello 2 "$S/bin/hello"

echo "loading S: $SMALL_ROWS records, $SMALL_PERSONS persons, $SMALL_CERTS certificates" >&2
l0=$(date +%s)
load "$S" "$SMALL_ROWS" "$SMALL_PERSONS" "$SMALL_CERTS"
l1=$(date +%s)
echo "loading L: $LARGE_ROWS records, $LARGE_PERSONS persons, $LARGE_CERTS certificates" >&2
load "$L" "$LARGE_ROWS" "$LARGE_PERSONS" "$LARGE_CERTS"
l2=$(date +%s)
{
	counters "$S" S
	counters "$L" L
} >"$OUT/progress.counters"
cat "$OUT/progress.counters" >&2

quiesce() { # DIR: as credits.sh: let InnoDB write its dirty pages and purge (300 s at most)
	local d=$1 i pct dirty hist
	pct=$(sql "$d" -N -e "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
	sql "$d" -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
	for ((i = 0; i < 300; i++)); do
		dirty=$(sql "$d" -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | cut -f2)
		hist=$(sql "$d" -N -e "SHOW ENGINE INNODB STATUS" | sed -n 's/.*History list length \([0-9]*\).*/\1/p')
		((dirty < 50 && ${hist:-0} < 100)) && break
		sleep 1
	done
	sql "$d" -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
	echo "$i $dirty ${hist:-?}"
}
echo "letting InnoDB finish its background work" >&2
QS=$(quiesce "$S") QL=$(quiesce "$L")

PPATH=/tm/api/v1/progress
TARGETS=("hello $S /hello/" "progress_10k $S $PPATH" "progress_1M $L $PPATH" "page_1M $L /tm/progress")

cat >"$OUT/progress.lua" <<-'LUA'
	-- written by bench/progress.sh: GET <URL path>; one RESULT line
	function done(summary, latency, requests)
	    local e = summary.errors
	    io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
	        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
	        e.connect + e.read + e.write + e.timeout, e.status))
	end
LUA

echo "checking the answers" >&2
{
	for t in "${TARGETS[@]}"; do
		read -r name d path <<<"$t"
		code=$(curl -s -o "$OUT/progress.$name.body" -w '%{http_code}' "$(http_url "$d")$path")
		[[ $code == 200 ]] || die "$name answered $code: $(head -c 300 "$OUT/progress.$name.body")"
		echo "$name ($(wc -c <"$OUT/progress.$name.body") bytes): $(head -c 300 "$OUT/progress.$name.body")"
	done
} >"$OUT/progress.answers"
c10=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certified"])' "$OUT/progress.progress_10k.body")
c1m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certified"])' "$OUT/progress.progress_1M.body")

# What a cache miss reads (certs/progress.c progress_view): mariadbd CPU per query set.
MISS_SQL="SELECT version, window_from, window_to, goal, deadline, statuses, COALESCE(node, '') FROM progress_rules ORDER BY version DESC LIMIT 1;
SELECT dim, k, n FROM progress_counts WHERE rule_version = 1 AND dim IN ('total', 'is', 'level', 'top', 'month', 'base');
SELECT number, as_of, source FROM progress_baselines ORDER BY id DESC LIMIT 1;
SELECT id, code, name, region FROM bases;"
miss() { # DIR LABEL
	local d=$1 pid t0 t1 n=300 i
	pid=$(awk '$1 == "mariadbd" { print $2 }' "$d/pids")
	t0=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
	for ((i = 0; i < n; i++)); do echo "$MISS_SQL"; done | sql "$d" -N >/dev/null
	t1=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
	echo "$2: $(((t1 - t0) * 1000000 / $(getconf CLK_TCK) / n)) µs of mariadbd CPU per cache miss (4 queries, text protocol, $n runs);" \
		"rows read: $(sql "$d" -N -e "SELECT COUNT(*) FROM progress_counts WHERE rule_version = 1 AND dim IN ('total', 'is', 'level', 'top', 'month', 'base')") counter rows"
}
{
	miss "$S" S
	miss "$L" L
} >"$OUT/progress.miss"

settle() { # LABEL
	local i
	for ((i = 0; i < QUIET_WAIT; i++)); do
		(($(busy_pct) < 10)) && return 0
	done
	wait_quiet "$1"
}

TIMEFORMAT='WRKCPU %U %S'
wrk_run() { # DURATION URL [--latency]
	timeout 120 wrk -t "$THREADS" -c "$CONNS" -d "$1" ${3:+"$3"} -s "$OUT/progress.lua" "$2"
}
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TARGETS[@]}"; do
		read -r name d path <<<"$t"
		RUN=$d
		url=$(http_url "$d")$path
		settle "$name round $r"
		echo "round $r/$ROUNDS: $name ($WARMUP warm-up, $DURATION measured)" >&2
		wrk_run "$WARMUP" "$url" >/dev/null
		t0=$(date +%s%N) cpu0=$(cpu_snapshot)
		{ time wrk_run "$DURATION" "$url" --latency >"$OUT/progress.$name.$r.txt"; } 2>"$OUT/progress.time"
		t1=$(date +%s%N) cpu1=$(cpu_snapshot)
		line=$(sed -n 's/^RESULT //p' "$OUT/progress.$name.$r.txt")
		[[ -n $line ]] || die "no RESULT line from wrk for $name"
		cpu=$(echo "$cpu0 $cpu1 $(sed -n 's/^WRKCPU //p' "$OUT/progress.time")" |
			awk -v hz="$(getconf CLK_TCK)" -v ms="$(((t1 - t0) / 1000000))" '{
			k = hz * ms / 1000; wrk = ($9 + $10) * 1000 / ms; busy = ($5 - $1) / k
			ngx = ($6 - $2) / k; app = ($7 - $3) / k; db = ($8 - $4) / k
			printf "cpu_busy=%.2f cpu_nginx=%.2f cpu_app=%.2f cpu_db=%.2f cpu_wrk=%.2f cpu_other=%.2f",
				busy, ngx, app, db, wrk, busy - ngx - app - db - wrk }')
		echo "$name $r $line $cpu" >>"$OUT/progress.raw"
	done
done
rm -f "$OUT/progress.time"

report() {
	awk '
	function med(arr, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
		return arr[int((n + 1) / 2)]
	}
	{
		delete v
		for (i = 3; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
		k = $1; r = $2; if (!(k in n)) order[++nk] = k; n[k]++; if (r > nr) nr = r
		rps[k, r] = v["requests"] * 1e6 / v["duration_us"]
		p50[k, r] = v["p50_us"] / 1000; p99[k, r] = v["p99_us"] / 1000
		bad[k] += v["errors"] + v["non2xx"]
		busy[k] += v["cpu_busy"]; ngx[k] += v["cpu_nginx"]; app[k] += v["cpu_app"]; db[k] += v["cpu_db"]
		wrk[k] += v["cpu_wrk"]; other[k] += v["cpu_other"]
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]; c = 0; lo = 1e18; hi = 0
			for (r = 1; r <= nr; r++) if ((k, r) in rps) { a[++c] = rps[k, r]; if (a[c] < lo) lo = a[c]; if (a[c] > hi) hi = a[c] }
			R[k] = med(a, c); LO[k] = lo; HI[k] = hi
			c = 0; for (r = 1; r <= nr; r++) if ((k, r) in rps) a[++c] = p50[k, r]; P50[k] = med(a, c)
			c = 0; for (r = 1; r <= nr; r++) if ((k, r) in rps) a[++c] = p99[k, r]; P99[k] = med(a, c)
		}
		print "| target | req/s (median) | req/s range | ÷ hello | p50 ms | p99 ms | errors + non-2xx" \
			" | CPU cores: all = nginx + app + db + wrk + other | server µs/req (app, db) |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
		for (i = 1; i <= nk; i++) {
			k = order[i]; c = n[k]
			printf "| %s | %.0f | %.0f–%.0f | %.3f | %.2f | %.2f | %d | %.2f = %.2f + %.2f + %.2f + %.2f + %.2f | %.0f (%.0f, %.0f) |\n",
				k, R[k], LO[k], HI[k], R[k] / R["hello"], P50[k], P99[k], bad[k], busy[k] / c, ngx[k] / c,
				app[k] / c, db[k] / c, wrk[k] / c, other[k] / c, (ngx[k] + app[k] + db[k]) / c * 1e6 / R[k],
				app[k] / c * 1e6 / R[k], db[k] / c * 1e6 / R[k]
		}
		print ""
		pr1 = pr2 = ""
		for (r = 1; r <= nr; r++) {
			pr1 = pr1 (r > 1 ? ", " : "") sprintf("%.3f", rps["progress_1M", r] / rps["hello", r])
			pr2 = pr2 (r > 1 ? ", " : "") sprintf("%.3f", rps["progress_1M", r] / rps["progress_10k", r])
		}
		x = R["progress_1M"] / R["hello"]; y = R["progress_1M"] / R["progress_10k"]
		printf "- **progress@1M / hello = %.3f** (target ≥ 0.5: %s; per round %s)\n", x, x >= 0.5 ? "met" : "NOT met", pr1
		printf "- **progress@1M / progress@10k = %.3f** (target ≥ 0.9: %s; per round %s)\n", y, y >= 0.9 ? "met" : "NOT met", pr2
		printf "- progress@10k / hello = %.3f; page@1M / hello = %.3f\n", R["progress_10k"] / R["hello"], R["page_1M"] / R["hello"]
	}' "$OUT/progress.raw"
}

{
	echo "wrk -t $THREADS -c $CONNS -d $DURATION (after $WARMUP warm-up), $ROUNDS rounds interleaved, median;" \
		"tmcred workers: $TM_WORKERS, hello processes: 2; $(date -u '+%Y-%m-%d %H:%M UTC');" \
		"tmcred $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	report
	if [[ -s $OUT/progress.noise ]]; then
		echo
		echo "Outside load seen before: $(tr '\n' ';' <"$OUT/progress.noise")"
	fi
	echo
	echo "Data: S $SMALL_ROWS records / $SMALL_PERSONS persons / $SMALL_CERTS certificates ($c10 counted) loaded in $((l1 - l0)) s;" \
		"L $LARGE_ROWS / $LARGE_PERSONS / $LARGE_CERTS ($c1m counted) in $((l2 - l1)) s; InnoDB background work after" \
		"(seconds, dirty pages, history length): S $QS, L $QL."
	echo
	echo "Counters after the bulk load:"
	echo
	sed 's/^/- /' "$OUT/progress.counters"
	echo
	echo "Cost of a cache miss (per worker at most once per TM_PROGRESS_CACHE_MS, and after each certificate change on the host):"
	echo
	sed 's/^/- /' "$OUT/progress.miss"
	echo
	echo '```'
	cat "$OUT/progress.answers"
	echo '```'
	echo
	echo "tmcred binary measured:"
	echo
	echo '```'
	cat "$S/tmcred.build"
	echo '```'
} | tee "$OUT/progress.md"
