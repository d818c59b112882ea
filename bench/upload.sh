#!/usr/bin/env bash
# Issue 5, bulk upload: a ROWS-row (100,000) hours CSV as Excel writes it (GBK, CRLF, no BOM)
# sent with curl through nginx to POST /api/v1/batches?kind=hours&mode=atomic, against MariaDB's
# own LOAD DATA LOCAL INFILE of the same rows into the same table and one autocommitted INSERT
# per row, all in the same MariaDB of the same stack, in the same run. Targets of the issue:
# upload >= 0.7 x LOAD DATA rows/s; upload >= 20 x per-row autocommit; worker RSS growth
# < 32 MiB during the upload.
#
#   bench/upload.sh                      ~3 min (+ ~1 min for the kit's bulk.sh, KIT=1)
#   KIT=0 RUNS=1 bench/upload.sh         quicker look
#
# What runs, in order, in one stack (scripts/stack: MariaDB + tmcred-fcgi (2 workers) + nginx,
# loopback only) in STACK_DIR, with binaries copied from TMCRED_BUILD so that a rebuild
# elsewhere cannot swap them mid-run:
#  1. tmcred-ctl demo (catalogue, base SH-STEX, API key with roster|hours scopes); the slow log
#     is switched on (long_query_time=0, for the workers' connections only: the workers are
#     reloaded after SET GLOBAL) so that every statement of an upload is timed by the server.
#  2. Generated (python3, stdlib): PERSONS = ROWS/8 persons with valid GB 11643 numbers, a roster
#     (身份证号,姓名,手机号,电子邮箱,工作单位) and hours files (身份证号,姓名,课程代码,学时,完成日期):
#     8 rows per person on 8 different days, 1-8 学时 each, courses from the demo catalogue, all
#     GBK + CRLF + no BOM. File A is measured; file B (the same persons, 8 other days each, all
#     earlier) is a second fresh upload, profiled with perf when PERF=1.
#  3. Uploads, each timed by curl (time_total), with the workers' VmRSS sampled every 50 ms and
#     the CPU time of workers / mariadbd / nginx taken from /proc: roster; hours A (fresh: the
#     measured upload); hours A again (every row unchanged); hours B (fresh, table at ROWS rows).
#     Every answer is checked (accepted/unchanged counts), and the rows of A in training_records
#     (count and sum of hours).
#  4. References in the same MariaDB, on the rows upload A stored (exported from
#     training_records: person_id, course_id, base_id, hours_x2, completed_on, subject,
#     compulsory, source, source_ref, batch_id, created_by, with a fresh random natural_key):
#       load        LOAD DATA LOCAL INFILE into ub_ref, a copy of training_records (CREATE TABLE
#                   LIKE + the same foreign keys), emptied (re-created) before each of RUNS runs:
#                   the same table as the upload started with, nearly empty
#       load-ledger the same into a fresh copy with the ledger_years trigger training_records
#                   had from migration 0004 to 0013 (one upsert per row into an empty copy of
#                   ledger_years): what an INSERT into training_records cost before 0013
#       load-tr     the same into training_records itself (once; it then holds upload A's rows;
#                   since 0013 it has no INSERT trigger, so ledger_years is not kept for them)
#       csv-stage   LOAD DATA of hours CSV A itself (GBK, CRLF) into a bare staging table (no
#                   lookups, no checks): what the database's own CSV parser does with the bytes
#       row         one INSERT per row, autocommit, into an emptied ub_ref (mariadb client, text
#                   protocol, one round trip and one commit per row); stops after MAX_SECONDS
#     LOAD DATA is timed by the server (NOW(6) before and after, in the same connection), the
#     per-row loop from the client's start to its end.
#  5. KIT=1: the reference kit's own bulk.sh (MODES="load row", its own MariaDB and table), for
#     comparison with ../shared/bench/BASELINE.md.
# Before every measurement: dirty pages flushed (innodb_max_dirty_pages_pct=0 until none), and up
# to QUIET_WAIT s for the machine to be < 10 % busy (the box is shared): what was seen is reported.
#
# Knobs: ROWS (100000, a multiple of 8) RUNS (3) MAX_SECONDS (300) PERF (1) KIT (1)
# QUIET_WAIT (60) STACK_DIR (/tmp/tm.ub) PORT (free) TMCRED_BUILD (TOP/build) BENCH_KIT
# (../shared/bench) BENCH_RESULTS (bench/results/upload) KEEP (0: destroy the stack on exit)
# DB_POOL_MB, DB_LOG_MB (unset: scripts/stack's own buffer pool and redo log sizes; set, e.g.
# 256 and 256: SET GLOBAL before anything else, to see what the server's settings change).
# Report: stdout and BENCH_RESULTS/upload.md; raw lines, answers, RSS samples, slow-log phases
# and perf report beside it. Exit 0 even when a target is missed (the report says so); 1 when a
# check fails (wrong answer, wrong row count).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BUILD=${TMCRED_BUILD:-$TOP/build}
OUT=${BENCH_RESULTS:-$HERE/results/upload}
D=${STACK_DIR:-/tmp/tm.ub}
ROWS=${ROWS:-100000} RUNS=${RUNS:-3} MAX_SECONDS=${MAX_SECONDS:-300} PERF=${PERF:-1} KIT=${KIT:-1}
QUIET_WAIT=${QUIET_WAIT:-60} PORT=${PORT:-} DB_POOL_MB=${DB_POOL_MB:-} DB_LOG_MB=${DB_LOG_MB:-}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac

die() { echo "upload.sh: $*" >&2; exit 1; }
log() { echo "upload.sh: $*" >&2; }
for v in ROWS RUNS MAX_SECONDS QUIET_WAIT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
for v in DB_POOL_MB DB_LOG_MB; do
	[[ -z ${!v} || ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be empty or a positive integer"
done
((ROWS % 8 == 0)) || die "ROWS must be a multiple of 8"
PERSONS=$((ROWS / 8))
for t in curl python3 mariadb mariadbd nginx awk timeout; do
	command -v "$t" >/dev/null || die "missing $t"
done
((PERF == 0)) || command -v perf >/dev/null || { log "no perf: PERF=0"; PERF=0; }
for b in tmcred-fcgi tmcred-ctl; do [[ -x $BUILD/$b ]] || die "missing $BUILD/$b (build first)"; done
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
STACK=$TOP/scripts/stack

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/upload.*

# ---------------------------------------------------------------------------------- the stack

[[ $D =~ ^/[A-Za-z0-9._/-]+$ && ${#D} -le 40 ]] || die "STACK_DIR must be a short plain absolute path"
if [[ -e $D ]]; then
	[[ -f $D/.tmcred-stack ]] || die "$D exists and was not made by scripts/stack; set STACK_DIR"
	"$STACK" destroy "$D" >/dev/null 2>&1 || die "could not destroy the old stack in $D"
fi
PERF_PID='' SAMPLER_PID=''
cleanup() {
	[[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
	[[ -n $PERF_PID ]] && kill -INT "$PERF_PID" 2>/dev/null
	if [[ -f $D/.tmcred-stack ]]; then
		if [[ ${KEEP:-0} == 1 ]]; then "$STACK" stop "$D" >/dev/null 2>&1 || true
		else "$STACK" destroy "$D" >/dev/null 2>&1 || true; fi
	fi
	return 0
}
trap cleanup EXIT

# Binaries copied first: someone's `make` in build/ must not replace them during the run.
mkdir -p "$D/bin" "$D/data"
for b in tmcred-fcgi tmcred-ctl; do cp "$BUILD/$b" "$D/bin/$b"; done
export TMCRED_BUILD=$D/bin TMCRED_WORKERS=2
export TMCRED_LOGIN_RATE=6000r/m TMCRED_LOGIN_BURST=1000
log "starting the stack in $D"
"$STACK" start "$D" ${PORT:+"$PORT"} 2>"$OUT/upload.stack.log" || { cat "$OUT/upload.stack.log" >&2; die "stack start failed"; }
read -r PORT <"$D/port"
URL=http://127.0.0.1:$PORT

sql() { "$STACK" sql "$D" "$@"; } # root, database tmcred
ROOTSOCK=$D/run/mysqld.sock

# Optional: another buffer pool / redo log size than scripts/stack's own, both dynamic in
# MariaDB 10.11, to see what the server's settings have to do with the figures.
if [[ -n $DB_POOL_MB ]]; then
	sql -e "SET GLOBAL innodb_buffer_pool_size = $DB_POOL_MB * 1048576"
	for ((i = 0; i < 300; i++)); do
		[[ $(sql -N -e "SELECT @@innodb_buffer_pool_size DIV 1048576") -ge $DB_POOL_MB &&
			$(sql -N -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
				WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_RESIZE_STATUS'") != Resizing* ]] && break
		sleep 0.1
	done
fi
[[ -z $DB_LOG_MB ]] || sql -e "SET GLOBAL innodb_log_file_size = $DB_LOG_MB * 1048576"

"$STACK" ctl "$D" demo >"$D/data/demo.env" 2>>"$OUT/upload.stack.log" || die "tmcred-ctl demo failed"
KEY=$(sed -n "s/^BASE_API_KEY='\(.*\)'$/\1/p" "$D/data/demo.env")
[[ -n $KEY ]] || die "no BASE_API_KEY from tmcred-ctl demo"

# Every statement of the workers' connections into the slow log, timed by the server.
SLOW=$D/log/slow.log
sql -e "SET GLOBAL slow_query_log_file = '$SLOW', long_query_time = 0, log_slow_rate_limit = 1,
	log_slow_verbosity = 'query_plan', slow_query_log = 1"
"$STACK" start "$D" "$PORT" 2>>"$OUT/upload.stack.log" # reload: new workers, new connections

# ------------------------------------------------------------------------------------ the data

cat >"$D/data/gen.py" <<-'PY'
	# written by bench/upload.sh: roster + hours CSVs, GBK, CRLF, no BOM (as Excel saves "CSV")
	import datetime, sys
	persons, outdir = int(sys.argv[1]), sys.argv[2]
	W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
	AREAS = ['310101', '310104', '310105', '310106', '310107', '310109', '310110', '310112',
	         '310113', '310115', '320102', '330106', '110101', '440305', '510107', '420102']
	SUR = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈'
	GIV = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯健俊帆鹏晨欣怡雪梅琳'
	EMP = ['上海技术交易所', '复旦大学', '上海交通大学', '同济大学', '华东理工大学', '上海市科学技术委员会',
	       '张江高科技园区', '上海科技大学', '中国科学院上海分院', '上海国际技术交易市场']
	COURSES = ['J-PUB-01', 'J-PUB-02', 'J-POL-01', 'J-POL-02', 'J-PRA-01', 'J-PRA-02', 'J-ADV-01',
	           'I-PUB-01', 'I-POL-01', 'I-PRA-01', 'I-PRA-02', 'I-ADV-01', 'S-PUB-01', 'S-POL-01',
	           'S-PRA-01', 'S-ADV-01', 'S-ADV-02']

	def idn(p):
	    # (area, sequence) is unique per person: area = p % 16, sequence = p // 16 (< 1000)
	    birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=(p * 7919) % 13500)
	    s = AREAS[p % 16] + birth.strftime('%Y%m%d') + '%03d' % (p // 16)
	    return s + '10X98765432'[sum(int(c) * w for c, w in zip(s, W)) % 11]

	def name(p):
	    n = SUR[p % len(SUR)] + GIV[(p * 7) % len(GIV)]
	    return n + GIV[(p * 13) % len(GIV)] if p % 3 else n

	assert persons // 16 < 1000
	with open(outdir + '/roster.csv', 'w', encoding='gbk', newline='\r\n') as f:
	    f.write('身份证号,姓名,手机号,电子邮箱,工作单位\n')
	    for p in range(persons):
	        f.write('%s,%s,13%09d,,%s\n' % (idn(p), name(p), (p * 7919) % 10 ** 9, EMP[p % len(EMP)]))
	# Hours: row r is person r % persons on their (r // persons)-th day; 8 distinct days per
	# person in a 690-day window ending a week ago (file A) or 700 days earlier (file B).
	last = datetime.date.today() - datetime.timedelta(days=7)
	for tag, shift in (('a', 0), ('b', 700)):
	    first = last - datetime.timedelta(days=689 + shift)
	    rows = hx2 = 0
	    with open('%s/hours_%s.csv' % (outdir, tag), 'w', encoding='gbk', newline='\r\n') as f:
	        f.write('身份证号,姓名,课程代码,学时,完成日期\n')
	        for r in range(persons * 8):
	            p, k = r % persons, r // persons
	            day = first + datetime.timedelta(days=(p * 13 + k * 41) % 690)
	            h = 1 + (p * 7 + k * 3) % 8
	            f.write('%s,%s,%s,%d,%s\n' % (idn(p), name(p), COURSES[(p * 3 + k * 5) % 17], h,
	                                          day.isoformat()))
	            rows += 1
	            hx2 += 2 * h
	    print('%s %d %d' % (tag, rows, hx2))
PY
log "generating $PERSONS persons and 2 x $ROWS hours rows"
python3 "$D/data/gen.py" "$PERSONS" "$D/data" >"$D/data/expect"
read -r _ _ SUM_A < <(grep '^a ' "$D/data/expect")
read -r _ _ SUM_B < <(grep '^b ' "$D/data/expect")
for f in roster hours_a hours_b; do
	[[ $(head -c 3 "$D/data/$f.csv" | od -An -tx1 | tr -d ' ') != efbbbf ]] || die "$f.csv has a BOM"
done
[[ $(head -1 "$D/data/hours_a.csv" | od -An -c | tr -s ' ' | grep -c '\\r') == 1 ]] || die "hours_a.csv is not CRLF"

# ------------------------------------------------------------------------- measuring helpers

busy_pct() { # percent of CPU time not idle over one second, all cores
	local a b
	a=$(awk '/^cpu /{print $2+$3+$4+$6+$7+$8, $5}' /proc/stat)
	sleep 1
	b=$(awk '/^cpu /{print $2+$3+$4+$6+$7+$8, $5}' /proc/stat)
	echo "$a $b" | awk '{busy = $3 - $1; idle = $4 - $2; printf "%d", 100 * busy / (busy + idle + 1e-9)}'
}
# Flushes dirty pages (no run pays for another's writes), then waits for a quiet machine.
BUSY=0
settle() { # LABEL
	local i pct
	pct=$(sql -N -e 'SELECT @@innodb_max_dirty_pages_pct')
	sql -e 'SET GLOBAL innodb_max_dirty_pages_pct = 0'
	for ((i = 0; i < 600; i++)); do
		[[ $(sql -N -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
			WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'") == 0 ]] && break
		sleep 0.1
	done
	sql -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
	for ((i = 0; i < QUIET_WAIT; i++)); do
		BUSY=$(busy_pct)
		((BUSY < 10)) && return 0
	done
	log "warning: machine still ${BUSY}% busy before $1"
	echo "$1: ${BUSY}% busy before" >>"$OUT/upload.noise"
}

fcgi_master() { cat "$D/run/tmcred.pid"; }
kids() { local f; for f in /proc/"$1"/task/*/children; do tr ' ' '\n' <"$f"; done | grep -E '^[0-9]+$' || true; }
workers() { kids "$(fcgi_master)" | sort -n | tr '\n' ' '; }

# CPU ticks: "busy app db nginx" (busy from /proc/stat: every process and the kernel).
cpu_snap() {
	local m n
	m=$(fcgi_master)
	n=$(cat "$D/run/nginx.pid")
	{
		awk '/^cpu /{print "busy", $2+$3+$4+$6+$7+$8}' /proc/stat
		for p in "$m" $(kids "$m"); do echo "app $(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f12,13)"; done
		echo "db $(sed 's/.*) //' "/proc/$(cat "$D/run/mysqld.pid")/stat" | cut -d' ' -f12,13)"
		for p in "$n" $(kids "$n"); do echo "nginx $(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f12,13)"; done
	} 2>/dev/null | awk '{ t[$1] += $2 + $3 } END { printf "%d %d %d %d\n", t["busy"], t["app"], t["db"], t["nginx"] }'
}

STATUS_VARS="'Innodb_os_log_written','Innodb_data_fsyncs','Innodb_buffer_pool_pages_flushed',
 'Innodb_data_written','Innodb_log_waits','Innodb_rows_inserted','Innodb_rows_updated',
 'Innodb_rows_deleted','Innodb_rows_read','Innodb_buffer_pool_reads'"
status_snap() { sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ($STATUS_VARS)" | sort; }
status_delta() { # BEFORE AFTER -> "name=delta ..."
	paste <(echo "$1") <(echo "$2") | awk '{ printf "%s=%d ", $1, $4 - $2 }'
}

# RSS sampler: every 50 ms, "epoch pid:kB pid:kB" of the given pids, until STOPFILE (<= 20 min).
rss_sampler() { # OUT STOPFILE PID...
	local out=$1 stop=$2 i p k v line
	shift 2
	for ((i = 0; i < 24000; i++)); do
		[[ -e $stop ]] && break
		line=$EPOCHREALTIME
		for p in "$@"; do
			v=0
			while read -r k v _; do [[ $k == VmRSS: ]] && break; v=0; done 2>/dev/null <"/proc/$p/status" || v=0
			[[ -n $v ]] || v=0
			line+=" $p:$v"
		done
		echo "$line" >>"$out"
		sleep 0.05
	done
}
rss_now() { # PID... -> "pid:kB ..."
	local p k v s=""
	for p in "$@"; do
		v=0
		while read -r k v _; do [[ $k == VmRSS: ]] && break; v=0; done <"/proc/$p/status"
		s+="$p:$v "
	done
	echo "${s% }"
}

# upload NAME KIND FILE: one timed POST; appends a line to upload.raw; sets ANS (answer file).
upload() {
	local name=$1 kind=$2 file=$3 ws=() stop samples c0 c1 s0 s1 out code tt rb ra peak dir
	settle "$name"
	read -ra ws <<<"$(workers)"
	stop=$D/data/rss.stop.$name samples=$OUT/upload.rss.$name
	rm -f "$stop" "$samples"
	rb=$(rss_now "${ws[@]}")
	dir=$(stat -c %s "$SLOW" 2>/dev/null || echo 0)
	s0=$(status_snap)
	c0=$(cpu_snap)
	rss_sampler "$samples" "$stop" "${ws[@]}" &
	SAMPLER_PID=$!
	if [[ ${PROFILE_THIS:-0} == 1 ]]; then
		local pids
		pids="${ws[*]} $(cat "$D/run/mysqld.pid")"
		perf record -F 499 -g -o "$D/data/perf.data" -p "${pids// /,}" >/dev/null 2>"$OUT/upload.perf.log" &
		PERF_PID=$!
		sleep 1
	fi
	log "upload $name ($kind, $(wc -l <"$file") lines, $(stat -c %s "$file") bytes)"
	out=$(curl -sS --max-time 900 -o "$OUT/upload.$name.json" -H 'Expect:' \
		-w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $KEY" -H 'Content-Type: text/csv' --data-binary "@$file" \
		"$URL/api/v1/batches?kind=$kind&mode=atomic")
	c1=$(cpu_snap)
	if [[ -n $PERF_PID ]]; then
		kill -INT "$PERF_PID" 2>/dev/null || true
		wait "$PERF_PID" 2>/dev/null || true
		PERF_PID=
	fi
	s1=$(status_snap)
	touch "$stop"
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=
	ra=$(rss_now "${ws[@]}")
	read -r code tt <<<"$out"
	[[ $code == 201 ]] || die "upload $name answered $code: $(head -c 600 "$OUT/upload.$name.json")"
	peak=$(awk '{ for (i = 2; i <= NF; i++) { split($i, a, ":"); if (a[2] > m[a[1]]) m[a[1]] = a[2] } }
		END { for (p in m) printf "%s:%s ", p, m[p] }' "$samples")
	local ans
	ans=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]));
print(" ".join("%s=%s" % (k, a[k]) for k in ("batch_id","status","rows","accepted","rejected","unchanged","errors_total")))' \
		"$OUT/upload.$name.json")
	echo "name=$name kind=$kind bytes=$(stat -c %s "$file") http=$code seconds=$tt" \
		"$ans busy_before=$BUSY cpu=$(echo "$c0 $c1" | awk '{ printf "%d,%d,%d,%d", $5-$1, $6-$2, $7-$3, $8-$4 }')" \
		"rss_before=${rb// /,} rss_peak=$(echo "$peak" | sed 's/ $//;s/ /,/g') rss_after=${ra// /,}" \
		"slow_from=$dir $(status_delta "$s0" "$s1")" >>"$OUT/upload.raw"
	ANS=$OUT/upload.$name.json
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# ---------------------------------------------------------------------------------- uploads

upload roster roster "$D/data/roster.csv"
[[ $(field "$ANS" accepted) == "$PERSONS" ]] || die "roster: accepted $(field "$ANS" accepted), expected $PERSONS"

upload hours_a hours "$D/data/hours_a.csv"
[[ $(field "$ANS" accepted) == "$ROWS" ]] || die "hours_a: accepted $(field "$ANS" accepted), expected $ROWS"
BATCH_A=$(field "$ANS" batch_id)
got=$(sql -N -e "SELECT CONCAT(COUNT(*), ' ', SUM(hours_x2)) FROM training_records WHERE batch_id = $BATCH_A")
[[ $got == "$ROWS $SUM_A" ]] || die "training_records for batch $BATCH_A: $got, expected $ROWS $SUM_A"

upload hours_a_again hours "$D/data/hours_a.csv"
[[ $(field "$ANS" accepted) == 0 && $(field "$ANS" unchanged) == "$ROWS" ]] ||
	die "hours_a_again: accepted $(field "$ANS" accepted), unchanged $(field "$ANS" unchanged); expected 0, $ROWS"

PROFILE_THIS=$PERF upload hours_b hours "$D/data/hours_b.csv"
[[ $(field "$ANS" accepted) == "$ROWS" ]] || die "hours_b: accepted $(field "$ANS" accepted), expected $ROWS"
BATCH_B=$(field "$ANS" batch_id)
got=$(sql -N -e "SELECT CONCAT(COUNT(*), ' ', SUM(hours_x2)) FROM training_records WHERE batch_id = $BATCH_B")
[[ $got == "$ROWS $SUM_B" ]] || die "training_records for batch $BATCH_B: $got, expected $ROWS $SUM_B"
sql -e "SET GLOBAL slow_query_log = 0"

# ------------------------------------------------------------------------------- references

# The rows upload A stored, as LOAD DATA input (tab-separated, \N for NULL), natural_key random.
sql -N -B -r -e "SELECT person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, source,
	source_ref, batch_id, created_by FROM training_records WHERE batch_id = $BATCH_A ORDER BY id" >"$D/data/rows.raw"
python3 - "$D/data" <<-'PY'
	import os, sys
	d = sys.argv[1]
	cols = ('person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, source,'
	        ' source_ref, batch_id, created_by, natural_key')
	with open(d + '/rows.raw') as src, open(d + '/rows.tsv', 'w') as tsv, open(d + '/rows.sql', 'w') as ins:
	    for line in src:
	        f = line.rstrip('\n').split('\t')
	        assert len(f) == 11, line
	        nk = os.urandom(32).hex()
	        tsv.write('\t'.join(['\\N' if x == 'NULL' else x for x in f] + [nk]) + '\n')
	        # numbers bare, strings quoted (completed_on, subject, source, source_ref)
	        v = ['NULL' if x == 'NULL' else "'%s'" % x if i in (4, 5, 7, 8) else x for i, x in enumerate(f)]
	        ins.write('INSERT INTO ub_ref (%s) VALUES (%s, UNHEX(\'%s\'));\n' % (cols, ', '.join(v), nk))
PY
[[ $(wc -l <"$D/data/rows.tsv") == "$ROWS" ]] || die "exported $(wc -l <"$D/data/rows.tsv") rows, expected $ROWS"

# A fresh, empty copy of training_records: same columns, keys and foreign keys, no triggers
# (the append-only ones fire on UPDATE and DELETE only; the ledger_years one is added by
# ledger_ref for the load-ledger reference).
fresh_ref() {
	sql <<-'SQL'
		DROP TABLE IF EXISTS ub_ref;
		CREATE TABLE ub_ref LIKE training_records;
		ALTER TABLE ub_ref
		  ADD CONSTRAINT fk_ub_ref_person FOREIGN KEY (person_id) REFERENCES persons (id),
		  ADD CONSTRAINT fk_ub_ref_course FOREIGN KEY (course_id) REFERENCES courses (id),
		  ADD CONSTRAINT fk_ub_ref_base FOREIGN KEY (base_id) REFERENCES bases (id),
		  ADD CONSTRAINT fk_ub_ref_reverses FOREIGN KEY (reverses_id) REFERENCES ub_ref (id);
		DROP TABLE IF EXISTS ub_stage;
		CREATE TABLE ub_stage (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
		  id_number VARCHAR(18) NOT NULL, name VARCHAR(50) NOT NULL, course_code VARCHAR(16) NOT NULL,
		  hours DECIMAL(4, 1) NOT NULL, completed_on DATE NOT NULL)
		  ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
	SQL
}
# The copy plus what an INSERT into training_records did before migration 0013:
# training_records_ledger as migration 0004 made it (one ledger_years upsert per row), into an
# empty copy of ledger_years.
ledger_ref() {
	sql <<-'SQL'
		DROP TABLE IF EXISTS ub_ledger;
		CREATE TABLE ub_ledger LIKE ledger_years;
		ALTER TABLE ub_ledger ADD CONSTRAINT fk_ub_ledger_person FOREIGN KEY (person_id) REFERENCES persons (id);
		CREATE TRIGGER ub_ref_ledger AFTER INSERT ON ub_ref FOR EACH ROW INSERT INTO ub_ledger (person_id, year, professional_x2, general_x2, compulsory_x2) VALUES (NEW.person_id, YEAR(NEW.completed_on), IF(NEW.subject = 'professional', NEW.hours_x2, 0), IF(NEW.subject = 'general', NEW.hours_x2, 0), IF(NEW.subject = 'general' AND NEW.compulsory = 1, NEW.hours_x2, 0)) ON DUPLICATE KEY UPDATE professional_x2 = professional_x2 + VALUES(professional_x2), general_x2 = general_x2 + VALUES(general_x2), compulsory_x2 = compulsory_x2 + VALUES(compulsory_x2);
	SQL
}
# ref NAME TABLE FILE: one LOAD DATA, timed by the server; appends to upload.raw.
ref_load() {
	local name=$1 table=$2 file=$3 s0 s1 c0 c1 line cols
	if [[ $table == ub_stage ]]; then
		cols="CHARACTER SET gbk FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES
			(id_number, name, course_code, hours, completed_on)"
	else
		cols="FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (person_id, course_id, base_id,
			hours_x2, completed_on, subject, compulsory, source, source_ref, batch_id, created_by, @nk)
			SET natural_key = UNHEX(@nk)"
	fi
	settle "$name"
	s0=$(status_snap)
	c0=$(cpu_snap)
	line=$(mariadb --no-defaults --socket="$ROOTSOCK" -u root --local-infile=1 -N tmcred -e "
		SET SESSION long_query_time = 100000; SET @t0 = NOW(6);
		LOAD DATA LOCAL INFILE '$file' INTO TABLE $table $cols;
		SELECT ROW_COUNT(), @@warning_count, TIMESTAMPDIFF(MICROSECOND, @t0, NOW(6)) / 1e6;")
	c1=$(cpu_snap)
	s1=$(status_snap)
	read -r n warn secs <<<"$line"
	[[ $n == "$ROWS" && $warn == 0 ]] || die "$name: LOAD DATA loaded $n rows with $warn warnings"
	echo "name=$name rows=$n seconds=$secs busy_before=$BUSY" \
		"cpu=$(echo "$c0 $c1" | awk '{ printf "%d,%d,%d,%d", $5-$1, $6-$2, $7-$3, $8-$4 }') $(status_delta "$s0" "$s1")" >>"$OUT/upload.raw"
}

for ((r = 1; r <= RUNS; r++)); do
	fresh_ref
	ref_load load ub_ref "$D/data/rows.tsv"
	ref_load csv-stage ub_stage "$D/data/hours_a.csv"
	fresh_ref
	ledger_ref
	ref_load load-ledger ub_ref "$D/data/rows.tsv"
done
sql -e "DROP TABLE IF EXISTS ub_ledger"
# Into training_records itself (append-only: it keeps these rows; natural keys are fresh).
ref_load load-tr training_records "$D/data/rows.tsv"

fresh_ref
settle row
s0=$(status_snap)
c0=$(cpu_snap)
t0=$EPOCHREALTIME
log "row: one autocommitted INSERT per row, at most $MAX_SECONDS s"
TIMEFORMAT='%U %S'
{ time { { echo "SET SESSION long_query_time = 100000;"; cat "$D/data/rows.sql"; } |
	timeout "$MAX_SECONDS" mariadb --no-defaults --socket="$ROOTSOCK" -u root -B tmcred >/dev/null || true; }; } 2>"$D/data/row.time"
t1=$EPOCHREALTIME
c1=$(cpu_snap)
s1=$(status_snap)
n=$(sql -N -e "SELECT COUNT(*) FROM ub_ref")
echo "name=row rows=$n seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') busy_before=$BUSY" \
	"complete=$((n == ROWS)) client_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$D/data/row.time") cpu=$(echo "$c0 $c1" | awk '{ printf "%d,%d,%d,%d", $5-$1, $6-$2, $7-$3, $8-$4 }')" \
	"$(status_delta "$s0" "$s1")" >>"$OUT/upload.raw"

CONDITIONS=$(sql -N -e "SELECT CONCAT('MariaDB ', @@version, ', innodb_buffer_pool_size=',
	@@innodb_buffer_pool_size DIV 1048576, 'M, innodb_log_file_size=', @@innodb_log_file_size DIV 1048576,
	'M, innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, ', innodb_doublewrite=',
	@@innodb_doublewrite, ', log_bin=', @@log_bin)")
TABLES=$(sql -t -e "SELECT table_name, table_rows AS rows_est, ROUND(data_length / 1048576, 1) AS data_MiB,
	ROUND(index_length / 1048576, 1) AS index_MiB FROM information_schema.tables WHERE table_schema = 'tmcred'
	AND table_name IN ('training_records', 'persons', 'batch_rows', 'ub_ref', 'ub_stage')")

# ------------------------------------------------------------------------- slow log, perf

# Statements of each hours upload from the slow log, grouped by kind, with the server's times.
python3 - "$SLOW" "$OUT/upload.raw" >"$OUT/upload.phases" <<-'PY'
	import re, sys
	slow, raw = sys.argv[1], sys.argv[2]
	runs = []
	for line in open(raw):
	    kv = dict(x.split('=', 1) for x in line.split() if '=' in x)
	    if 'slow_from' in kv:
	        runs.append((kv['name'], int(kv['slow_from']), float(kv['seconds'])))
	data = open(slow, 'rb').read()
	def label(q):
	    q = ' '.join(q.split())
	    for pat, lab in ((r'^INSERT INTO batch_rows', 'INSERT INTO batch_rows (array-bound chunk)'),
	                     (r'^INSERT INTO training_records .* SELECT ', 'INSERT INTO training_records ... SELECT'),
	                     (r'^INSERT INTO training_records', 'INSERT INTO training_records (array-bound chunk)'),
	                     (r'^INSERT INTO ledger_years .* SELECT ', 'INSERT INTO ledger_years ... SELECT (recomputed, persons with earlier records)'),
	                     (r'^INSERT INTO ledger_years', 'INSERT INTO ledger_years (per person-year, array-bound)'),
	                     (r'^SELECT id_blind, id, name FROM persons', 'SELECT persons IN (chunk) FOR UPDATE'),
	                     (r'^SELECT natural_key FROM training_records', 'SELECT natural_key IN (chunk)'),
	                     (r'^SELECT person_id, DATEDIFF', 'SELECT stored day sums of the chunk\'s persons'),
	                     (r'^SELECT code, id, level', 'SELECT courses IN (new codes)'),
	                     (r'^INSERT INTO persons', 'INSERT INTO persons ... SELECT'),
	                     (r'^DELETE FROM batch_rows', 'DELETE FROM batch_rows'),
	                     (r'^INSERT INTO batch_errors', 'INSERT INTO batch_errors')):
	        if re.match(pat, q):
	            return lab
	    if q.startswith('UPDATE batch_rows'):
	        for key, lab in (('person_unknown', 'UPDATE: person registered, name'),
	                         ('course_unknown', 'UPDATE: course known, level at base'),
	                         ("'row_duplicate', b.err_col = ''", 'UPDATE: duplicate rows in the file'),
	                         ('row_duplicate', 'UPDATE: duplicate rows in the file'),
	                         ('b.seen = 1', 'UPDATE: rows already stored (natural key)'),
	                         ('hours_over_daily_cap', 'UPDATE: daily cap'),
	                         ('name_mismatch', 'UPDATE: roster name check')):
	            if key in q:
	                return lab
	    return q[:60]
	for name, start, wall in runs:
	    nxt = [s for n, s, w in runs if s > start]
	    chunk = data[start:min(nxt) if nxt else len(data)].decode('utf-8', 'replace')
	    agg, total, n = {}, 0.0, 0
	    for e in re.split(r'\n(?=# Time: |# User@Host: )', chunk):
	        if '# User@Host: tmcred[' not in e:
	            continue
	        m = re.search(r'Query_time: ([\d.]+).*?Rows_examined: (\d+)', e)
	        ra = re.search(r'Rows_affected: (\d+)', e)
	        q = [l for l in e.split('\n') if l and not l.startswith('#') and not l.startswith('SET timestamp')
	             and not l.startswith('use ')]
	        if not m or not q:
	            continue
	        lab = label(' '.join(q))
	        a = agg.setdefault(lab, [0, 0.0, 0, 0])
	        a[0] += 1
	        a[1] += float(m.group(1))
	        a[2] += int(m.group(2))
	        a[3] += int(ra.group(1)) if ra else 0
	        total += float(m.group(1))
	        n += 1
	    print('## %s: %.3f s wall (curl), %.3f s in %d statements (server time), %.3f s outside them\n'
	          % (name, wall, total, n, wall - total))
	    print('| statement | count | seconds | share of wall | rows examined | rows affected |')
	    print('| --- | ---: | ---: | ---: | ---: | ---: |')
	    for lab, a in sorted(agg.items(), key=lambda x: -x[1][1]):
	        print('| %s | %d | %.3f | %.1f %% | %d | %d |' % (lab, a[0], a[1], 100 * a[1] / wall, a[2], a[3]))
	    print()
PY

if [[ -f $D/data/perf.data ]]; then
	perf report -i "$D/data/perf.data" --no-children -g none --sort comm,dso,symbol --stdio 2>/dev/null |
		grep -v '^$' | grep -E '^ +[0-9]' | head -60 >"$OUT/upload.perf" || true
	perf report -i "$D/data/perf.data" --no-children -g none --sort comm,dso --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | head -20 >"$OUT/upload.perf-dso" || true
fi

if [[ ${KEEP:-0} != 1 ]]; then
	"$STACK" destroy "$D" >/dev/null 2>&1 || log "warning: destroy $D failed"
else
	"$STACK" stop "$D" >/dev/null 2>&1 || true
fi

# ------------------------------------------------------------------------------------ the kit

if [[ $KIT == 1 ]]; then
	log "the kit's bulk.sh (MODES='load row', ROWS=$ROWS)"
	KR=/tmp/tmb-ub.kit
	if [[ -e $KR && ! -f $KR/.tmcred-bench ]]; then die "$KR exists and is not a kit run dir"; fi
	BENCH_RUN=$KR BENCH_RESULTS=$OUT/kit MODES="load row" ROWS=$ROWS MAX_SECONDS=$MAX_SECONDS \
		"$BENCH_KIT/bulk.sh" >"$OUT/upload.kit.log" 2>&1 || log "warning: the kit's bulk.sh failed; see $OUT/upload.kit.log"
	[[ -f $KR/.tmcred-bench ]] && rm -rf -- "$KR"
fi

# ----------------------------------------------------------------------------------- report

report() {
	awk -v rows="$ROWS" -v hz="$(getconf CLK_TCK)" '
	function med(arr, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
		return arr[int((n + 1) / 2)]
	}
	{
		delete v
		for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k); x = $i; sub(/^[^=]*=/, "", x); v[k] = x }
		nm = v["name"]
		if (!(nm in cnt)) order[++no] = nm
		cnt[nm]++
		secs[nm, cnt[nm]] = v["seconds"]
		nrows[nm] = (v["accepted"] + 0 > 0) ? v["accepted"] + 0 : (v["unchanged"] + 0 > 0 ? v["unchanged"] + 0 : v["rows"] + 0)
		split(v["cpu"], c, ",")
		cpu[nm] = sprintf("%.2f / %.2f / %.2f / %.2f", c[1] / hz, c[2] / hz, c[3] / hz, c[4] / hz)
		other[nm] = sprintf("%.2f", (c[1] - c[2] - c[3] - c[4]) / hz)
		busy[nm] = busy[nm] (busy[nm] == "" ? "" : ",") v["busy_before"]
		redo[nm] = sprintf("%.1f", v["Innodb_os_log_written"] / 1048576)
		fsyncs[nm] = v["Innodb_data_fsyncs"]
		flushed[nm] = v["Innodb_buffer_pool_pages_flushed"]
		if (v["rss_before"] != "") {
			n1 = split(v["rss_before"], b, ","); split(v["rss_peak"], pk, ","); split(v["rss_after"], af, ",")
			g = 0; s = ""
			for (i = 1; i <= n1; i++) {
				split(b[i], bb, ":"); split(af[i], aa, ":")
				pv = 0; for (j in pk) { split(pk[j], pp, ":"); if (pp[1] == bb[1]) pv = pp[2] }
				s = s sprintf("%s%.1f → %.1f → %.1f", (i > 1 ? "; " : ""), bb[2] / 1024, pv / 1024, aa[2] / 1024)
				if (pv - bb[2] > g) g = pv - bb[2]
			}
			rss[nm] = s; rssg[nm] = g / 1024
		}
		ans[nm] = v["status"] != "" ? sprintf("HTTP %s, status %s, accepted %s, unchanged %s, rejected %s", v["http"], v["status"], v["accepted"], v["unchanged"], v["rejected"]) : (v["complete"] == "0" ? "stopped at the time limit" : "")
	}
	END {
		for (k = 1; k <= no; k++) { nm = order[k]; for (j = 1; j <= cnt[nm]; j++) a[j] = secs[nm, j]; s = med(a, cnt[nm]); msec[nm] = s; rate[nm] = nrows[nm] / s }
		print "| what | rows | seconds | rows/s | CPU s: all busy / workers / mariadbd / nginx (other) | redo MiB | fsyncs | pages flushed | busy % before |"
		print "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
		for (k = 1; k <= no; k++) {
			nm = order[k]
			printf "| %s%s | %d | %.3f | %.0f | %s (%s) | %s | %s | %s | %s |\n", nm, (cnt[nm] > 1 ? sprintf(" (median of %d)", cnt[nm]) : ""),
				nrows[nm], msec[nm], rate[nm], cpu[nm], other[nm], redo[nm], fsyncs[nm], flushed[nm], busy[nm]
		}
		print ""
		print "Answers:"
		for (k = 1; k <= no; k++) { nm = order[k]; if (ans[nm] != "") printf "- %s: %s\n", nm, ans[nm] }
		print ""
		print "Worker VmRSS, MiB, before → peak during → after, per worker (the one that took the upload grows):"
		for (k = 1; k <= no; k++) { nm = order[k]; if (rss[nm] != "") printf "- %s: %s; largest growth %.1f MiB\n", nm, rss[nm], rssg[nm] }
		print ""
		u = rate["hours_a"]
		printf "Ratios (hours_a, the fresh 100k upload):\n"
		if (rate["load"]) printf "- upload / LOAD DATA into a copy of training_records = **%.3f** (target >= 0.7): %s\n", u / rate["load"], (u / rate["load"] >= 0.7 ? "met" : "MISSED")
		if (rate["load-ledger"]) printf "- upload / LOAD DATA into the copy plus the ledger_years trigger (training_records until migration 0013) = %.3f\n", u / rate["load-ledger"]
		if (rate["load-tr"]) printf "- upload / LOAD DATA into training_records itself = %.3f\n", u / rate["load-tr"]
		if (rate["csv-stage"]) printf "- upload / LOAD DATA of the CSV itself into a bare staging table = %.3f\n", u / rate["csv-stage"]
		if (rate["row"]) printf "- upload / one autocommitted INSERT per row = **%.1f** (target >= 20): %s\n", u / rate["row"], (u / rate["row"] >= 20 ? "met" : "MISSED")
		printf "- worker RSS growth during the upload = **%.1f MiB** (target < 32): %s\n", rssg["hours_a"], (rssg["hours_a"] < 32 ? "met" : "MISSED")
		if (rate["hours_b"]) printf "- hours_b (fresh, table at %d rows%s) / LOAD DATA = %.3f\n", rows, "", rate["hours_b"] / rate["load"]
		if (rate["hours_a_again"]) printf "- re-upload, all unchanged: %.0f rows/s = %.3f x LOAD DATA\n", rate["hours_a_again"], rate["hours_a_again"] / rate["load"]
	}' "$OUT/upload.raw"
}

{
	echo "# bench/upload.sh: $ROWS-row hours upload (GBK, CRLF, no BOM), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Stack: scripts/stack (2 workers), $CONDITIONS; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"$(nginx -v 2>&1 | sed 's/.*: //'), curl $(curl -V | awk 'NR == 1 { print $2 }')"
	echo
	report
	echo
	[[ ${PERF:-0} == 1 ]] && echo "hours_b ran under perf record -F 499 -g (workers + mariadbd): its time includes that overhead."
	echo
	echo "Tables at the end:"
	echo
	echo '```'
	echo "$TABLES"
	echo '```'
	if [[ -s $OUT/upload.noise ]]; then
		echo
		echo "Machine busy before: $(tr '\n' ';' <"$OUT/upload.noise")"
	fi
	if [[ -f $OUT/kit/bulk.md ]]; then
		echo
		echo "The kit's bulk.sh in the same session (its own MariaDB and table, see ../shared/bench/BASELINE.md):"
		echo
		cat "$OUT/kit/bulk.md"
	fi
	echo
	cat "$OUT/upload.phases"
} | tee "$OUT/upload.md"
