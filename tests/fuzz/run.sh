#!/bin/sh
# Builds and runs the libFuzzer targets for a short while each.
#
#   tests/fuzz/run.sh [target...]          (default: all)
#   FUZZ_SECONDS=60 tests/fuzz/run.sh      seconds per target (default 20)
#   FUZZ_RUNS=10000000                     also stop a target after this many executions
#   FUZZ_NICE=10                           run the fuzzers under nice -n 10 (long runs)
#   FUZZ_CC=clang-14                       compiler (default clang)
#
# Binaries, working corpora, logs and crash reproducers go to tests/fuzz/out/ (gitignored);
# the committed seeds in tests/fuzz/corpus/ are copied, never modified.
# Prints "ok - fuzz_x (N execs, R exec/s, 0 crashes)" or "not ok - fuzz_x: ..." per target and ends with
# "RESULT passed=N failed=M"; exits 1 when any target fails to build or finds a crash.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
SECONDS_EACH=${FUZZ_SECONDS:-20}
CC=${FUZZ_CC:-clang}

ALL="fuzz_urlencoded fuzz_cookies fuzz_json fuzz_idnumber fuzz_template fuzz_utf8_mask fuzz_csvin fuzz_serial
	fuzz_multipart fuzz_fields fuzz_batch_rows fuzz_keyset fuzz_verify
	fuzz_gb18030 fuzz_views fuzz_peer_keyset fuzz_peer_summary fuzz_statement"
TARGETS=${*:-$ALL}

sources() {
	case "$1" in
	fuzz_urlencoded|fuzz_cookies)
		echo "fcgi/parse.c fcgi/arena.c courses/text.c" ;;
	fuzz_json)
		echo "fcgi/jsonbody.c fcgi/parse.c fcgi/arena.c courses/text.c" ;;
	fuzz_idnumber)
		# date.c holds struct ymd's functions once courses/date.{h,c} exist
		if [ -f "$TOP/courses/date.c" ]; then
			echo "courses/idnumber.c courses/date.c courses/mask.c courses/text.c"
		else
			echo "courses/idnumber.c courses/mask.c courses/text.c"
		fi ;;
	fuzz_template)
		echo "fcgi/template.c fcgi/arena.c" ;;
	fuzz_utf8_mask)
		echo "courses/text.c courses/mask.c courses/contact.c" ;;
	fuzz_csvin)
		echo "courses/csvin.c" ;;
	fuzz_multipart)
		echo "fcgi/multipart.c" ;;
	fuzz_gb18030)
		echo "courses/csvin.c" ;;
	fuzz_views)
		echo "fcgi/template.c fcgi/arena.c" ;;
	fuzz_batch_rows)
		# batches.c is #included by the target (its row checks are static)
		echo "courses/csvin.c courses/batch_columns.c courses/idnumber.c courses/date.c" \
		    "courses/text.c courses/contact.c" ;;
	fuzz_keyset|fuzz_verify)
		echo "certs/keyset.c certs/serial.c certs/signature.c courses/date.c" ;;
	fuzz_peer_keyset|fuzz_peer_summary)
		# certs/keysig.c and certs/summary.c come with branch federation
		echo "certs/keysig.c certs/summary.c certs/keyset.c certs/serial.c certs/signature.c" \
		    "courses/date.c" ;;
	fuzz_fields)
		echo "fcgi/fields.c fcgi/parse.c fcgi/jsonbody.c fcgi/arena.c courses/text.c" \
		    "courses/contact.c courses/idnumber.c courses/date.c" ;;
	fuzz_serial)
		echo "certs/serial.c certs/signature.c" ;;
	fuzz_statement)
		echo "certs/serial.c certs/signature.c certs/statement.c" ;;
	*)
		return 1 ;;
	esac
}

# Libraries a target needs besides jansson.
libs() {
	case "$1" in
	fuzz_csvin)
		echo "-lcsv" ;;
	fuzz_batch_rows)
		echo "-lcsv -lsodium" ;;
	fuzz_gb18030)
		echo "-lcsv" ;;
	fuzz_keyset|fuzz_verify|fuzz_peer_keyset|fuzz_peer_summary)
		echo "-lsodium" ;;
	fuzz_serial|fuzz_statement)
		echo "-lsodium" ;;
	esac
}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "not ok - $CC not found"
	echo "RESULT passed=0 failed=1"
	exit 1
fi
JANSSON=$(pkg-config --cflags --libs jansson 2>/dev/null || echo "-ljansson")

mkdir -p "$OUT"
passed=0
failed=0
for t in $TARGETS; do
	if ! srcs=$(sources "$t"); then
		echo "not ok - $t: unknown target"
		failed=$((failed + 1))
		continue
	fi
	bin="$OUT/$t"
	log="$OUT/$t.log.$$"
	extra_libs=$(libs "$t")
	src_paths=""
	missing=""
	for s in $srcs; do
		src_paths="$src_paths $TOP/$s"
		[ -f "$TOP/$s" ] || missing="$missing $s"
	done
	# A target written ahead of a merge (fuzz_peer_*: branch federation) is skipped, not
	# counted, until its sources are in the tree.
	if [ -n "$missing" ]; then
		echo "# skip - $t: needs$missing"
		continue
	fi
	# Built under a per-run name and renamed, so a concurrent run never executes a half-written
	# binary. The source and flag lists are split on purpose.
	# shellcheck disable=SC2086
	if ! "$CC" -g -O1 -std=gnu17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -DFUZZ_TOP="\"$TOP\"" -I"$TOP" -I"$HERE" "$HERE/$t.c" \
	    $src_paths $JANSSON \
	    $extra_libs -o "$bin.$$" >"$OUT/$t.build.log" 2>&1 || ! mv -f "$bin.$$" "$bin"; then
		rm -f "$bin.$$"
		echo "not ok - $t: build failed (see $OUT/$t.build.log)"
		sed 's/^/#   /' "$OUT/$t.build.log" | head -20
		failed=$((failed + 1))
		continue
	fi

	# A fresh working corpus per run (per process, so two runs do not share one); the
	# reproducers of failed runs stay in artifacts/.
	work="$OUT/corpus/$t.$$"
	art="$OUT/artifacts/$t"
	rm -rf "$work"
	mkdir -p "$work" "$art"
	if [ -d "$HERE/corpus/$t" ]; then
		cp "$HERE/corpus/$t"/* "$work"/ 2>/dev/null || true
	fi

	# shellcheck disable=SC2086
	${FUZZ_NICE:+nice -n "$FUZZ_NICE"} "$bin" -max_total_time="$SECONDS_EACH" \
	    ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -rss_limit_mb=1024 -timeout=20 \
	    -print_final_stats=1 -artifact_prefix="$art/" "$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	rm -rf "$work"
	mv -f "$log" "$OUT/$t.log"
	log="$OUT/$t.log"
	if [ "$rc" -eq 0 ] && [ -z "$repro" ]; then
		echo "ok - $t (${execs:-?} execs, ${rate:-?} exec/s, 0 crashes)"
		passed=$((passed + 1))
	else
		what="crash"
		case "$(basename "${repro:-x}")" in
		timeout-*) what="timeout" ;;
		oom-*) what="out of memory" ;;
		leak-*) what="leak" ;;
		slow-unit-*) what="slow unit" ;;
		esac
		echo "not ok - $t: $what after ${execs:-?} execs (1 crash), reproducer ${repro:-none (exit $rc, see $log)}"
		grep -E 'ERROR: |runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "RESULT passed=$passed failed=$failed"
[ "$failed" -eq 0 ]
