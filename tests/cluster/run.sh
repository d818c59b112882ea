#!/usr/bin/env bash
# Fault tests (issue 10): a throwaway Galera cluster (scripts/cluster up) for faults 1-3 and the
# serial check, then a throwaway single-node stack (scripts/stack start) for fault 4, each
# driven by tests/cluster/faults.py; both are stopped and deleted on any exit.
# Ends with "RESULT passed=N failed=M" (the sum of both runs). Needs the build in
# $TMCRED_BUILD (default build/). Run by `scripts/test --faults`; about 3 minutes on 2 cores.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TMCRED_BUILD=${TMCRED_BUILD:-$TOP/build}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
# every client of these tests is 127.0.0.1: nginx's per-address limits would answer 429
export TMCRED_VERIFY_RATE=100000r/s TMCRED_VERIFY_BURST=100000
export TMCRED_LOGIN_RATE=6000r/m TMCRED_LOGIN_BURST=1000
CL="" ST=""
cleanup() {
	[[ -n $CL ]] && "$TOP/scripts/cluster" destroy "$CL" >/dev/null 2>&1
	[[ -n $ST ]] && "$TOP/scripts/stack" destroy "$ST" >/dev/null 2>&1
	CL="" ST=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0 failed=0
tally() { # LOG: adds its RESULT line (or one failure if there is none)
	local line
	line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$1" | tail -n 1)
	if [[ -z $line ]]; then
		failed=$((failed + 1))
		return
	fi
	line=${line#RESULT passed=}
	passed=$((passed + ${line%% *}))
	line=${line#* failed=}
	failed=$((failed + ${line%% *}))
}

LOGS=$(mktemp -d /tmp/tmfl.XXXXXX)

echo "# cluster: scripts/cluster up"
CL=$(mktemp -d /tmp/tmc.XXXXXX)
t0=$SECONDS
if "$TOP/scripts/cluster" up "$CL" </dev/null; then
	echo "# cluster up in $((SECONDS - t0)) s"
	python3 "$TOP/tests/cluster/faults.py" cluster "$CL" </dev/null 2>&1 | tee "$LOGS/cluster.log"
	tally "$LOGS/cluster.log"
	# the cluster's own logs, if a fault went wrong
	grep -q '^# faults: FAIL' "$LOGS/cluster.log" && tail -n 20 "$CL"/log/tmcred-h*.log "$CL"/g*/err.log
else
	echo "# FAIL: scripts/cluster up"
	failed=$((failed + 1))
fi
cleanup

echo "# single stack: scripts/stack start"
ST=$(mktemp -d /tmp/tm.XXXXXX)
if "$TOP/scripts/stack" start "$ST" </dev/null && demo=$("$TOP/scripts/stack" ctl "$ST" demo); then
	url=$("$TOP/scripts/stack" env "$ST" | sed -n 's/^TMCRED_URL=//p')
	(umask 077 && { echo "TMCRED_URL=$url"; printf '%s\n' "$demo"; } >"$ST/demo.env")
	python3 "$TOP/tests/cluster/faults.py" single "$ST" </dev/null 2>&1 | tee "$LOGS/single.log"
	tally "$LOGS/single.log"
	grep -q '^# faults: FAIL' "$LOGS/single.log" && "$TOP/scripts/stack" logs "$ST" 30
else
	echo "# FAIL: the single stack did not start"
	failed=$((failed + 1))
fi
cleanup
rm -rf "$LOGS"
echo "RESULT passed=$passed failed=$failed"
((failed == 0))
