# Helpers shared by scripts/{stack,up,down,test,fuzz}. Sourced, not run.
# shellcheck shell=bash
#
# Expects: set -euo pipefail in the caller. Defines TOP (the checkout) and ME (script name).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ME=$(basename "$0")
# mariadbd, mariadb-install-db helpers and nginx live in sbin on Debian.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
export PATH

msg() { printf '%s: %s\n' "$ME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$ME" "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Debian packages

RUNTIME_PACKAGES=(build-essential libcsv-dev autoconf automake libtool pkg-config libfcgi-dev libmariadb-dev
	mariadb-server mariadb-client nginx-light libsodium-dev libjansson-dev libinih-dev curl
	libqrencode-dev libpng-dev libcairo2-dev libpango1.0-dev libzbar-dev fonts-noto-cjk zlib1g-dev libcurl4-openssl-dev openssl)
TEST_PACKAGES=(libcriterion-dev clang libclang-rt-14-dev chromium fonts-noto-cjk python3 jq
	zbar-tools poppler-utils)

# ensure_packages PKG...: installs the Debian packages of the list that are not installed yet.
# `apt-get update` runs at most once per run (TMCRED_APT_UPDATED is exported to child scripts).
ensure_packages() {
	local p missing=() sudo=()
	for p in "$@"; do
		if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
			missing+=("$p")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
	if ((EUID != 0)); then
		command -v sudo >/dev/null || die "missing packages (${missing[*]}); run as root or install them"
		sudo=(sudo)
	fi
	msg "installing ${missing[*]}"
	if [[ ${TMCRED_APT_UPDATED:-} != 1 ]]; then
		"${sudo[@]}" apt-get update -q || die "apt-get update failed"
		export TMCRED_APT_UPDATED=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed"
}

ensure_runtime_packages() { ensure_packages "${RUNTIME_PACKAGES[@]}"; }

ensure_test_packages() {
	local extra=()
	command -v node >/dev/null || extra=(nodejs npm)
	ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${extra[@]}"
}

# ---------------------------------------------------------------------------------------------
# Build (autotools, out of tree)

# autoreconf_if_needed: autoreconf -fi when configure is missing or older than its inputs.
autoreconf_if_needed() {
	local f
	if [[ -x $TOP/configure && -f $TOP/Makefile.in ]]; then
		for f in "$TOP/configure.ac" "$TOP/Makefile.am" "$TOP"/m4/*.m4; do
			[[ -e $f && $f -nt $TOP/configure ]] && break
			f=
		done
		[[ -z $f ]] && return 0
	fi
	msg "autoreconf -fi"
	(cd "$TOP" && autoreconf -fi)
}

# configure_if_needed BUILDDIR [configure args...]: runs configure once; later runs leave it to
# make's own rebuild rules (config.status --recheck when configure changes).
configure_if_needed() {
	local b=$1 rel
	shift
	mkdir -p "$b"
	[[ -f $b/Makefile && -f $b/config.status ]] && return 0
	rel=$(realpath --relative-to="$b" "$TOP")
	msg "configure in ${b#"$TOP"/}"
	(cd "$b" && "$rel/configure" "$@")
}

# ---------------------------------------------------------------------------------------------
# Processes

# Space-separated argv of PID (NULs turned into spaces); fails if there is no such process.
proc_cmdline() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# proc_is PID PROG [NEEDLE]: true if PID runs (not a zombie), its program is PROG (basename of
# argv[0] or of /proc/PID/exe; nginx rewrites argv[0] to "nginx: master process ...") and, if
# NEEDLE is given, its command line contains NEEDLE.
proc_is() {
	local pid=$1 prog=$2 needle=${3:-} cmd argv0 exe state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[[ -n $state && $state != Z ]] || return 1
	cmd=$(proc_cmdline "$pid") || return 1
	argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1) || true
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || true
	exe=${exe% (deleted)}
	if [[ ${argv0##*/} != "$prog" && ${exe##*/} != "$prog" && $argv0 != "$prog: "* ]]; then
		return 1
	fi
	[[ -z $needle || $cmd == *"$needle"* ]]
}

# proc_alive PID: true if PID exists and is not a zombie (whatever program it runs).
proc_alive() {
	local state
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[[ -n $state && $state != Z ]]
}

# Direct children of PID, one per line (no pgrep needed).
children_of() {
	local pid=$1 f
	for f in /proc/"$pid"/task/*/children; do
		[[ -r $f ]] && { tr ' ' '\n' <"$f" | grep -E '^[0-9]+$' || true; }
	done
}

# pidfile_pid FILE: prints the pid recorded in FILE (digits only) or fails.
pidfile_pid() {
	local p
	[[ -f $1 ]] || return 1
	read -r p <"$1" 2>/dev/null || return 1
	[[ $p =~ ^[0-9]+$ ]] || return 1
	echo "$p"
}

# wait_gone PID SECONDS: true once PID has exited (or is a zombie), false after SECONDS.
wait_gone() {
	local pid=$1 i n=$(($2 * 10)) state tasks
	for ((i = 0; i < n; i++)); do
		state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 0
		[[ -z $state ]] && return 0
		if [[ $state == Z ]]; then
			# a zombie leader may still have threads that hold files open
			tasks=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
			((tasks <= 1)) && return 0
		fi
		sleep 0.1
	done
	return 1
}

# stop_pid PID PROG NEEDLE SECONDS: SIGTERM PID if it is still PROG, wait SECONDS, then SIGKILL.
# Children that were PROG too (workers) and outlive a killed master are stopped the same way.
stop_pid() {
	local pid=$1 prog=$2 needle=$3 secs=$4 kids=() k
	proc_is "$pid" "$prog" "$needle" || return 0
	mapfile -t kids < <(children_of "$pid")
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" "$secs"; then
		if proc_is "$pid" "$prog" "$needle"; then
			msg "$prog (pid $pid) still running after ${secs}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || msg "$prog (pid $pid) did not die"
		fi
	fi
	for k in "${kids[@]}"; do
		proc_is "$k" "$prog" || continue
		kill -TERM "$k" 2>/dev/null || true
		if ! wait_gone "$k" 5 && proc_is "$k" "$prog"; then
			kill -KILL "$k" 2>/dev/null || true
		fi
	done
}

# ---------------------------------------------------------------------------------------------
# Network (loopback only)

# Ports in LISTEN state on any local address, one per line (decimal), from /proc/net/tcp{,6}.
# One awk pass per file: bash `read` would read /proc/net/tcp a byte per syscall, and the
# kernel regenerates the file on each, so a box with thousands of TIME_WAIT sockets left by a
# load test took seconds per call.
listening_ports() {
	local h
	for h in $(awk 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null); do
		echo $((16#$h))
	done
	return 0
}

port_in_use() { listening_ports | grep -qx "$1"; }

# A throwaway self-signed certificate for 127.0.0.1, made once per nginx dir, for the TLS
# listener of a local stack or cluster (nginx/nginx.conf.in); never used in production.
tls_selfsigned() { # NGINX_DIR
	local t=$1/tls
	[[ -s $t/cert.pem && -s $t/key.pem ]] && return 0
	mkdir -p "$t"
	(umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 30 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$t/key.pem" -out "$t/cert.pem" >/dev/null 2>&1) ||
		die "openssl could not make the local test certificate in $t"
	chmod 0644 "$t/cert.pem"
}

# free_port: prints a TCP port nothing listens on (20000-39999), or fails.
free_port() {
	local used p i
	used=$(listening_ports | sort -u)
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 20000))
		grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
	done
	return 1
}

# http_code URL: prints the HTTP status (000 if no answer), never fails.
http_code() {
	curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --connect-timeout 2 --max-time 5 "$1" 2>/dev/null || true
}

# A path we are willing to write unquoted into nginx.conf, an INI file and SQL-free contexts.
safe_path() { [[ $1 =~ ^/[A-Za-z0-9._/+~-]*$ ]]; }
