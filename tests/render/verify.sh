# tmcred-verify against a key set with a fresh key; sourced by tests/render/run.sh (uses its
# SAMPLE, VERIFY, W, ok, fail, check). Exit statuses: certs/README.md "tmcred-verify".
# shellcheck shell=bash

vrun() { "$VERIFY" "$@" >"$W/v.out" 2>&1; }
expect() { # WANT DESC ARGS...: tmcred-verify ARGS exits WANT
	local want=$1 d=$2 rc
	shift 2
	vrun "$@"
	rc=$?
	if ((rc == want)); then ok "verify: $d (exit $rc)"
	else fail "verify: $d: exit $rc, want $want: $(head -c 300 "$W/v.out")"; fi
}

K=$W/keys.json
URL=$("$SAMPLE" sign "$W/sk" SH1 张三 I)
expect 0 "genuine link" --keys "$K" "$URL"
check "verify: genuine output names the key" grep -q '^GENUINE: signed by node SH with key SH1' "$W/v.out"
expect 0 "lower-case link (as a browser shows it)" --keys "$K" "${URL,,}"
SER=${URL#*/V/}
SER=${SER%%/*}
TOK=${URL##*/}
check "verify: output has the serial" grep -qxF "serial:   $SER" "$W/v.out"
check "verify: output has the level" grep -q "^level: *I (中级技术经理人)" "$W/v.out"
expect 0 "serial + token" --keys "$K" --serial "$SER" --token "$TOK"
expect 0 "--name matches" --keys "$K" --name 张三 "$URL"
expect 8 "--name of someone else" --keys "$K" --name 张四 "$URL"

"$SAMPLE" png "$URL" "$W/v.png" 4 >/dev/null
expect 0 "QR PNG" --keys "$K" --png "$W/v.png"
# the certificate's own page, rendered: the QR on paper verifies too
CERT_SAMPLE_SK=$W/sk "$SAMPLE" cert "$W/vc.pdf" 张三 I "上海技术交易所" >/dev/null
pdftoppm -r 150 -png -singlefile "$W/vc.pdf" "$W/vc"
expect 0 "QR on the rendered certificate page (150 dpi PNG)" --keys "$K" --png "$W/vc.png"
printf 'not a png' >"$W/bad.png"
expect 7 "a file that is not a PNG" --keys "$K" --png "$W/bad.png"
expect 7 "a missing PNG" --keys "$K" --png "$W/missing.png"

# Every single-character change of the token, and of the serial, is refused (never exit 0).
B32=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567
bad=0 n=0
for ((i = 0; i < ${#TOK}; i++)); do
	c=${TOK:i:1}
	for r in "${B32:(i * 7) % 32:1}" "${B32:(i * 7 + 13) % 32:1}"; do
		[[ $r == "$c" ]] && continue
		n=$((n + 1))
		if "$VERIFY" --keys "$K" --serial "$SER" --token "${TOK:0:i}$r${TOK:i+1}" >/dev/null 2>&1; then
			bad=$((bad + 1))
			echo "accepted: token position $i $c -> $r"
		fi
	done
done
if ((bad == 0 && n > 300)); then ok "verify: all $n single-character changes of the token refused"
else fail "verify: $bad of $n token changes accepted"; fi
bad=0 n=0
ALNUM=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ
for ((i = 0; i < ${#SER}; i++)); do
	c=${SER:i:1}
	for ((j = 0; j < ${#ALNUM}; j++)); do
		r=${ALNUM:j:1}
		[[ $r == "$c" ]] && continue
		n=$((n + 1))
		u="${URL%%/V/*}/V/${SER:0:i}$r${SER:i+1}/$TOK"
		if "$VERIFY" --keys "$K" "$u" >/dev/null 2>&1; then
			bad=$((bad + 1))
			echo "accepted: serial position $i $c -> $r"
		fi
	done
done
if ((bad == 0 && n > 700)); then ok "verify: all $n single-character changes of the serial refused"
else fail "verify: $bad of $n serial changes accepted"; fi

# Distinct answers for distinct faults.
expect 1 "non-base32 character in the token" --keys "$K" --serial "$SER" --token "${TOK:0:20}1${TOK:21}"
expect 1 "truncated token" --keys "$K" --serial "$SER" --token "${TOK:0:160}"
"$SAMPLE" keyset "$W/other.json" "$W/sk2" >/dev/null
expect 1 "same key id, another key (forged signature)" --keys "$W/other.json" "$URL"
"$SAMPLE" keyset "$W/late.json" "$W/sk3" SH1 2027-01-01 >/dev/null
LATE=$("$SAMPLE" sign "$W/sk3" SH1 张三 I 2026-03-01)
expect 1 "key used before its window opened" --keys "$W/late.json" "$LATE"
expect 0 "same key inside its window" --keys "$W/late.json" "$("$SAMPLE" sign "$W/sk3" SH1 张三 I 2027-03-01)"
expect 4 "unknown key id" --keys "$K" "$("$SAMPLE" sign "$W/sk" SH9 张三 I)"
expect 3 "serial with a wrong check character" --keys "$K" "${URL/$SER/${SER:0:${#SER}-1}Q}"
expect 3 "not a verification link" --keys "$K" "https://example.com/"
expect 5 "genuine token behind another host" --keys "$K" "HTTPS://EVIL.EXAMPLE/V/$SER/$TOK"
printf '{"format":"nope"}' >"$W/badkeys.json"
expect 6 "not a key set" --keys "$W/badkeys.json" "$URL"
expect 6 "missing key set" --keys "$W/none.json" "$URL"
expect 2 "no arguments" 
expect 2 "link and --png together" --keys "$K" --png "$W/v.png" "$URL"
expect 2 "--serial without --token" --keys "$K" --serial "$SER"
