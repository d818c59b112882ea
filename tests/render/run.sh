#!/usr/bin/env bash
# Rendered documents and the offline verifier, checked from the outside like a reader would:
# pdftotext finds the holder's full name and the serial, pdftoppm renders the page at 150 dpi and
# zbarimg decodes exactly the link from the rendered page; PNG and SVG QR images; tmcred-verify on
# a link, a serial + token and a PNG against a key set (every single-character change of the
# token refused). Needs a build (TMCRED_BUILD, default build/) and poppler-utils + zbar-tools.
# Last line: RESULT passed=N failed=M (scripts/test counts it).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${TMCRED_BUILD:-$TOP/build}
SAMPLE=$B/tests/render/cert-sample
VERIFY=$B/tmcred-verify
W=$(mktemp -d /tmp/tm-render.XXXXXX)
trap 'rm -rf -- "$W"' EXIT
PASSED=0 FAILED=0

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; }
check() { # DESC CMD...: passes when CMD succeeds
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
	echo "RESULT passed=$PASSED failed=$FAILED"
	exit $((FAILED != 0))
}

for t in pdftotext pdftoppm pdfinfo pdffonts zbarimg python3; do
	command -v "$t" >/dev/null || { fail "tool $t missing (poppler-utils, zbar-tools)"; finish; }
done
[[ -x $SAMPLE ]] || { fail "$SAMPLE not built"; finish; }

# text of a PDF without line breaks and spaces (wrapped names and base names are found whole;
# pdftotext drops or keeps the spaces of letter-spaced text as it sees fit)
flat() { pdftotext "$1" - | tr -d '\n '; }
# the one QR code on the rendered page, as zbarimg reads it (exactly one symbol expected)
page_qr() {
	pdftoppm -r 150 -png -singlefile "$1" "$W/page" || return 1
	zbarimg --quiet --raw -Sdisable -Sqrcode.enable "$W/page.png" 2>/dev/null
}
# shellcheck disable=SC2317 # called through check
contains() { [[ $1 == *"$2"* ]]; }

# ---- certificates: a usual one, a long name with a long base name, the longest fields ----------
pdf_case() { # LABEL NAME LEVEL BASE FILING NODE WANT_TEXT...
	local label=$1 name=$2 level=$3 base=$4 filing=$5 node=$6 link txt got info
	shift 6
	if ! link=$("$SAMPLE" cert "$W/$label.pdf" "$name" "$level" "$base" "$filing" "$node"); then
		fail "$label: pdf_certificate refused or failed"
		return
	fi
	info=$(pdfinfo "$W/$label.pdf")
	check "$label: one A4 page" grep -q 'Pages: *1$' <<<"$info"
	check "$label: page size A4" grep -q 'Page size: *595.2[78][0-9]* x 841.8[89][0-9]* pts (A4)' <<<"$info"
	# glyphs travel as embedded Type 3 fonts with a ToUnicode map (certs/pdf.c): nothing the
	# printer must supply, and the text still reads back
	check "$label: every font embedded, with ToUnicode" \
		bash -c "pdffonts '$W/$label.pdf' | awk 'NR > 2 { n++; if (\$(NF-4) != \"yes\" || \$(NF-2) != \"yes\") bad++ } END { exit !(n > 0 && !bad) }'"
	txt=$(flat "$W/$label.pdf")
	local serial=${link#*/V/}
	serial=${serial%%/*}
	check "$label: text has the serial $serial" contains "$txt" "$serial"
	for want in "$@"; do
		check "$label: text has '$want'" contains "$txt" "$want"
	done
	got=$(page_qr "$W/$label.pdf")
	if [[ $got == "$link" ]]; then ok "$label: QR on the 150 dpi page decodes to exactly the link"
	else fail "$label: QR decoded to '$got', want '$link'"; fi
}

BASE_USUAL="上海技术交易所国家技术转移人才培养基地"
BASE50="上海市浦东新区张江科学城国家技术转移人才培养基地暨长三角技术转移服务中心第二分中心实训"
BASE50=${BASE50:0:50}
NAME4="欧阳晓明"
pdf_case usual 张三 I "$BASE_USUAL" "" "上海（SH）" 张三 技术经理人能力等级证书 中级技术经理人 \
	"$BASE_USUAL" 2026年3月1日 2029年2月28日 第1版
pdf_case long-base "$NAME4" S "$BASE50" GJHJ-2026-000042 "上海（SH）" "$NAME4" 高级技术经理人 \
	"$BASE50" GJHJ-2026-000042
pdf_case long-name "阿卜杜热合曼·麦麦提依明" J "$BASE50" "" "上海（SH）" "阿卜杜热合曼·麦麦提依明" \
	初级技术经理人
# the longest accepted fields (pdf.h limits) still fit the page
MAXNAME=$(printf '阿%.0s' {1..32})
MAXBASE=$(printf '基%.0s' {1..64})
MAXNODE=$(printf '节%.0s' {1..32})
pdf_case longest "$MAXNAME" S "$MAXBASE" ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 "$MAXNODE"
# ... and one more character is refused, not cut
if "$SAMPLE" cert "$W/over.pdf" "${MAXNAME}阿" J "$BASE_USUAL" >/dev/null 2>"$W/over.err"; then
	fail "a 33-character name was accepted"
else
	check "a 33-character name is refused (pdf_invalid)" grep -q pdf_invalid "$W/over.err"
fi

# ---- the credit statement ------------------------------------------------------------------------
if link=$("$SAMPLE" statement "$W/st.pdf" 李小明); then
	txt=$(flat "$W/st.pdf")
	for want in 继续教育学时证明 李小明 ST-SH-2026-000001 2024 2025 2026 未达标 90（专业60） 60.5 \
		2026年11月27日; do
		check "statement: text has '$want'" contains "$txt" "$want"
	done
	got=$(page_qr "$W/st.pdf")
	if [[ $got == "$link" ]]; then ok "statement: QR decodes to exactly its link"
	else fail "statement: QR decoded to '$got'"; fi
else
	fail "statement: pdf_statement failed"
fi

# ---- QR images -------------------------------------------------------------------------------
LINK=$("$SAMPLE" cert "$W/x.pdf" 张三 J "$BASE_USUAL")
for scale in 2 4 10; do
	"$SAMPLE" png "$LINK" "$W/q$scale.png" "$scale" >/dev/null
	got=$(zbarimg --quiet --raw "$W/q$scale.png" 2>/dev/null)
	if [[ $got == "$LINK" ]]; then ok "PNG scale $scale: zbarimg decodes exactly the link"
	else fail "PNG scale $scale: zbarimg decoded '$got'"; fi
done
"$SAMPLE" svg "$LINK" "$W/q.svg" 4 >/dev/null
check "SVG is well-formed XML with one path" python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert r.tag == ns + "svg" and r.get("viewBox") == "0 0 57 57", r.attrib
assert r.get("shape-rendering") == "crispEdges"
assert len(r.findall(ns + "path")) == 1
' "$W/q.svg"

# ---- tmcred-verify ---------------------------------------------------------------------------
if [[ -x $VERIFY ]] && "$SAMPLE" keyset "$W/keys.json" "$W/sk" >/dev/null 2>&1; then
	source "$TOP/tests/render/verify.sh"
else
	fail "tmcred-verify or cert-sample keyset not available"
fi

finish
