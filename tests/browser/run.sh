#!/bin/sh
# Headless-browser tests: installs the pinned playwright-core from
# package-lock.json (never a browser download) and drives Debian's Chromium.
# Env: TMCRED_URL.  Last line of output: RESULT passed=N failed=M.
set -u
cd "$(dirname "$0")" || exit 1

result_fail() {
	echo "not ok - $1"
	echo "RESULT passed=0 failed=1"
	exit 1
}

[ -n "${TMCRED_URL:-}" ] || result_fail "browser_setup: TMCRED_URL is not set"
CHROMIUM="${TMCRED_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || result_fail "browser_setup: $CHROMIUM not found (apt-get install chromium)"
command -v node >/dev/null 2>&1 || result_fail "browser_setup: node not found (apt-get install nodejs npm)"

# Install only when node_modules does not hold the locked version.
want=$(node -e 'const l=require("./package-lock.json");console.log(l.packages["node_modules/playwright-core"].version)' 2>/dev/null)
have=$(node -e 'console.log(require("./node_modules/playwright-core/package.json").version)' 2>/dev/null)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
	echo "# npm ci (playwright-core $want)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund >npm-ci.log 2>&1 ||
		{ tail -20 npm-ci.log | sed 's/^/# /'; result_fail "browser_setup: npm ci failed"; }
fi

if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
	echo "# note: no CJK font installed (apt-get install fonts-wqy-zenhei or fonts-noto-cjk); screenshots will show boxes for Chinese"
fi

mkdir -p artifacts
out=$(mktemp)
timeout 900 node run.js 2>&1 | tee "$out"
rc=$?
# A crash before the summary still ends with a RESULT line.
if ! tail -n 1 "$out" | grep -q '^RESULT passed=[0-9]* failed=[0-9]*$'; then
	echo "not ok - browser_run: node exited without a summary"
	echo "RESULT passed=0 failed=1"
	rc=1
elif ! tail -n 1 "$out" | grep -q 'failed=0$'; then
	rc=1
fi
rm -f "$out"
exit $rc
