#!/usr/bin/env bash
# Issue 4, credit ledger: GET /api/v1/me/credits?year=YEAR for a trainee with ENTRIES (1,000)
# ledger entries, once with SMALL_ROWS (10,000) and once with LARGE_ROWS (1,000,000) rows in
# training_records, against the kit's bare libfcgi hello (../shared/bench/ref/hello.c, 2
# processes under spawn-fcgi) measured in the same run, rounds interleaved. Targets of the issue:
# credits@1M / hello >= 0.5, and credits@1M / credits@10k >= 0.9 (cost must not grow with the table).
#
#   bench/credits.sh                         ~8 min on a quiet box (load ~1 min, sequential
#                                            ~1.5 min, 3 rounds x 4 targets x 13 s, query
#                                            variants ~1 min); longer when the box is busy
#   ROUNDS=1 DURATION=5s VARIANTS=0 bench/credits.sh    quick look
#
# Stacks: two of the reference kit (../shared/bench/stack.sh: MariaDB + nginx, loopback only), S
# (BENCH_RUN_BASE.s) and L (BENCH_RUN_BASE.l), each with tmcred put in by bench/tmcred-hook.sh
# (tmcred-fcgi master + TM_WORKERS workers; nginx /tm/X -> X, bench/tmcred.nginx.conf), the demo
# catalogue and trainee (tmcred-ctl demo), and the same generated data but for the row count:
# FILLER_PERSONS filler persons, the trainee topped up to ENTRIES entries (one a day from
# 2024-01-01 on, skipping the demo entries' days, <= 8 学时 a day) and filler rows (<= 1 a day per
# person). In both stacks the trainee's entries are spread evenly over the table (one INSERT ...
# SELECT ... ORDER BY position, so the ids interleave): at 1M one entry every ~1,000 rows, as
# when a ledger grows over years beside everyone else's. hello runs in S (the kit's /hello/);
# S and L have identical nginx configs. Two stacks rather than one grown from 10k to 1M, so that
# every round measures all targets (training_records is append-only anyway).
#
# Targets: hello; me (GET /api/v1/me in S: session lookup + one primary-key read, the least an
# authenticated GET with data costs); credits_10k (S); credits_1M (L); credits_10k_db and
# credits_1M_db: the same through a second tmcred master on the same binary, config and database
# but with TMCRED_CREDITS_CACHE_SECONDS=0 (nginx /tm0/), so every request reads MariaDB.
# 1. Sequential: SEQ rounds of HELLO_N (hello, me) or CREDITS_N (credits) requests on one
#    connection: wall time and server CPU per request from /proc (the processes' own time, which
#    outside load on a shared box hardly changes, unlike req/s), per-request server counters.
# 2. Load: wrk -t THREADS -c CONNS, WARMUP, then DURATION with --latency, same Lua script for
#    every target (Cookie: tm_session=...; hello ignores it); ROUNDS rounds, each measuring every
#    target in turn; median. CPU columns as in the kit (lib.sh cpu_snapshot, measured stack).
# 3. EXPLAIN / ANALYZE of load_entries' ledger query (courses/records.c) in both stacks, EXPLAIN of
#    the ledger_years read, and (VARIANTS=1) the database CPU of load_entries' query as it is,
#    without its joins, and without them on a covering index (added to the throwaway stacks then).
#
# Knobs: THREADS (2) CONNS (64) DURATION (10s) WARMUP (3s) ROUNDS (3) YEAR (2026: the rolling
# window 2024-2026 holds all ENTRIES entries) ENTRIES (1000) SMALL_ROWS (10000) LARGE_ROWS
# (1000000) FILLER_PERSONS (10000) QUIET_WAIT (120 s, see settle) SEQ (3) HELLO_N (5000)
# CREDITS_N (2000) VARIANTS (1) VARIANT_N (300) TM_WORKERS (2) TMCRED_BUILD (TOP/build)
# BENCH_KIT (../shared/bench) BENCH_RUN_BASE (/tmp/tmcb) BENCH_RESULTS (bench/results/credits)
# KEEP (0: stop and delete both stacks on exit; 1: stop them, keep the dirs).
# Report: stdout and BENCH_RESULTS/credits.md; raw wrk outputs, answers and EXPLAINs beside it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export TM_WORKERS=${TM_WORKERS:-2}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/credits}
export BENCH_NGINX_EXTRA=$HERE/tmcred.nginx.conf
BASE=${BENCH_RUN_BASE:-/tmp/tmcb}
THREADS=${THREADS:-2} CONNS=${CONNS:-64} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3} YEAR=${YEAR:-2026} ENTRIES=${ENTRIES:-1000} QUIET_WAIT=${QUIET_WAIT:-120}
SEQ=${SEQ:-3} HELLO_N=${HELLO_N:-5000} CREDITS_N=${CREDITS_N:-2000}
SMALL_ROWS=${SMALL_ROWS:-10000} LARGE_ROWS=${LARGE_ROWS:-1000000} NP=${FILLER_PERSONS:-10000}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac

for v in ROUNDS YEAR ENTRIES SMALL_ROWS LARGE_ROWS NP THREADS CONNS QUIET_WAIT SEQ HELLO_N CREDITS_N; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "credits.sh: $v must be a positive integer" >&2; exit 2; }
done
((SMALL_ROWS > ENTRIES && LARGE_ROWS > ENTRIES)) || { echo "credits.sh: row counts must exceed ENTRIES" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$TOP/scripts/lib.sh" # ensure_packages
ensure_packages wrk spawn-fcgi nginx-light mariadb-server mariadb-client libfcgi-dev libmariadb-dev curl pkg-config
# shellcheck disable=SC2034 # read by the kit's lib.sh
BENCH_DIR=$BENCH_KIT
# shellcheck source=/dev/null
source "$BENCH_KIT/lib.sh" # die need wait_quiet cpu_snapshot build; OUT=$BENCH_RESULTS; ME=credits
need wrk spawn-fcgi nginx mariadbd mariadb curl cc pkg-config awk
for b in tmcred-fcgi tmcred-ctl; do
	[[ -x $TMCRED_BUILD/$b ]] || die "missing $TMCRED_BUILD/$b (build first: see bench/README.md)"
done
# The ledger query below mirrors load_entries(); say so if the code no longer has it.
grep -q 'WHERE r.person_id = ? AND r.completed_on BETWEEN ? AND ?' "$TOP/courses/records.c" ||
	echo "credits.sh: warning: courses/records.c no longer has the ledger query EXPLAINed here" >&2

S=$BASE.s L=$BASE.l
mkdir -p "$OUT"
rm -f "$OUT"/credits.*

cleanup() {
	local d
	for d in "$S" "$L"; do
		[[ -f $d/.tmcred-bench ]] || continue
		BENCH_RUN=$d "$STACK" stop || true
		[[ ${KEEP:-0} == 1 ]] || rm -rf -- "$d"
	done
}
trap cleanup EXIT

# up DIR: a kit stack in DIR with tmcred (hook) and the demo data; logins in DIR/demo.logins.
up() {
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
		TMCRED_DEMO_PROGRESS=0 "$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf" demo >"$RUN/demo.logins" 2>>"$RUN/tmcred-ctl.log" ||
			die "tmcred-ctl demo failed; see $RUN/tmcred-ctl.log"
		# the same binary and config without the ledger answer cache (nginx /tm0/)
		TMCRED_SERVER_SOCKET=$RUN/tmcred0.sock TMCRED_CREDITS_CACHE_SECONDS=0 \
			"$STACK" daemon tmcred0 "$RUN/bin/tmcred-fcgi" -c "$RUN/tmcred.conf"
		for ((i = 0; i < 200; i++)); do # 20 s
			[[ -S $RUN/tmcred0.sock ]] && break
			sleep 0.1
		done
		[[ -S $RUN/tmcred0.sock ]] || die "tmcred0 did not start; see $RUN/tmcred0.log"
	)
}

sql() { # DIR [mariadb args]: root client on the tmcred database of stack DIR
	local d=$1
	shift
	mariadb --defaults-file="$d/my.cnf" --user=root --default-character-set=utf8mb4 tmcred "$@"
}

# load DIR ROWS: filler persons, the trainee topped up to ENTRIES entries, filler rows, so that
# training_records holds exactly ROWS rows; the trainee's entries spread evenly over the ids.
load() {
	local d=$1 rows=$2 have need filler others
	have=$(sql "$d" -N -e "SELECT COUNT(*) FROM training_records r JOIN users u ON u.person_id = r.person_id
		WHERE u.email = 'trainee@tmcred.example'")
	need=$((ENTRIES - have))
	# the demo's other trainees (assessment, progress) have entries too; they count as filler
	others=$(($(sql "$d" -N -e "SELECT COUNT(*) FROM training_records") - have))
	filler=$((rows - ENTRIES - others))
	((need >= 0)) || die "the demo trainee already has $have entries, more than ENTRIES=$ENTRIES"
	((filler > 0)) || die "the demo already holds $others other entries, more than ROWS - ENTRIES"
	sql "$d" <<-SQL
		SET @pid = (SELECT person_id FROM users WHERE email = 'trainee@tmcred.example');
		SET @admin = (SELECT id FROM users WHERE email = 'admin@tmcred.example');
		INSERT INTO persons (name, id_enc, id_blind)
		  SELECT CONCAT('bench-', seq), UNHEX(SHA2(CONCAT('bench-enc-', seq), 256)),
		         UNHEX(SHA2(CONCAT('bench-blind-', seq), 256)) FROM seq_1_to_$NP;
		CREATE TEMPORARY TABLE fmap (k INT PRIMARY KEY, person_id BIGINT UNSIGNED NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id AS person_id FROM persons
		  WHERE name LIKE 'bench-%';
		CREATE TEMPORARY TABLE cmap (k INT PRIMARY KEY, id BIGINT UNSIGNED NOT NULL,
		  subject VARCHAR(16) NOT NULL, compulsory TINYINT NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id, subject, compulsory FROM courses;
		CREATE TEMPORARY TABLE bmap (k INT PRIMARY KEY, id BIGINT UNSIGNED NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id FROM bases;
		SET @nc = (SELECT COUNT(*) FROM cmap), @nb = (SELECT COUNT(*) FROM bmap);
		-- the trainee's days: one entry a day from 2024-01-01, skipping the demo entries' days
		CREATE TEMPORARY TABLE tdays (j INT PRIMARY KEY, day DATE NOT NULL)
		  SELECT ROW_NUMBER() OVER (ORDER BY seq) - 1 AS j, '2024-01-01' + INTERVAL seq DAY AS day
		  FROM seq_0_to_3000
		  WHERE '2024-01-01' + INTERVAL seq DAY <= UTC_DATE()
		    AND '2024-01-01' + INTERVAL seq DAY NOT IN
		        (SELECT completed_on FROM training_records WHERE person_id = @pid)
		  ORDER BY seq LIMIT $need;
		-- the ORDER BY below sorts the whole load: keep its temporary table and sort in memory
		-- (tmpdir is the shared /tmp)
		SET SESSION max_heap_table_size = 1073741824, tmp_table_size = 1073741824,
		  sort_buffer_size = 268435456;
		-- filler row n (1..F): person n mod NP, at most one entry a day per person (day
		-- (n div NP) * 37 + k mod 29, mod 4300, from 2015-01-01), 0.5-8 学时; trainee entry j at
		-- position (j + 0.5) * F / need among them
		INSERT INTO training_records (person_id, course_id, base_id, hours_x2, completed_on, subject,
		    compulsory, source, source_ref, created_by)
		  SELECT person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, 'admin',
		         'bench', @admin
		  FROM (
		    SELECT f.person_id, c.id AS course_id, b.id AS base_id, 1 + s.seq % 16 AS hours_x2,
		           '2015-01-01' + INTERVAL (((s.seq DIV $NP) * 37 + f.k % 29) % 4300) DAY AS completed_on,
		           c.subject, c.compulsory, s.seq AS pos
		    FROM seq_1_to_$filler s JOIN fmap f ON f.k = s.seq % $NP
		    JOIN cmap c ON c.k = s.seq % @nc JOIN bmap b ON b.k = s.seq % @nb
		    UNION ALL
		    SELECT @pid, c.id, b.id, 1 + (t.j * 7) % 16, t.day, c.subject, c.compulsory,
		           (t.j + 0.5) * $filler / GREATEST($need, 1)
		    FROM tdays t JOIN cmap c ON c.k = t.j % @nc JOIN bmap b ON b.k = t.j % @nb
		  ) x ORDER BY pos;
		$(cat "$HERE/ledger_years_rebuild.sql")
		ANALYZE TABLE training_records, persons;
	SQL
	local got mine
	got=$(sql "$d" -N -e "SELECT COUNT(*) FROM training_records")
	mine=$(sql "$d" -N -e "SELECT COUNT(*) FROM training_records r JOIN users u ON u.person_id = r.person_id
		WHERE u.email = 'trainee@tmcred.example'")
	[[ $got == "$rows" && $mine == "$ENTRIES" ]] ||
		die "$d: training_records has $got rows ($mine of the trainee); wanted $rows ($ENTRIES)"
}

login() { # DIR: prints the trainee's tm_session token
	local d=$1 jar=$1/cookies body
	# shellcheck disable=SC1091
	source "$d/demo.logins" # TRAINEE_LOGIN TRAINEE_PASSWORD
	body=$(printf '{"login":"%s","password":"%s"}' "$TRAINEE_LOGIN" "$TRAINEE_PASSWORD")
	code=$(curl -s -o "$d/login.out" -w '%{http_code}' -c "$jar" -H 'Content-Type: application/json' \
		--data-binary "$body" "$(http_url "$d")/tm/api/v1/session")
	[[ $code == 200 || $code == 201 ]] || die "login in $d answered $code: $(head -c 300 "$d/login.out")"
	awk '$6 == "tm_session" { print $7 }' "$jar"
}

http_url() { sed -n 's/.*HTTP_URL=//p' "$1/env"; }

echo "starting stack S ($S) and L ($L)" >&2
up "$S"
up "$L"
RUN=$S
build hello fcgi
BENCH_RUN=$S "$STACK" fcgi hello 2 "$S/bin/hello"

echo "loading S: $SMALL_ROWS rows" >&2
l0=$(date +%s)
load "$S" "$SMALL_ROWS"
l1=$(date +%s)
echo "loading L: $LARGE_ROWS rows" >&2
load "$L" "$LARGE_ROWS"
l2=$(date +%s)
echo "loaded in $((l1 - l0)) s and $((l2 - l1)) s" >&2

# After a bulk load InnoDB still has work of its own to do (dirty pages to write, the undo of
# the ledger_years rebuild to purge): let it finish, as the kit's bulk.sh does, so that
# the stack just loaded does not measure its own background work. 300 s at most.
quiesce() { # DIR: prints "seconds dirty_pages history_length"
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

CS=$(login "$S") CL=$(login "$L")
[[ -n $CS && -n $CL ]] || die "no tm_session cookie after login"
PID=$(sql "$S" -N -e "SELECT person_id FROM users WHERE email = 'trainee@tmcred.example'")
PIDL=$(sql "$L" -N -e "SELECT person_id FROM users WHERE email = 'trainee@tmcred.example'")
CPATH="/tm/api/v1/me/credits?year=$YEAR"
CPATH0="/tm0/api/v1/me/credits?year=$YEAR"
# label stack path cookie; *_db: the master without the answer cache (every request reads MariaDB)
TARGETS=("hello $S /hello/ $CS" "me $S /tm/api/v1/me $CS" "credits_10k $S $CPATH $CS" "credits_1M $L $CPATH $CL"
	"credits_10k_db $S $CPATH0 $CS" "credits_1M_db $L $CPATH0 $CL")

# Same client for every target: one pre-built request with the session cookie.
cat >"$OUT/credits.lua" <<-'LUA'
	-- written by bench/credits.sh: GET <URL path> with Cookie: tm_session=<arg 1>; one RESULT line
	local req
	function init(args)
	    req = wrk.format("GET", wrk.path, { ["Cookie"] = "tm_session=" .. args[1] })
	end
	function request() return req end
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
		read -r name d path cookie <<<"$t"
		code=$(curl -s -o "$OUT/credits.$name.body" -w '%{http_code}' -b "tm_session=$cookie" "$(http_url "$d")$path")
		[[ $code == 200 ]] || die "$name answered $code: $(head -c 300 "$OUT/credits.$name.body")"
		echo "$name ($(wc -c <"$OUT/credits.$name.body") bytes): $(head -c 400 "$OUT/credits.$name.body")"
	done
	if cmp -s "$OUT/credits.credits_10k.body" "$OUT/credits.credits_1M.body"; then
		echo "credits_10k and credits_1M answers are byte-identical"
	else
		echo "WARNING: credits_10k and credits_1M answers differ"
	fi
} >"$OUT/credits.answers"
grep -q WARNING "$OUT/credits.answers" && die "the two stacks answer differently; see $OUT/credits.answers"

# The ledger query of load_entries() with the values credits_year(YEAR) binds.
ledger_sql() { # PERSON_ID
	echo "SELECT r.completed_on, r.hours_x2, r.subject, r.compulsory, c.code, c.title,
 COALESCE(b.name, ''), r.id, COALESCE(r.reverses_id, 0)
 FROM training_records r JOIN courses c ON c.id = r.course_id
 LEFT JOIN bases b ON b.id = r.base_id
 WHERE r.person_id = $1 AND r.completed_on BETWEEN '$((YEAR - 2))-01-01' AND '$YEAR-12-31'
 ORDER BY r.completed_on, r.id"
}
{
	echo "load_entries' ledger query (courses/records.c), with the values credits_year($YEAR) bound (still what"
	echo "GET /api/v1/me/credits/statement reads; /me/credits reads ledger_years when that table exists):"
	echo
	echo "    $(ledger_sql PID | tr -s ' \n' ' ')"
	echo
	for x in "S $S $PID $SMALL_ROWS" "L $L $PIDL $LARGE_ROWS"; do
		read -r label d pid rows <<<"$x"
		echo "## $label: $rows rows, person_id $pid"
		echo
		echo '```'
		sql "$d" -t -e "EXPLAIN $(ledger_sql "$pid")"
		sql "$d" -t -e "ANALYZE $(ledger_sql "$pid")"
		sql "$d" -t -e "SELECT table_rows AS 'rows (estimate)', ROUND(data_length / 1048576, 1) AS data_MiB,
			ROUND(index_length / 1048576, 1) AS index_MiB FROM information_schema.tables
			WHERE table_schema = 'tmcred' AND table_name = 'training_records'"
		echo '```'
		echo
	done
	echo "## What credits_year reads now (ce_rules_version + ledger_years, migrations 0004 and 0008), stack L"
	echo
	echo '```'
	sql "$L" -t -e "EXPLAIN SELECT v.version, COALESCE(y.year, 0), COALESCE(y.professional_x2, 0),
		COALESCE(y.general_x2, 0), COALESCE(y.compulsory_x2, 0) FROM ce_rules_version v
		LEFT JOIN ledger_years y ON y.person_id = $PIDL AND y.year BETWEEN $((YEAR - 2)) AND $YEAR
		WHERE v.id = 1" 2>&1 || true
	echo '```'
	echo
} >"$OUT/credits.explain"

# Before each measurement: up to QUIET_WAIT s for the machine to be under 10 % busy (the box is
# shared), then the kit's wait_quiet (30 s more; names the measurement in credits.noise if busy).
settle() { # LABEL
	local i
	for ((i = 0; i < QUIET_WAIT; i++)); do
		(($(busy_pct) < 10)) && return 0 # busy_pct takes 1 s
	done
	wait_quiet "$1"
}

# One connection, no queueing: N sequential requests (one curl, keep-alive to nginx; nginx opens
# a FastCGI connection per request, as under wrk), SEQ rounds interleaved. Per request: wall
# time, CPU of the measured stack's processes (nginx + app + db from /proc: their own time, which
# outside load hardly changes, unlike req/s) and the server's counters (SHOW GLOBAL STATUS
# deltas; Questions less the SHOW itself).
COUNTERS="'Questions','Com_stmt_execute','Com_stmt_reset','Handler_read_key','Handler_read_next',
 'Rows_read','Innodb_buffer_pool_read_requests','Innodb_buffer_pool_reads'"
seqrun() { # LABEL DIR PATH COOKIE N ROUND
	local label=$1 d=$2 path=$3 cookie=$4 n=$5 r=$6 i a b c0 c1 w0 w1 ok url
	url=$(http_url "$d")$path
	RUN=$d
	for ((i = 0; i < n; i++)); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$OUT/credits.curlrc"
	a=$(sql "$d" -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ($COUNTERS)")
	w0=$(date +%s%N) c0=$(cpu_snapshot)
	ok=$(timeout 300 curl -s -b "tm_session=$cookie" -w '%{http_code}\n' -K "$OUT/credits.curlrc" | grep -c '^200$' || true)
	w1=$(date +%s%N) c1=$(cpu_snapshot)
	b=$(sql "$d" -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ($COUNTERS)")
	[[ $ok == "$n" ]] || die "$label: $ok of $n sequential requests answered 200"
	{
		printf '%s %s n=%d wall_us=%d ' "$label" "$r" "$n" "$(((w1 - w0) / 1000 / n))"
		echo "$c0 $c1" | awk -v hz="$(getconf CLK_TCK)" -v n="$n" '{
			f = 1e6 / hz / n
			printf "srv_us=%.0f nginx_us=%.0f app_us=%.0f db_us=%.0f", ($6 - $2 + $7 - $3 + $8 - $4) * f,
				($6 - $2) * f, ($7 - $3) * f, ($8 - $4) * f }'
		paste <(echo "$a") <(echo "$b") | awk -v n="$n" '{
			printf " %s=%.1f", $1, ($4 - $2 - ($1 == "Questions" ? 1 : 0)) / n }'
		echo
	} >>"$OUT/credits.seq"
}
for ((r = 1; r <= SEQ; r++)); do
	for t in "${TARGETS[@]}"; do
		read -r name d path cookie <<<"$t"
		n=$CREDITS_N
		[[ $name == hello || $name == me ]] && n=$HELLO_N
		settle "$name sequential $r"
		echo "sequential $r/$SEQ: $name ($n requests, one connection)" >&2
		seqrun "$name" "$d" "$path" "$cookie" "$n" "$r"
	done
done
rm -f "$OUT/credits.curlrc"

TIMEFORMAT='WRKCPU %U %S'
wrk_run() { # DURATION URL COOKIE [--latency]
	timeout 120 wrk -t "$THREADS" -c "$CONNS" -d "$1" ${4:+"$4"} -s "$OUT/credits.lua" "$2" -- "$3"
}
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TARGETS[@]}"; do
		read -r name d path cookie <<<"$t"
		RUN=$d # cpu_snapshot counts this stack's processes
		url=$(http_url "$d")$path
		settle "$name round $r"
		echo "round $r/$ROUNDS: $name ($WARMUP warm-up, $DURATION measured)" >&2
		wrk_run "$WARMUP" "$url" "$cookie" >/dev/null
		t0=$(date +%s%N) cpu0=$(cpu_snapshot)
		{ time wrk_run "$DURATION" "$url" "$cookie" --latency >"$OUT/credits.$name.$r.txt"; } 2>"$OUT/credits.time"
		t1=$(date +%s%N) cpu1=$(cpu_snapshot)
		line=$(sed -n 's/^RESULT //p' "$OUT/credits.$name.$r.txt")
		[[ -n $line ]] || die "no RESULT line from wrk for $name"
		cpu=$(echo "$cpu0 $cpu1 $(sed -n 's/^WRKCPU //p' "$OUT/credits.time")" |
			awk -v hz="$(getconf CLK_TCK)" -v ms="$(((t1 - t0) / 1000000))" '{
			k = hz * ms / 1000; wrk = ($9 + $10) * 1000 / ms; busy = ($5 - $1) / k
			ngx = ($6 - $2) / k; app = ($7 - $3) / k; db = ($8 - $4) / k
			printf "cpu_busy=%.2f cpu_nginx=%.2f cpu_app=%.2f cpu_db=%.2f cpu_wrk=%.2f cpu_other=%.2f",
				busy, ngx, app, db, wrk, busy - ngx - app - db - wrk }')
		echo "$name $r $line $cpu" >>"$OUT/credits.raw"
	done
done
rm -f "$OUT/credits.time"

# Where the ledger query's time goes, after the measurements (it adds an index to both throwaway
# stacks): the database CPU per query (mariadbd's /proc time over VARIANT_N runs in one client
# session, text protocol) of load_entries' query as it is, of the same query without the joins
# (what credits_year needs: day, hours, subject, compulsory), and of that narrow query once a
# covering index exists. VARIANTS=0 skips this.
variants() {
	local d st pid rep k n=${VARIANT_N:-300} t0 t1 w0 w1 pidl q
	local -A Q
	for st in S L; do
		[[ $st == S ]] && d=$S pidl=$PID || d=$L pidl=$PIDL
		pid=$(awk '$1 == "mariadbd" { print $2 }' "$d/pids")
		local W="WHERE r.person_id = $pidl AND r.completed_on BETWEEN '$((YEAR - 2))-01-01' AND '$YEAR-12-31'"
		Q[1_as_is]=$(ledger_sql "$pidl" | tr '\n' ' ')
		Q[2_no_joins]="SELECT r.completed_on, r.hours_x2, r.subject, r.compulsory FROM training_records r $W ORDER BY r.completed_on"
		Q[3_no_joins_covering]=${Q[2_no_joins]}
		Q[0_select_1]="SELECT 1"
		for k in 0_select_1 1_as_is 2_no_joins 3_no_joins_covering; do
			if [[ $k == 3_* ]]; then
				sql "$d" -e "ALTER TABLE training_records ADD KEY ix_bench_cover (person_id, completed_on, subject, compulsory, hours_x2)"
				echo "$st explain $k: $(sql "$d" -N -e "EXPLAIN ${Q[$k]}" | awk -F'\t' '{ print "key=" $6 ", rows=" $9 ", " $10 }')"
			elif [[ $k != 0_* ]]; then
				echo "$st explain $k: $(sql "$d" -N -e "EXPLAIN ${Q[$k]}" | awk -F'\t' 'NR == 1 { print "key=" $6 ", rows=" $9 ", " $10 }')"
			fi
			for ((rep = 1; rep <= 3; rep++)); do
				q=${Q[$k]}
				t0=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }') w0=$(date +%s%N)
				for ((i = 0; i < n; i++)); do echo "$q;"; done | sql "$d" -N >/dev/null
				t1=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }') w1=$(date +%s%N)
				echo "$st $k $rep db_us=$(((t1 - t0) * 1000000 / $(getconf CLK_TCK) / n)) wall_us=$(((w1 - w0) / 1000 / n))"
			done
		done
	done
}
variants_report() {
	echo "| stack | query | db CPU µs/query (median of 3) | per run | wall µs/query |"
	echo "| --- | --- | ---: | --- | ---: |"
	awk '$2 != "explain" {
		k = $1 " " $2; if (!(k in n)) order[++nk] = k; c = ++n[k]
		split($4, a, "="); db[k, c] = a[2]; split($5, b, "="); wl[k, c] = b[2]
	}
	function med3(x, y, z) { return x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y)) }
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, p, " ")
			printf "| %s | %s | %d | %d, %d, %d | %d |\n", p[1], p[2], med3(db[k, 1], db[k, 2], db[k, 3]),
				db[k, 1], db[k, 2], db[k, 3], med3(wl[k, 1], wl[k, 2], wl[k, 3])
		}
	}' "$OUT/credits.variants"
	echo
	sed -n 's/^\([SL]\) explain /- \1: /p' "$OUT/credits.variants"
}
if [[ ${VARIANTS:-1} == 1 ]]; then
	echo "query variants (adds an index to the throwaway stacks)" >&2
	variants >"$OUT/credits.variants"
fi

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
		pr1 = pr2 = pr3 = ""
		for (r = 1; r <= nr; r++) {
			pr1 = pr1 (r > 1 ? ", " : "") sprintf("%.3f", rps["credits_1M", r] / rps["hello", r])
			pr2 = pr2 (r > 1 ? ", " : "") sprintf("%.3f", rps["credits_1M", r] / rps["credits_10k", r])
			pr3 = pr3 (r > 1 ? ", " : "") sprintf("%.3f", rps["credits_10k", r] / rps["hello", r])
		}
		x = R["credits_1M"] / R["hello"]; y = R["credits_1M"] / R["credits_10k"]
		printf "- **credits@1M / hello = %.3f** (target ≥ 0.5: %s; per round %s)\n", x, x >= 0.5 ? "met" : "NOT met", pr1
		printf "- **credits@1M / credits@10k = %.3f** (target ≥ 0.9: %s; per round %s)\n", y, y >= 0.9 ? "met" : "NOT met", pr2
		printf "- credits@10k / hello = %.3f (per round %s)\n", R["credits_10k"] / R["hello"], pr3
		if (R["me"] > 0)
			printf "- me / hello = %.3f; credits@1M / me = %.3f (me = GET /api/v1/me: the session lookup and one" \
				" primary-key read, the least an authenticated GET with data does)\n", R["me"] / R["hello"],
				R["credits_1M"] / R["me"]
		if (R["credits_1M_db"] > 0 && R["credits_10k_db"] > 0) {
			pr1 = pr2 = ""
			for (r = 1; r <= nr; r++) {
				pr1 = pr1 (r > 1 ? ", " : "") sprintf("%.3f", rps["credits_1M_db", r] / rps["hello", r])
				pr2 = pr2 (r > 1 ? ", " : "") sprintf("%.3f", rps["credits_1M_db", r] / rps["credits_10k_db", r])
			}
			x = R["credits_1M_db"] / R["hello"]; y = R["credits_1M_db"] / R["credits_10k_db"]
			printf "- without the answer cache (every request reads MariaDB): credits@1M / hello = %.3f (per round %s);" \
				" **credits@1M / credits@10k = %.3f** (target ≥ 0.9: %s; per round %s)\n", x, pr1, y,
				y >= 0.9 ? "met" : "NOT met", pr2
		}
	}' "$OUT/credits.raw"
}

seqreport() {
	awk '
	function med(arr, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
		return arr[int((n + 1) / 2)]
	}
	{
		k = $1; if (!(k in n)) order[++nk] = k; c = ++n[k]
		for (i = 4; i <= NF; i++) { split($i, p, "="); v[k, p[1], c] = p[2]; if (!(p[1] in seen)) { seen[p[1]] = 1; cols[++nc] = p[1] } }
	}
	END {
		for (i = 1; i <= nk; i++) { k = order[i]; for (j = 1; j <= nc; j++) {
			for (c = 1; c <= n[k]; c++) a[c] = v[k, cols[j], c]; M[k, cols[j]] = med(a, n[k]) } }
		print "| target | wall µs/req | server CPU µs/req = nginx + app + db | per round (server) | statements" \
			" | Handler_read_key | Handler_read_next | Rows_read | buffer pool page reads (from disk) |"
		print "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= nk; i++) {
			k = order[i]; pr = ""
			for (c = 1; c <= n[k]; c++) pr = pr (c > 1 ? ", " : "") v[k, "srv_us", c]
			printf "| %s | %d | %d = %d + %d + %d | %s | %.0f (+ %.0f resets) | %.0f | %.0f | %.0f | %.0f (%.0f) |\n", k,
				M[k, "wall_us"], M[k, "srv_us"], M[k, "nginx_us"], M[k, "app_us"], M[k, "db_us"], pr,
				M[k, "Com_stmt_execute"], M[k, "Com_stmt_reset"], M[k, "Handler_read_key"],
				M[k, "Handler_read_next"], M[k, "Rows_read"], M[k, "Innodb_buffer_pool_read_requests"],
				M[k, "Innodb_buffer_pool_reads"]
		}
		print ""
		h = M["hello", "srv_us"]; a10 = M["credits_10k", "srv_us"]; a1m = M["credits_1M", "srv_us"]
		if (a10 > 0 && a1m > 0) {
			printf "- server CPU per request, hello ÷ credits@1M = %.3f, hello ÷ credits@10k = %.3f" \
				" (what req/s ratios would tend to when the server side is the bottleneck)\n", h / a1m, h / a10
			printf "- server CPU per request, credits@10k ÷ credits@1M = %.3f\n", a10 / a1m
			printf "- wall time per request at one connection, credits@1M = %.2f ms, credits@10k = %.2f ms, hello = %.2f ms\n",
				M["credits_1M", "wall_us"] / 1000, M["credits_10k", "wall_us"] / 1000, M["hello", "wall_us"] / 1000
			if (M["me", "srv_us"] > 0)
				printf "- credits@1M − me = %+d µs server CPU per request (app %+d, db %+d), %+.0f statements\n",
					a1m - M["me", "srv_us"], M["credits_1M", "app_us"] - M["me", "app_us"],
					M["credits_1M", "db_us"] - M["me", "db_us"], M["credits_1M", "Com_stmt_execute"] - M["me", "Com_stmt_execute"]
		}
		b10 = M["credits_10k_db", "srv_us"]; b1m = M["credits_1M_db", "srv_us"]
		if (b10 > 0 && b1m > 0) {
			printf "- without the answer cache: server CPU per request, hello ÷ credits@1M = %.3f, credits@10k ÷" \
				" credits@1M = %.3f", h / b1m, b10 / b1m
			if (M["credits_1M_db", "db_us"] > 0)
				printf "; db alone %.3f", M["credits_10k_db", "db_us"] / M["credits_1M_db", "db_us"]
			printf "\n"
		}
	}' "$OUT/credits.seq"
}

{
	echo "wrk -t $THREADS -c $CONNS -d $DURATION (after $WARMUP warm-up), $ROUNDS rounds interleaved, median;" \
		"GET /api/v1/me/credits?year=$YEAR, trainee with $ENTRIES entries; tmcred workers: $TM_WORKERS," \
		"hello processes: 2; nginx workers: ${NGINX_WORKERS:-auto}; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	report
	if [[ -s $OUT/credits.noise ]]; then
		echo
		echo "Outside load seen before: $(tr '\n' ';' <"$OUT/credits.noise")"
	fi
	echo
	echo "Data load (one INSERT ... SELECT each): $SMALL_ROWS rows in $((l1 - l0)) s, $LARGE_ROWS rows in $((l2 - l1)) s;" \
		"then waited for InnoDB's background work (seconds, dirty pages, history list length left):" \
		"S $QS, L $QL."
	echo
	echo "One connection, sequential requests ($HELLO_N hello and me, $CREDITS_N credits; $SEQ rounds" \
		"interleaved, median): wall time and server CPU per request; the counters are per request."
	echo
	seqreport
	echo
	echo '```'
	cat "$OUT/credits.answers"
	echo '```'
	echo
	cat "$OUT/credits.explain"
	if [[ -s $OUT/credits.variants ]]; then
		echo
		echo "Ledger query variants (database CPU per query; text protocol from the mariadb client):"
		echo
		variants_report
	fi
	echo
	echo "tmcred binary measured (copied to the run dirs at start):"
	echo
	echo '```'
	cat "$S/tmcred.build"
	echo '```'
} | tee "$OUT/credits.md"
