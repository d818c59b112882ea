#!/usr/bin/env bash
# Issue 7, certificate verification: in one run on one throwaway stack of the reference kit
# (../shared/bench: MariaDB + nginx, loopback only), with tmcred put in by bench/tmcred-hook.sh:
#
# 1. Fill. CERTS (100,000) persons made with one INSERT ... SELECT (names 测试张三N, random
#    id_blind, dummy id_enc), then `tmcred-ctl cert-import-many junior TODAY` with their ids on
#    stdin (one transaction per certificate; prints "serial link"). Time per STEP (10,000)
#    certificates, the first and last step compared; the process's VmRSS at every step and its
#    max RSS (/usr/bin/time -v); server statements per certificate (SHOW GLOBAL STATUS deltas).
#    tmcred's [node] base_url is HTTP://127.0.0.1:PORT/TM (TM_BASE_URL of the hook), and nginx
#    passes /TM/X to tmcred as X (bench/tmcred.nginx.conf), so the printed links are requested
#    exactly as printed. Then every certificate gets the demo base (base_id is not signed), so
#    the verify's join to bases has a row to read, as in production.
# 2. One connection, SEQ_N sequential requests per target (one curl, keep-alive to nginx):
#    wall time, server CPU per request from /proc, SQL statements per request from the server's
#    counters (Questions, Com_stmt_execute, Com_insert ...), rows in certificate_verifications.
# 3. Load: wrk -t THREADS -c CONNS, WARMUP then DURATION with --latency (the kit's http.sh
#    command lines), ROUNDS rounds interleaving every target, median. References (the kit's, its
#    wrk script ref/random_serial.lua over its own 100,000 seeded serials): ceiling (nginx return
#    200), hello (libfcgi), verify_c (libfcgi + one prepared primary-key SELECT), php2/php4
#    (PHP-FPM + PDO, pm static 2/4). tmcred (bench/verify.lua over the 100,000 issued links, a
#    random one per request): valid (GET /tm/api/v1/verify/SERIAL?s=TOKEN, JSON), page (GET
#    /TM/V/SERIAL/TOKEN, the HTML page the QR opens), forged (the JSON API with one character of
#    the token's signature part changed). The issue's ratios with met / not met.
#    No nginx rate limit applies to any benchmark location (the production limit_req of
#    nginx/nginx.conf.in is not part of the kit's nginx config).
# 4. WHATIF=1: what the per-verification INSERT costs, one more round of valid + verify_c
#    each with innodb_flush_log_at_trx_commit = 2 (no fsync per commit) and with
#    certificate_verifications as a BLACKHOLE table (the INSERT's round trip stays, its storage
#    work goes); both undone after.
# 5. CG=1: callgrind (user-space instructions per request of one worker, from the difference of
#    a CG_N1- and a CG_N2-request run, as bench/callgrind.sh) for hello, valid and forged, with a
#    per-function breakdown.
#
#   flock /tmp/tmcred-heavy.lock bench/verify.sh       ~16 min on a quiet box
#   CERTS=20000 ROUNDS=1 DURATION=5s CG=0 WHATIF=0 bench/verify.sh     quick look
#
# Knobs: CERTS (100000) STEP (10000) THREADS (2) CONNS (64) DURATION (10s) WARMUP (3s) ROUNDS
# (3) C_WORKERS (2: hello, verify_c) TM_WORKERS (2) SEQ_N (2000) QUIET_WAIT (10: seconds before
# each measurement for the box to be < 10 % busy, else noted in the report) WHATIF (1) CG (1) CG_N1
# (300) CG_N2 (1500) TMCRED_BUILD BENCH_KIT BENCH_RUN (/tmp/tmb-verify) BENCH_RESULTS
# (bench/results/verify). Report: stdout and BENCH_RESULTS/verify.md, raw outputs beside it.
# Everything started is stopped on exit (the kit's stack.sh stop), also on failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export BENCH_KIT=${BENCH_KIT:-$TOP/../shared/bench}
BENCH_KIT=$(cd "$BENCH_KIT" && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export TM_WORKERS=${TM_WORKERS:-2}
export BENCH_RUN=${BENCH_RUN:-/tmp/tmb-verify}
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results/verify}
export BENCH_NGINX_EXTRA=$HERE/tmcred.nginx.conf
CERTS=${CERTS:-100000} STEP=${STEP:-10000}
THREADS=${THREADS:-2} CONNS=${CONNS:-64} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3} C_WORKERS=${C_WORKERS:-2} SEQ_N=${SEQ_N:-2000} QUIET_WAIT=${QUIET_WAIT:-10}
WHATIF=${WHATIF:-1} CG=${CG:-1} CG_N1=${CG_N1:-300} CG_N2=${CG_N2:-1500}
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin:/sbin ;; esac

for v in CERTS STEP THREADS CONNS ROUNDS C_WORKERS SEQ_N QUIET_WAIT CG_N1 CG_N2; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "verify.sh: $v must be a positive integer" >&2; exit 2; }
done
((CERTS >= STEP && CG_N2 > CG_N1 && CERTS >= CG_N2)) ||
	{ echo "verify.sh: need CERTS >= STEP, CERTS >= CG_N2 > CG_N1" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$TOP/scripts/lib.sh" # ensure_packages
ensure_packages wrk spawn-fcgi nginx-light mariadb-server mariadb-client libfcgi-dev libmariadb-dev \
	php-fpm php-mysql valgrind curl pkg-config time
# shellcheck disable=SC2034 # read by the kit's lib.sh
BENCH_DIR=$BENCH_KIT
# shellcheck source=/dev/null
source "$BENCH_KIT/lib.sh" # die need busy_pct cpu_snapshot start_stack build; OUT=$BENCH_RESULTS
need wrk spawn-fcgi nginx mariadbd mariadb curl cc pkg-config awk perl valgrind callgrind_annotate /usr/bin/time
PHP_FPM=$(command -v php-fpm8.2 || command -v php-fpm || true)
[[ -n $PHP_FPM ]] || die "missing php-fpm"
for b in tmcred-fcgi tmcred-ctl; do
	[[ -x $TMCRED_BUILD/$b ]] || die "missing $TMCRED_BUILD/$b (build first: see bench/README.md)"
done
# Section 2 and the proposals in verify.md read certs/verify.c's two statements; say so if they changed.
grep -q 'INSERT INTO certificate_verifications' "$TOP/certs/verify.c" ||
	echo "verify.sh: warning: certs/verify.c no longer inserts into certificate_verifications per verify" >&2

mkdir -p "$OUT"
rm -f "$OUT"/verify.* "$OUT"/cg.*
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
start_stack # fresh kit stack in BENCH_RUN, stopped on exit; exports RUN/env
DB=(mariadb --defaults-file="$RUN/client.cnf")
sql() { mariadb --defaults-file="$RUN/my.cnf" --user=root --default-character-set=utf8mb4 tmcred "$@"; }

# ------------------------------------------------------------------ references (as the kit's http.sh)
echo "building and starting the kit's references" >&2
build hello fcgi
build verify fcgi libmariadb
"${DB[@]}" <"$BENCH_KIT/ref/certificates.sql" >/dev/null
"${DB[@]}" -N -e 'SELECT serial FROM certificates' >"$RUN/serials.txt"
"$STACK" fcgi hello "$C_WORKERS" "$RUN/bin/hello"
"$STACK" fcgi verify "$C_WORKERS" "$RUN/bin/verify"
RUN_AS_ROOT=()
[[ $(id -u) == 0 ]] && RUN_AS_ROOT=(--allow-to-run-as-root)
pool() { # NAME CHILDREN
	cat <<-EOF
		[$1]
		listen = $RUN/$1.sock
		listen.mode = 0666
		pm = static
		pm.max_children = $2
		env[DB_SOCK] = $DB_SOCK
		env[DB_USER] = $DB_USER
		env[DB_PASS] = $DB_PASS
		env[DB_NAME] = $DB_NAME
	EOF
}
{
	printf '[global]\npid = %s\nerror_log = %s\ndaemonize = no\n' "$RUN/php-fpm.pid" "$RUN/php-fpm.err"
	pool php2 2
	pool php4 4
} >"$RUN/php-fpm.conf"
"$STACK" daemon php-fpm "$PHP_FPM" --nodaemonize "${RUN_AS_ROOT[@]}" --fpm-config "$RUN/php-fpm.conf"

# ------------------------------------------------------------------ tmcred and its data
echo "starting tmcred, signing key, demo data" >&2
TM_BASE_URL="HTTP://127.0.0.1:$HTTP_PORT/TM" "$HERE/tmcred-hook.sh"
CTL=("$RUN/bin/tmcred-ctl" -c "$RUN/tmcred.conf")
"${CTL[@]}" demo >"$RUN/demo.logins" 2>>"$RUN/tmcred-ctl.log" || die "tmcred-ctl demo failed; see $RUN/tmcred-ctl.log"

echo "filling: $CERTS persons" >&2
sql <<-SQL
	INSERT INTO persons (name, id_enc, id_blind)
	  SELECT CONCAT('测试张三', seq), RANDOM_BYTES(58), RANDOM_BYTES(32) FROM seq_1_to_$CERTS;
	ANALYZE TABLE persons;
SQL
sql -N -e "SELECT id FROM persons WHERE name LIKE '测试张三%' ORDER BY id" >"$RUN/person_ids.txt"
[[ $(wc -l <"$RUN/person_ids.txt") == "$CERTS" ]] || die "expected $CERTS bench persons"

COUNTERS="'Questions','Com_stmt_execute','Com_stmt_prepare','Com_stmt_close','Com_stmt_reset','Com_select',
 'Com_insert','Com_update','Com_commit','Com_rollback','Com_begin','Innodb_data_fsyncs',
 'Handler_read_key','Handler_write','Innodb_buffer_pool_read_requests'"
counters() { sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ($COUNTERS)"; }
perunit() { # BEFORE AFTER N: "name=per-unit ..." (less the SHOW STATUS query itself)
	paste <(echo "$1") <(echo "$2") | awk -v n="$3" '{
		printf " %s=%.2f", $1, ($4 - $2 - ($1 == "Questions" ? 1 : 0)) / n }'
}

echo "filling: tmcred-ctl cert-import-many junior, $CERTS certificates" >&2
TODAY=$(date -u +%F)
c0=$(counters)
# The perl stamper copies the links through and, at every STEP lines, notes the elapsed time and
# the importer's VmRSS (its pid comes from the sh that execs it). The importer's stdout is a pipe,
# so it arrives in 4 KiB blocks (~17 links): timings are to within that.
export STEP RUN
t_import0=$(date +%s%N)
# shellcheck disable=SC2016 # the inner sh expands $$, $0 and $@
/usr/bin/time -v -o "$OUT/verify.import.time" \
	sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/import.pid" "${CTL[@]}" cert-import-many junior "$TODAY" \
	<"$RUN/person_ids.txt" 2>"$OUT/verify.import.err" |
	perl -MTime::HiRes=time -ne '
		BEGIN { $t0 = time; $| = 0; open(L, ">", "$ENV{RUN}/links.txt") or die; open(S, ">", "$ENV{RUN}/import.steps") or die }
		print L $_; $n++;
		if ($n % $ENV{STEP} == 0) {
			my $rss = "(exited)";
			if (open(P, "<", "$ENV{RUN}/import.pid")) { chomp(my $pid = <P>); close P;
				if (open(Q, "<", "/proc/$pid/status")) { while (<Q>) { $rss = $1 if /^VmRSS:\s+(\d+)/ } close Q } }
			printf S "%d %.3f %s\n", $n, time - $t0, $rss;
		}
		END { close L; close S }'
t_import1=$(date +%s%N)
c1=$(counters)
IMPORT_COUNTERS=$(perunit "$c0" "$c1" "$CERTS")
cp "$RUN/import.steps" "$OUT/verify.import.steps"
n=$(wc -l <"$RUN/links.txt")
[[ $n == "$CERTS" ]] || die "cert-import-many printed $n links for $CERTS persons; see $OUT/verify.import.err"
[[ $(cut -d' ' -f1 "$RUN/links.txt" | sort -u | wc -l) == "$CERTS" ]] || die "duplicate serials in the links"
grep -q "^TM-SH-[0-9]\{4\}-J-[0-9]\{6\}-. HTTP://127.0.0.1:$HTTP_PORT/TM/V/" "$RUN/links.txt" ||
	die "links do not point at this stack's nginx: $(head -n1 "$RUN/links.txt")"
sql <<-SQL
	UPDATE certificates c JOIN persons p ON p.id = c.person_id
	  SET c.base_id = (SELECT MIN(id) FROM bases) WHERE p.name LIKE '测试张三%';
	ANALYZE TABLE certificates, persons, bases;
SQL

# After the load InnoDB still writes dirty pages and purges undo: let it finish (as credits.sh).
quiesce() { # prints "seconds dirty_pages history_length"
	local i pct dirty hist
	pct=$(sql -N -e "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
	sql -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
	for ((i = 0; i < 300; i++)); do
		dirty=$(sql -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | cut -f2)
		hist=$(sql -N -e "SHOW ENGINE INNODB STATUS" | sed -n 's/.*History list length \([0-9]*\).*/\1/p')
		((dirty < 50 && ${hist:-0} < 100)) && break
		sleep 1
	done
	sql -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
	echo "$i $dirty ${hist:-?}"
}
echo "letting InnoDB finish its background work" >&2
QS=$(quiesce)

# ------------------------------------------------------------------ answers
echo "checking the answers" >&2
# SAMPLE random links: valid JSON must say valid, the page 有效, the forged JSON forged.
shuf -n 20 --random-source=<(yes) "$RUN/links.txt" >"$RUN/sample.txt"
forge() { # TOKEN: one signature character changed, as bench/verify.lua does
	perl -e '$t = $ARGV[0]; $a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; $p = 62 + int(rand(100));
		$i = index($a, substr($t, $p, 1)); substr($t, $p, 1) = substr($a, ($i + 1 + int(rand(31))) % 32, 1); print $t' "$1"
}
{
	i=0
	while read -r serial link; do
		token=${link##*/}
		v=$(curl -s "$HTTP_URL/tm/api/v1/verify/$serial?s=$token")
		p=$(curl -s "$link")
		f=$(curl -s "$HTTP_URL/tm/api/v1/verify/$serial?s=$(forge "$token")")
		[[ $v == *'"status": "valid"'* || $v == *'"status":"valid"'* ]] || die "valid link answered: ${v:0:300}"
		[[ $p == *有效* && $p != *伪造* ]] || die "verify page of $link: ${p:0:300}"
		[[ $f == *'"status": "forged"'* || $f == *'"status":"forged"'* ]] || die "forged token answered: ${f:0:300}"
		if ((i++ == 0)); then
			echo "link: $link"
			echo "valid (JSON): $v"
			echo "page: $(printf '%s' "$p" | wc -c) bytes, title $(printf '%s' "$p" | grep -o '<title>[^<]*</title>' | head -n1)"
			echo "forged (JSON): $f"
		fi
	done <"$RUN/sample.txt"
	echo "20 random links: valid JSON says valid, the page says 有效, a forged token says forged"
	probe=$(head -n1 "$RUN/serials.txt")
	for t in ceiling=/ceiling/ hello=/hello/ verify_c=/verify/ php2=/php2/verify/ php4=/php4/verify/; do
		code=000
		for _ in $(seq 50); do
			code=$(curl -s -o "$OUT/verify.body" -w '%{http_code}' "$HTTP_URL${t#*=}$probe" || true)
			[[ $code == 200 ]] && break
			sleep 0.1
		done
		[[ $code == 200 ]] || die "${t%%=*} answered $code: $(head -c 300 "$OUT/verify.body")"
		echo "${t%%=*} (GET ${t#*=}$probe): $(head -c 300 "$OUT/verify.body")"
	done
	rm -f "$OUT/verify.body"
} >"$OUT/verify.answers"

# Up to QUIET_WAIT s for the box to be < 10 % busy; if it stays busy, the measurement is named
# in verify.noise with how busy it was (the box is shared: waiting longer would not end the run).
settle() { # LABEL
	local i b
	for ((i = 0; i < QUIET_WAIT; i++)); do
		b=$(busy_pct) # takes 1 s
		((b < 10)) && return 0
	done
	echo "$1: ${b}% busy" >>"$OUT/verify.noise"
}

# ------------------------------------------------------------------ sequential, one connection
# label path-kind: ref = kit path + a kit serial; json/page/forged = from the links
seq_urls() { # KIND N: N request URLs
	local kind=$1 n=$2
	case $kind in
	ref:*) shuf -n "$n" -r "$RUN/serials.txt" | sed "s|^|$HTTP_URL${kind#ref:}|" ;;
	*) shuf -n "$n" -r "$RUN/links.txt" | while read -r serial link; do
		token=${link##*/}
		case $kind in
		json) echo "$HTTP_URL/tm/api/v1/verify/$serial?s=$token" ;;
		page) echo "$link" ;;
		forged) echo "$HTTP_URL/tm/api/v1/verify/$serial?s=$(forge "$token")" ;;
		esac
	done ;;
	esac
}
SEQ_TARGETS=("hello ref:/hello/" "verify_c ref:/verify/" "valid json" "page page" "forged forged")
for t in "${SEQ_TARGETS[@]}"; do
	read -r name kind <<<"$t"
	n=$SEQ_N
	seq_urls "$kind" "$n" | awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' >"$OUT/verify.curlrc.$name"
done
for t in "${SEQ_TARGETS[@]}"; do
	read -r name kind <<<"$t"
	settle "$name sequential"
	echo "sequential: $name ($SEQ_N requests, one connection)" >&2
	v0=$(sql -N -e "SELECT COUNT(*) FROM certificate_verifications")
	a=$(counters)
	w0=$(date +%s%N) cpu0=$(cpu_snapshot)
	ok=$(timeout 300 curl -s -w '%{http_code}\n' -K "$OUT/verify.curlrc.$name" | grep -c '^200$' || true)
	w1=$(date +%s%N) cpu1=$(cpu_snapshot)
	b=$(counters)
	v1=$(sql -N -e "SELECT COUNT(*) FROM certificate_verifications")
	[[ $ok == "$SEQ_N" ]] || die "$name: $ok of $SEQ_N sequential requests answered 200"
	{
		printf '%s n=%d wall_us=%d ' "$name" "$SEQ_N" "$(((w1 - w0) / 1000 / SEQ_N))"
		echo "$cpu0 $cpu1" | awk -v hz="$(getconf CLK_TCK)" -v n="$SEQ_N" '{
			f = 1e6 / hz / n
			printf "srv_us=%.0f nginx_us=%.0f app_us=%.0f db_us=%.0f", ($6 - $2 + $7 - $3 + $8 - $4) * f,
				($6 - $2) * f, ($7 - $3) * f, ($8 - $4) * f }'
		perunit "$a" "$b" "$SEQ_N"
		# less the two SELECT COUNT(*) above: they ran outside the window
		echo " verifications_rows=$(awk -v a="$v0" -v b="$v1" -v n="$SEQ_N" 'BEGIN { printf "%.2f", (b - a) / n }')"
	} >>"$OUT/verify.seq"
done
rm -f "$OUT"/verify.curlrc.*

# ------------------------------------------------------------------ load: wrk rounds
# label path lua data mode
TARGETS=(
	"ceiling /ceiling/ kit serials -"
	"hello /hello/ kit serials -"
	"verify_c /verify/ kit serials -"
	"php2 /php2/verify/ kit serials -"
	"php4 /php4/verify/ kit serials -"
	"valid / tm links json"
	"page / tm links page"
	"forged / tm links forged"
)
TIMEFORMAT='WRKCPU %U %S' # what `time wrk_run` reports: wrk's user and system seconds
wrk_run() { # DURATION PATH LUA DATA MODE [--latency]
	local lua=$BENCH_KIT/ref/random_serial.lua args=("$RUN/serials.txt")
	if [[ $3 == tm ]]; then lua=$HERE/verify.lua args=("$RUN/links.txt" "$5"); fi
	timeout 120 wrk -t "$THREADS" -c "$CONNS" -d "$1" ${6:+"$6"} -s "$lua" "$HTTP_URL$2" -- "${args[@]}"
}
measure() { # LABEL ROUND PATH LUA DATA MODE: one warm-up + one measured run, a line in verify.raw
	local name=$1 r=$2 t0 t1 cpu0 cpu1 line cpu
	settle "$name round $r"
	echo "round $r: $name ($WARMUP warm-up, $DURATION measured)" >&2
	wrk_run "$WARMUP" "$3" "$4" "$5" "$6" >/dev/null
	t0=$(date +%s%N) cpu0=$(cpu_snapshot)
	{ time wrk_run "$DURATION" "$3" "$4" "$5" "$6" --latency >"$OUT/verify.$name.$r.txt"; } 2>"$OUT/verify.time"
	t1=$(date +%s%N) cpu1=$(cpu_snapshot)
	line=$(sed -n 's/^RESULT //p' "$OUT/verify.$name.$r.txt")
	[[ -n $line ]] || die "no RESULT line from wrk for $name: $(head -c 500 "$OUT/verify.$name.$r.txt")"
	cpu=$(echo "$cpu0 $cpu1 $(sed -n 's/^WRKCPU //p' "$OUT/verify.time")" |
		awk -v hz="$(getconf CLK_TCK)" -v ms="$(((t1 - t0) / 1000000))" '{
		k = hz * ms / 1000; wrk = ($9 + $10) * 1000 / ms; busy = ($5 - $1) / k
		ngx = ($6 - $2) / k; app = ($7 - $3) / k; db = ($8 - $4) / k
		printf "cpu_busy=%.2f cpu_nginx=%.2f cpu_app=%.2f cpu_db=%.2f cpu_wrk=%.2f cpu_other=%.2f",
			busy, ngx, app, db, wrk, busy - ngx - app - db - wrk }')
	echo "$name $r $line $cpu load=$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/verify.raw"
}
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TARGETS[@]}"; do
		read -r name path lua data mode <<<"$t"
		measure "$name" "$r" "$path" "$lua" "$data" "$mode"
	done
done

# ------------------------------------------------------------------ what-ifs: the INSERT's cost
if [[ $WHATIF == 1 ]]; then
	sql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
	measure verify_c_flush2 1 /verify/ kit serials -
	measure valid_flush2 1 / tm links json
	sql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 1"
	if sql -e "INSTALL SONAME 'ha_blackhole'" 2>"$OUT/verify.blackhole.err" || grep -q 'already' "$OUT/verify.blackhole.err"; then
		sql -e "ALTER TABLE certificate_verifications ENGINE = BLACKHOLE"
		measure verify_c_blackhole 1 /verify/ kit serials -
		measure valid_blackhole 1 / tm links json
		sql -e "ALTER TABLE certificate_verifications ENGINE = InnoDB"
	else
		echo "verify.sh: no BLACKHOLE engine ($(cat "$OUT/verify.blackhole.err")); what-if skipped" >&2
	fi
fi

# ------------------------------------------------------------------ callgrind: instructions per request
declare -A IR
if [[ $CG == 1 ]]; then
	alive() { kill -0 "$1" 2>/dev/null && [[ $(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1) != Z ]]; }
	stop_wait() { # PID (one this script started): SIGTERM, wait up to 30 s (callgrind writes on the way out)
		kill -TERM "$1" 2>/dev/null || true
		for ((i = 0; i < 300; i++)); do alive "$1" || return 0; sleep 0.1; done
		die "process $1 did not stop"
	}
	# The measured tmcred master and the kit's hello processes make way for one process each under
	# callgrind, on the same sockets (pids from RUN/pids: the ones this run started).
	for name in tmcred hello; do
		awk -v n="$name" '$1 == n { print $2 }' "$RUN/pids" | while read -r pid; do alive "$pid" && stop_wait "$pid"; done
	done
	sed 's/^workers = .*/workers = 1/' "$RUN/tmcred.conf" >"$RUN/tmcred-cg.conf"
	CGV=(valgrind --tool=callgrind --quiet)
	cg_one() { # LABEL N: start under callgrind, N requests, stop; prints the worker's Ir
		local label=$1 n=$2 pid out code ok i f c probe
		out=$OUT/cg.$label.$n
		if [[ $label == hello ]]; then
			seq_urls ref:/hello/ "$n"
		else
			seq_urls "$label" "$n"
		fi | awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' >"$OUT/cg.curlrc"
		if [[ $label == hello ]]; then
			rm -f "$RUN/hello.sock"
			"$STACK" fcgi hello 1 "${CGV[@]}" --callgrind-out-file="$out.%p" "$RUN/bin/hello"
			probe=/hello/
		else
			rm -f "$RUN/tmcred.sock"
			"$STACK" daemon tmcred "${CGV[@]}" --callgrind-out-file="$out.%p" "$RUN/bin/tmcred-fcgi" -c "$RUN/tmcred-cg.conf"
			probe=/tm/api/v1/version
		fi
		pid=$(tail -n 1 "$RUN/pids" | cut -d' ' -f2)
		# Ready when it answers 200: one probe request, the same in the N1 and N2 runs.
		for ((i = 0; i < 300; i++)); do
			code=$(curl -s -o /dev/null -w '%{http_code}' "$HTTP_URL$probe" || true)
			[[ $code == 200 ]] && break
			sleep 0.1
		done
		[[ $code == 200 ]] || die "$label did not answer 200 under valgrind"
		ok=$(timeout 600 curl -s -w '%{http_code}\n' -K "$OUT/cg.curlrc" | grep -c '^200$' || true)
		((ok == n)) || die "$label under callgrind: $ok of $n requests answered 200"
		stop_wait "$pid"
		f=""
		for c in "$out".*; do [[ $label == hello || $c != "$out.$pid" ]] && f=$c; done
		[[ -n $f ]] || die "no callgrind output for $label"
		if [[ $label != hello ]]; then mv "$f" "$out.worker"; f=$out.worker; fi
		awk '/^(summary|totals):/ { print $2; exit }' "$f"
	}
	for label in hello json forged page; do
		for n in "$CG_N1" "$CG_N2"; do
			echo "callgrind: $label, $n requests" >&2
			IR[$label,$n]=$(cg_one "$label" "$n")
		done
	done
	rm -f "$OUT/cg.curlrc"
fi

# perfn [--inclusive=yes] LABEL: "Ir-per-request function" lines from the N1 and N2 profiles.
perfn() {
	local opt=() label f c
	[[ $1 == --* ]] && { opt=("$1"); shift; }
	label=$1
	for n in "$CG_N1" "$CG_N2"; do
		f=$OUT/cg.$label.$n.worker
		if [[ ! -f $f ]]; then for c in "$OUT/cg.$label.$n".*; do f=$c; done; fi
		echo "== $n"
		callgrind_annotate --auto=no --threshold=100 "${opt[@]}" "$f" 2>/dev/null |
			sed -n '/file:function/,$p' | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\(.*\)$/\1 \2/p'
	done | awk -v n1="$CG_N1" -v n2="$CG_N2" '
		/^== / { cur = $2; next }
		{ v = $1; gsub(",", "", v); $1 = ""; fn = substr($0, 2); sub(/ \[.*\]$/, "", fn); ir[cur, fn] += v; fns[fn] = 1 }
		END { for (fn in fns) { d = (ir[n2, fn] - ir[n1, fn]) / (n2 - n1); if (d >= 1) printf "%.0f %s\n", d, fn } }' |
		sort -rn
}

# ------------------------------------------------------------------ report
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
med_awk='function med(arr, n,   i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
	return arr[int((n + 1) / 2)]
}'
report() {
	awk "$med_awk"'
	{
		delete v
		for (i = 3; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
		k = $1; r = $2; if (!(k in n)) order[++nk] = k; n[k]++; if (r > nr) nr = r
		rps[k, r] = v["requests"] * 1e6 / v["duration_us"]
		p50[k, r] = v["p50_us"] / 1000; p99[k, r] = v["p99_us"] / 1000; oth[k, r] = v["cpu_other"]
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
		print "| target | req/s (median) | req/s range | p50 ms | p99 ms | errors + non-2xx" \
			" | CPU cores: all = nginx + app + db + wrk + other | server µs/req (app, db) |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
		for (i = 1; i <= nk; i++) {
			k = order[i]; c = n[k]
			printf "| %s | %.0f | %.0f–%.0f | %.2f | %.2f | %d | %.2f = %.2f + %.2f + %.2f + %.2f + %.2f | %.0f (%.0f, %.0f) |\n",
				k, R[k], LO[k], HI[k], P50[k], P99[k], bad[k], busy[k] / c, ngx[k] / c,
				app[k] / c, db[k] / c, wrk[k] / c, other[k] / c, (ngx[k] + app[k] + db[k]) / c * 1e6 / R[k],
				app[k] / c * 1e6 / R[k], db[k] / c * 1e6 / R[k]
		}
		print ""
		php = R["php2"] > R["php4"] ? "php2" : "php4"
		# ratio lines: name, numerator, denominator, target, what "met" means
		nt = split("valid verify_c 1.0 ge|valid " php " 3.0 ge|forged hello 0.8 ge|valid hello 0.8 ge|page verify_c 0 -|page hello 0 -|forged verify_c 0 -|verify_c hello 0 -|hello ceiling 0 -", T, "|")
		print "| ratio | median ÷ median | per round | target |"
		print "| --- | ---: | --- | --- |"
		for (i = 1; i <= nt; i++) {
			split(T[i], q, " "); a1 = q[1]; b1 = q[2]
			if (!(a1 in R) || !(b1 in R)) continue
			x = R[a1] / R[b1]; pr = ""
			for (r = 1; r <= nr; r++) if ((a1, r) in rps && (b1, r) in rps)
				pr = pr (pr == "" ? "" : ", ") sprintf("%.2f", rps[a1, r] / rps[b1, r])
			tg = q[3] == 0 ? "–" : sprintf("≥ %s%s: **%s**", q[3], (a1 == "valid" && b1 == "hello") ? " (stretch)" : "", x >= q[3] ? "met" : "NOT met")
			printf "| %s ÷ %s | %.3f | %s | %s |\n", a1, b1, x, pr, tg
		}
		if ("valid" in R && "verify_c" in R) {
			pr = ""
			for (r = 1; r <= nr; r++) if (("valid", r) in rps && ("verify_c", r) in rps)
				pr = pr (pr == "" ? "" : ", ") sprintf("%.2f", p99["valid", r] / p99["verify_c", r])
			printf "| p99 valid ÷ p99 verify_c | %.3f | %s | ≤ 1.0: **%s** |\n", P99["valid"] / P99["verify_c"], pr,
				P99["valid"] <= P99["verify_c"] ? "met" : "NOT met"
		}
		print ""
		printf "Outside load (\"other\" cores) per round:"
		for (r = 1; r <= nr; r++) {
			printf " round %d:", r
			for (i = 1; i <= nk; i++) if ((order[i], r) in oth) printf " %s %.2f", order[i], oth[order[i], r]
			printf ";"
		}
		print ""
	}' "$OUT/verify.raw"
}

import_report() {
	local total maxrss
	total=$(awk -v a="$t_import0" -v b="$t_import1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	maxrss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/verify.import.time")
	echo "| certificates | elapsed s | this step s | certificates/s in this step | importer VmRSS KiB |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	awk -v step="$STEP" '{ d = $2 - prev; printf "| %d | %.1f | %.1f | %.0f | %s |\n", $1, $2, d, step / d, $3; prev = $2
		r[NR] = step / d } END { if (NR > 1) printf "\n- first %d: %.0f certificates/s, last %d: %.0f certificates/s; **last ÷ first = %.3f**\n", step, r[1], step, r[NR], r[NR] / r[1] }' \
		"$OUT/verify.import.steps"
	echo "- total $CERTS certificates in $total s ($(awk -v n="$CERTS" -v t="$total" 'BEGIN { printf "%.0f", n / t }')/s);" \
		"tmcred-ctl max RSS (/usr/bin/time -v): **$maxrss KiB**;" \
		"user $(sed -n 's/.*User time (seconds): //p' "$OUT/verify.import.time") s, system $(sed -n 's/.*System time (seconds): //p' "$OUT/verify.import.time") s"
	echo "- server counters per certificate:$IMPORT_COUNTERS"
}

seq_report() {
	echo "| target | wall µs/req | server CPU µs/req = nginx + app + db | Questions | Com_stmt_execute | Com_select | Com_insert | Com_commit | Innodb_data_fsyncs | Handler_write | rows added to certificate_verifications |"
	echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk '{
		delete v; for (i = 2; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
		printf "| %s | %d | %d = %d + %d + %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", $1,
			v["wall_us"], v["srv_us"], v["nginx_us"], v["app_us"], v["db_us"], v["Questions"],
			v["Com_stmt_execute"], v["Com_select"], v["Com_insert"], v["Com_commit"],
			v["Innodb_data_fsyncs"], v["Handler_write"], v["verifications_rows"]
	}' "$OUT/verify.seq"
}

cg_report() {
	local h per label
	echo "| target | Ir per request | ÷ hello |"
	echo "| --- | ---: | ---: |"
	h=$(((IR[hello,$CG_N2] - IR[hello,$CG_N1]) / (CG_N2 - CG_N1)))
	for label in hello json forged page; do
		per=$(((IR[$label,$CG_N2] - IR[$label,$CG_N1]) / (CG_N2 - CG_N1)))
		echo "| $label | $per | $(awk -v a="$per" -v b="$h" 'BEGIN { printf "%.2f", a / b }') |"
	done
	perfn hello >"$OUT/cg.hello.perreq"
	for label in json forged page; do
		perfn "$label" >"$OUT/cg.$label.perreq"
		perfn --inclusive=yes "$label" >"$OUT/cg.$label.perreq-inclusive"
	done
	# Where a request's instructions go (inclusive, per request): the parts named in verify.md.
	echo
	echo "Inclusive Ir per request of the parts of the verify path:"
	echo
	echo "| part (function, inclusive) | json | forged | page |"
	echo "| --- | ---: | ---: | ---: |"
	for fn in worker.c:worker_main handlers/certs.c:h_verify_api handlers/certs.c:h_verify_link \
		verify.c:cert_verify_link keystore.c:keyset_cached signature.c:verify_path_parse \
		signature.c:sig_verify crypto_sign_ed25519_verify_detached verify.c:lookup verify.c:cert_verified \
		db.c:db_row db.c:db_exec handlers/certs.c:verify_view response.c:resp_render ???:json_dumps \
		FCGX_Accept_r FCGX_Finish_r; do
		# shellcheck disable=SC2016 # backquotes for Markdown
		printf '| `%s` |' "$fn"
		for label in json forged page; do
			awk -v f="$fn" '{ n = $2; sub(/^.*\/(certs|fcgi|db|courses)\//, "", n); sub(/^\?\?\?:/, "", n) }
				n == f || $2 == f || n == "???:" f { v = $1; found = 1; exit } END { printf " %s |", found ? v : "–" }' \
				"$OUT/cg.$label.perreq-inclusive"
		done
		echo
	done
	for label in json forged page; do
		echo
		echo "$label: self Ir per request by function (top 20), beside hello's:"
		echo
		echo "| Ir/req $label | Ir/req hello | function |"
		echo "| ---: | ---: | --- |"
		awk 'NR == FNR { $1 = $1; h[substr($0, index($0, " ") + 1)] = $1; next }
			FNR <= 20 { fn = substr($0, index($0, " ") + 1); printf "| %d | %d | %s |\n", $1, h[fn], fn }' \
			"$OUT/cg.hello.perreq" "$OUT/cg.$label.perreq"
		echo
		echo "$label: inclusive Ir per request, tmcred's functions and the libraries' entry points (top 40):"
		echo
		echo '```'
		grep -E ' ([^ ]*/(certs|fcgi|db|courses)/[a-z_/]+\.c:|\?\?\?:(json_|mysql_|FCGX_|sodium|crypto_))' \
			"$OUT/cg.$label.perreq-inclusive" |
			awk '{ k = $2; sub(/^.*\/(certs|fcgi|db|courses)\//, "", k) } !seen[k]++ && n++ < 40'
		echo '```'
	done
}

{
	echo "# bench/verify.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n1)), load average" \
		"$LOAD0 at start and $LOAD1 at the end (1, 5, 15 min); tmcred workers: $TM_WORKERS;" \
		"hello / verify_c processes: $C_WORKERS; nginx workers: ${NGINX_WORKERS:-auto}."
	echo
	echo "## 1. Fill: $CERTS certificates, tmcred-ctl cert-import-many (one transaction each)"
	echo
	import_report
	echo
	echo "Then InnoDB's background work (seconds waited, dirty pages, history length left): $QS."
	echo
	echo "## 2. One connection, $SEQ_N sequential requests each"
	echo
	seq_report
	echo
	echo "## 3. wrk -t $THREADS -c $CONNS -d $DURATION (after $WARMUP warm-up), $ROUNDS rounds interleaved, median"
	echo
	report
	if [[ -s $OUT/verify.noise ]]; then
		echo
		echo "Machine busy before: $(tr '\n' ';' <"$OUT/verify.noise")"
	fi
	if [[ $CG == 1 ]]; then
		echo
		echo "## 5. callgrind: user-space instructions per request of one worker (($CG_N2 − $CG_N1) requests difference)"
		echo
		cg_report
	fi
	echo
	echo '```'
	cat "$OUT/verify.answers"
	echo '```'
	echo
	echo "tmcred binary measured (copied to the run dir at start):"
	echo
	echo '```'
	cat "$RUN/tmcred.build"
	echo '```'
} | tee "$OUT/verify.md"
