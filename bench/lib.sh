# bench/lib.sh: what bench/run.sh and bench/soak.sh share (sourced, not
# run): logging, tools, the build, the seeded data directory, starting and
# stopping glpinetd, and reading a process's CPU, memory and descriptors
# from /proc.
#
# The caller sets ROOT, OUT, KEYS, PLUGINS and RESEED (and DBFLAGS, an
# array, for bench_start), and calls the functions in this order:
# bench_tools, bench_build, bench_seed, then bench_start as often as it
# needs servers. Every process started with bench_start or bench_track is
# stopped when the script exits.

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# seconds turns 15s, 2m or 15 into seconds.
seconds() {
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# bench_tools COMMAND:PACKAGE...: installs with apt-get the packages of the
# commands that are missing (running apt-get update first if that fails).
bench_tools() {
	local missing=() pair
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || [[ -x /usr/sbin/${pair%%:*} ]] || missing+=("${pair#*:}")
	done
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
			apt-get update -qq
			apt-get install -y -qq "${missing[@]}" >/dev/null
		fi
	fi
	command -v go >/dev/null 2>&1 || die "go is not installed"
}

# bench_build builds glpinetd and the bench commands into BIN=OUT/bin and
# sets REVISION to the commit measured (and whether the work tree differed
# from it).
bench_build() {
	BIN=$OUT/bin
	mkdir -p "$BIN" "$OUT/logs"
	log "building glpinetd and the bench commands"
	(cd "$ROOT" && go build -o "$BIN/" ./cmd/glpinetd ./bench/seed ./bench/loadgen ./bench/keygen ./bench/slowclients ./bench/soakgen) ||
		die "the build failed"
	REVISION=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [[ $REVISION != unknown && -n "$(cd "$ROOT" && git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
		REVISION="$REVISION with uncommitted changes"
	fi
}

# bench_seed makes DATA=OUT/data hold KEYS registration keys (listed in
# KEYFILE) of an account with the advanced offer and a catalogue of PLUGINS
# plugins, unless it already holds them (marker file DATA/.bench-seeded;
# RESEED=1 forces it), and reads the seeding times (keys_seconds,
# plugins_seconds, total_seconds, seeded_at).
bench_seed() {
	DATA=$OUT/data
	KEYFILE=$OUT/keys.txt
	local marker=$DATA/.bench-seeded
	SEEDSPEC="keys=$KEYS plugins=$PLUGINS seed=1 offer=advanced format=1"
	SEEDTIMES=$DATA/.bench-seed-times
	if ((RESEED)) || [[ ! -f $marker || "$(cat "$marker")" != "$SEEDSPEC" || ! -s $KEYFILE ]]; then
		log "seeding $DATA ($SEEDSPEC)"
		rm -rf "$DATA" "$KEYFILE"
		mkdir -p "$DATA"
		local t0 t1 t2 account tkeys tplugins ttotal
		t0=$(now)
		account=$("$BIN/glpinetd" account create "Bench Corp" --data "$DATA" --json | sed -n 's/^  "id": \([0-9]*\),*$/\1/p' | head -n1)
		[[ -n $account ]] || die "could not create the account"
		"$BIN/glpinetd" subscription grant --account "$account" --offer advanced --until 2030-12-31 --data "$DATA" >/dev/null
		t1=$(now)
		timeout 420 "$BIN/glpinetd" key bulk-issue --account "$account" --count "$KEYS" --out "$KEYFILE" --data "$DATA" >/dev/null
		tkeys=$(elapsed "$t1")
		t2=$(now)
		timeout 300 "$BIN/seed" --data "$DATA" --plugins "$PLUGINS" >&2
		tplugins=$(elapsed "$t2")
		ttotal=$(elapsed "$t0")
		printf 'keys_seconds=%s\nplugins_seconds=%s\ntotal_seconds=%s\nseeded_at=%s\n' \
			"$tkeys" "$tplugins" "$ttotal" "$(date -u +%FT%TZ)" >"$SEEDTIMES"
		echo "$SEEDSPEC" >"$marker"
		log "seeded in ${ttotal}s (keys ${tkeys}s, plugins ${tplugins}s)"
	else
		log "reusing the seeded data in $DATA (--reseed to rebuild)"
	fi
	# shellcheck disable=SC1090
	source "$SEEDTIMES"
}

# ---------------------------------------------------------------- processes
BENCH_PIDS=()
declare -A BENCH_STOPSIG
# bench_track PID [SIGNAL]: stop PID with SIGNAL (default TERM) on exit.
bench_track() {
	BENCH_PIDS+=("$1")
	BENCH_STOPSIG[$1]=${2:-TERM}
}
# bench_stop PID: stops a tracked process now and waits for it.
bench_stop() {
	if kill -0 "$1" 2>/dev/null; then
		kill "-${BENCH_STOPSIG[$1]:-TERM}" "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	fi
}
bench_cleanup() {
	local rc=$? p
	for p in "${BENCH_PIDS[@]}"; do bench_stop "$p"; done
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port prints the first loopback port from $1 up that nobody listens on.
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}
# wait_http URL PID waits until a URL answers (false if PID exits first).
wait_http() {
	local url=$1 pid=$2
	for _ in $(seq 1 300); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# bench_start NAME PORT METRICS-PORT [SERVE-OPTIONS...]: starts
# "glpinetd serve" on 127.0.0.1:PORT over DATA (and DBFLAGS), logging to
# OUT/logs/NAME.log, and waits until /readyz answers. Sets STARTED_PID and
# STARTED_SECONDS (until ready).
bench_start() {
	local name=$1 port=$2 mport=$3 t0
	shift 3
	log "starting $name on http://127.0.0.1:$port $*"
	t0=$(now)
	"$BIN/glpinetd" serve --data "$DATA" "${DBFLAGS[@]}" --addr "127.0.0.1:$port" --metrics-addr "127.0.0.1:$mport" "$@" \
		>"$OUT/logs/$name.log" 2>&1 &
	STARTED_PID=$!
	bench_track "$STARTED_PID"
	wait_http "http://127.0.0.1:$port/readyz" "$STARTED_PID" || die "$name did not start; see $OUT/logs/$name.log"
	STARTED_SECONDS=$(elapsed "$t0")
}

# ---------------------------------------------------------------- /proc
HZ=$(getconf CLK_TCK)
# server_ticks PID: CPU time (user + system, in clock ticks) of the process
# and of its children (nginx's workers).
server_ticks() {
	local t=0 p
	for p in "$1" $(pgrep -P "$1" || true); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}
# machine_ticks: busy and total CPU ticks of the whole machine.
machine_ticks() { awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat; }
# kb FIELD PID: a field of /proc/PID/status in kB (VmRSS, VmHWM).
kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$2/status"; }
# mb KB: kilobytes as megabytes, one decimal.
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# fds PID: the process's open file descriptors.
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# wait_quiet: this machine may be shared; before a measured run, wait (up
# to QUIETMAX seconds over the whole run) until the other processes use
# less than a fifth of a core, sampled over one second.
QUIETMAX=${QUIETMAX:-60}
QUIETWAITED=0
wait_quiet() {
	local b0 t0 b1 t1 busy
	while :; do
		read -r b0 t0 < <(machine_ticks)
		sleep 1
		read -r b1 t1 < <(machine_ticks)
		busy=$(awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" -v n="$(nproc)" 'BEGIN { printf "%.2f", b / t * n }')
		if awk -v x="$busy" 'BEGIN { exit !(x < 0.2) }' || ((QUIETWAITED >= QUIETMAX)); then
			return
		fi
		((QUIETWAITED == 0)) && log "other processes use $busy cores: waiting for a quiet machine (at most ${QUIETMAX}s in all)"
		QUIETWAITED=$((QUIETWAITED + 1))
	done
}
