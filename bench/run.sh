#!/usr/bin/env bash
# bench/run.sh: load-test glpinetd against nginx serving the same bytes.
#
# What it does, in one run on one machine (see docs/benchmarks.md):
#   1. installs nginx-light, wrk and curl with apt-get when missing;
#   2. builds glpinetd and bench/seed;
#   3. seeds a data directory (1,000,000 registration keys with
#      "glpinetd key bulk-issue", an account with the advanced offer, and a
#      catalogue of 480 plugins with bench/seed), unless it is already seeded
#      with the same parameters (marker file DATA/.bench-seeded; --reseed
#      forces it);
#   4. starts glpinetd and a private nginx (own config, prefix, pid and logs)
#      on free loopback ports; captures glpinetd's responses with curl and
#      makes nginx serve exactly those bytes as static files (the plugins page
#      gzip-compressed via gzip_static, as glpinetd sends it to GLPI);
#   5. runs wrk with the same settings for both servers, a warm-up before
#      each measured run, --repeat rounds (default 3) of glpinetd then nginx
#      per endpoint, each measured run after the machine is quiet (it may be
#      shared: at most QUIETMAX=60 seconds of waiting in all):
#        info-1key    GET /api/registration/info, one key
#        info-10k     the same rotating over 10,000 keys (wrk/info-keys.lua);
#                     every wrk run takes 10,000 keys never used before, so
#                     a measured glpinetd run loads each from the database once
#        plugins-200  GET /api/marketplace/plugins, X-Range 0-199, gzip
#   6. prints a Markdown table of the medians (req/s, p50, p99, ratio to
#      nginx), the CPU each server used per request, every run, glpinetd's
#      memory (VmHWM, VmRSS from /proc), and stops both servers on exit.
#
# With the defaults it takes about 7 minutes, seeding included (about a
# minute; later runs reuse the seeded data).
#
# All traffic goes to 127.0.0.1. Everything is written under bench/out/
# (or --out DIR): binaries, data, keys, captured responses, nginx files,
# raw wrk outputs, results.md.
#
# With --postgres SERVER (a postgres:// URL of a server where the user may
# create databases), glpinetd runs on PostgreSQL instead: the seeded SQLite
# database is copied into the database glpinet_bench on that server with
# "glpinetd db copy" (again only when the seed changed), and glpinetd serves
# from it with the same data directory (archives, signing key). Results go
# to OUT/results-postgres.md.
#
# Usage: bench/run.sh [--reseed] [--out DIR] [--duration 15s] [--warmup 3s]
#                     [--repeat 3] [--threads 2] [--connections 64]
#                     [--keys 1000000] [--plugins 480] [--rotate 10000]
#                     [--postgres URL] [--profile]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
KEYS=1000000
PLUGINS=480
DURATION=15s
WARMUP=3s
THREADS=2
CONNS=64
ROTATE=10000
REPEAT=3
# Fixed request rates for the latency runs (see "latency at a fixed rate").
INFO_RATE=5000
PLUG_RATE=2000
RESEED=0
PROFILE=0
PGSERVER=

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
	cat <<'EOF'
Options:
  --reseed         rebuild the data directory even if it is already seeded
  --out DIR        where everything is written (default bench/out)
  --duration D     measured wrk run length (default 15s)
  --warmup D       warm-up before each measured run (default 3s)
  --threads N      wrk threads (default 2)
  --connections N  wrk connections (default 64)
  --keys N         registration keys to issue (default 1000000)
  --plugins N      plugins in the catalogue (default 480, at least 201)
  --rotate N       distinct keys of the info-10k run (default 10000)
  --repeat N       rounds of measured runs per endpoint and server; the
                   table gives the medians (default 3)
  --info-rate N    fixed rate of the /info latency runs (default 5000 req/s)
  --plugins-rate N fixed rate of the plugins-page latency runs (default 2000 req/s)
  --postgres URL   serve from PostgreSQL: a copy of the seeded data in the
                   database glpinet_bench of this server
  --profile        after the measured runs, run each glpinetd load again
                   under `perf record` and write the hottest functions to
                   OUT/profile-*.txt (needs perf; not part of the table)
EOF
}

while (($#)); do
	case $1 in
	--reseed) RESEED=1 ;;
	--profile) PROFILE=1 ;;
	--out) OUT=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--warmup) WARMUP=$2; shift ;;
	--threads) THREADS=$2; shift ;;
	--connections) CONNS=$2; shift ;;
	--keys) KEYS=$2; shift ;;
	--plugins) PLUGINS=$2; shift ;;
	--rotate) ROTATE=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	--info-rate) INFO_RATE=$2; shift ;;
	--plugins-rate) PLUG_RATE=$2; shift ;;
	--postgres) PGSERVER=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
((PLUGINS > 200)) || { echo "run.sh: --plugins must be above 200 so that the 200-plugin page is full" >&2; exit 2; }
# info-10k takes a fresh block of ROTATE keys per wrk run (see load), and
# one more block is kept for the byte-identity check.
((KEYS >= (4 * REPEAT + 4) * ROTATE + 2)) || { echo "run.sh: --keys must be at least (4 × --repeat + 4) × --rotate + 2" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

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

# ---------------------------------------------------------------- tools
missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
		apt-get update -qq
		apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v go >/dev/null 2>&1 || die "go is not installed"
if ((PROFILE)); then command -v perf >/dev/null 2>&1 || die "--profile needs perf (apt-get install linux-perf)"; fi

# ---------------------------------------------------------------- build
BIN=$OUT/bin
mkdir -p "$BIN" "$OUT/logs" "$OUT/wrk"
log "building glpinetd and bench/seed"
(cd "$ROOT" && go build -o "$BIN/glpinetd" ./cmd/glpinetd && go build -o "$BIN/seed" ./bench/seed && go build -o "$BIN/loadgen" ./bench/loadgen)
# What was measured: the commit, and whether the work tree differed from it.
REVISION=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $REVISION != unknown && -n "$(cd "$ROOT" && git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
	REVISION="$REVISION with uncommitted changes"
fi

# ---------------------------------------------------------------- seed
DATA=$OUT/data
KEYFILE=$OUT/keys.txt
MARKER=$DATA/.bench-seeded
SEEDSPEC="keys=$KEYS plugins=$PLUGINS seed=1 offer=advanced format=1"
SEEDTIMES=$DATA/.bench-seed-times
if ((RESEED)) || [[ ! -f $MARKER || "$(cat "$MARKER")" != "$SEEDSPEC" || ! -s $KEYFILE ]]; then
	log "seeding $DATA ($SEEDSPEC)"
	rm -rf "$DATA" "$KEYFILE"
	mkdir -p "$DATA"
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
	echo "$SEEDSPEC" >"$MARKER"
	log "seeded in ${ttotal}s (keys ${tkeys}s, plugins ${tplugins}s)"
else
	log "reusing the seeded data in $DATA (--reseed to rebuild)"
fi
# shellcheck disable=SC1090
source "$SEEDTIMES"

# ---------------------------------------------------------------- PostgreSQL
STORE=SQLite
DBFLAGS=()
if [[ -n $PGSERVER ]]; then
	command -v psql >/dev/null 2>&1 || die "--postgres needs psql (apt-get install postgresql-client)"
	STORE=PostgreSQL
	PGDB=glpinet_bench
	# The server's URL with the bench database as its path (query kept).
	PGDSN=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$PGDB#" <<<"$PGSERVER")
	[[ $PGDSN == postgres*://*/$PGDB* ]] || die "--postgres must be a postgres:// URL, got $PGSERVER"
	PGMARKER=$DATA/.bench-pg-copied
	PGSPEC="$SEEDSPEC to=$PGDSN"
	if [[ ! -f $PGMARKER || "$(cat "$PGMARKER")" != "$PGSPEC" ]]; then
		log "copying the seeded database to PostgreSQL ($PGDSN)"
		psql -q "$PGSERVER" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" -c "CREATE DATABASE $PGDB" >/dev/null ||
			die "cannot create the database $PGDB on $PGSERVER"
		t0=$(now)
		"$BIN/glpinetd" db copy --from "$DATA/glpinet.db" --to "$PGDSN" >"$OUT/logs/db-copy.log" 2>&1 ||
			die "db copy failed; see $OUT/logs/db-copy.log"
		printf 'pg_copy_seconds=%s\n' "$(elapsed "$t0")" >>"$SEEDTIMES"
		psql -q "$PGDSN" -c "VACUUM ANALYZE" >/dev/null
		echo "$PGSPEC" >"$PGMARKER"
	fi
	# shellcheck disable=SC1090
	source "$SEEDTIMES"
	PGSIZE=$(psql -Atq "$PGDSN" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
	log "serving from PostgreSQL $PGDSN ($PGSIZE; copied in ${pg_copy_seconds}s)"
	DBFLAGS=(--database "$PGDSN")
fi

# ---------------------------------------------------------------- servers
GPID=
NPID=
cleanup() {
	local rc=$?
	if [[ -n $GPID ]] && kill -0 "$GPID" 2>/dev/null; then
		kill -TERM "$GPID" 2>/dev/null || true
		wait "$GPID" 2>/dev/null || true
	fi
	if [[ -n $NPID ]] && kill -0 "$NPID" 2>/dev/null; then
		kill -QUIT "$NPID" 2>/dev/null || true
		wait "$NPID" 2>/dev/null || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port prints the first loopback port from $1 up that nobody listens on.
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}
# wait_http waits until a URL answers.
wait_http() {
	local url=$1 pid=$2
	for _ in $(seq 1 300); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

GPORT=$(free_port 18080)
MPORT=$(free_port 19464)
GURL=http://127.0.0.1:$GPORT
log "starting glpinetd on $GURL"
t0=$(now)
"$BIN/glpinetd" serve --data "$DATA" "${DBFLAGS[@]}" --addr "127.0.0.1:$GPORT" --public-url "$GURL" --metrics-addr "127.0.0.1:$MPORT" >"$OUT/logs/glpinetd.log" 2>&1 &
GPID=$!
wait_http "$GURL/readyz" "$GPID" || die "glpinetd did not start; see $OUT/logs/glpinetd.log"
tstart=$(elapsed "$t0")

# The requests, with the headers GLPI 10.0 sends.
UA='GLPI/10.0.16 (installation-mode:TARBALL)'
KEY1=$(sed -n 1p "$KEYFILE")
UID1=benchInstance$(printf '%027d' 1)
INFO_H=(-H 'Accept: application/json' -H 'Accept-Language: en' -H 'Content-Type: application/json'
	-H "User-Agent: $UA" -H "X-Registration-Key: $KEY1" -H "X-Glpi-Network-Uid: $UID1")
PLUG_H=(-H 'X-Range: 0-199' -H "User-Agent: $UA" -H "X-Registration-Key: $KEY1"
	-H 'Accept: application/json' -H 'Accept-Encoding: gzip')

# Capture glpinetd's answers: they become nginx's static files.
WWW=$OUT/www
CAP=$OUT/capture
rm -rf "$WWW" "$CAP"
mkdir -p "$WWW/api/registration" "$WWW/api/marketplace" "$CAP"
header() { grep -i "^$1:" "$2" | head -n1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'; }
status() { head -n1 "$1" | awk '{print $2}'; }

curl -sS -D "$CAP/info.headers" -o "$WWW/api/registration/info" "${INFO_H[@]}" "$GURL/api/registration/info"
[[ $(status "$CAP/info.headers") == 200 ]] || die "/info answered $(status "$CAP/info.headers")"
grep -q '"is_valid":true' "$WWW/api/registration/info" || die "/info: key not valid: $(cat "$WWW/api/registration/info")"
grep -q '"code":"VALID"' "$WWW/api/registration/info" || die "/info: no running subscription: $(cat "$WWW/api/registration/info")"
# Every bench key belongs to the same account: the answer is the same bytes.
# (Key 1 is the key of the 1-key runs; the info-10k runs use keys from 2 on,
# see load; this check uses the last key of the file.)
KEYN=$(tail -n1 "$KEYFILE")
curl -sS -o "$CAP/info-other" "${INFO_H[@]/$KEY1/$KEYN}" "$GURL/api/registration/info"
cmp -s "$CAP/info-other" "$WWW/api/registration/info" || die "/info differs between two keys of the account"

curl -sS -D "$CAP/plugins.headers" -o "$WWW/api/marketplace/plugins.gz" "${PLUG_H[@]}" "$GURL/api/marketplace/plugins"
[[ $(status "$CAP/plugins.headers") == 200 ]] || die "/plugins answered $(status "$CAP/plugins.headers")"
[[ $(header Content-Encoding "$CAP/plugins.headers") == gzip ]] || die "/plugins was not gzip-encoded"
curl -sS -o "$WWW/api/marketplace/plugins" "${PLUG_H[@]:0:8}" "$GURL/api/marketplace/plugins"
gzip -dc "$WWW/api/marketplace/plugins.gz" | cmp -s - "$WWW/api/marketplace/plugins" ||
	die "the gzip and identity plugin pages differ"
NITEMS=$(grep -o '{"key":"' "$WWW/api/marketplace/plugins" | wc -l)
((NITEMS == 200)) || die "the plugins page has $NITEMS plugins, not 200"
NDL=$(grep -o '"download_url":"' "$WWW/api/marketplace/plugins" | wc -l)
INFO_BYTES=$(stat -c %s "$WWW/api/registration/info")
PLAIN_BYTES=$(stat -c %s "$WWW/api/marketplace/plugins")
GZ_BYTES=$(stat -c %s "$WWW/api/marketplace/plugins.gz")
log "captured /info ($INFO_BYTES B) and the plugins page ($PLAIN_BYTES B, $GZ_BYTES B gzip, $NITEMS plugins)"

# A private nginx: its own prefix, config, pid, logs and temp paths.
NGX=$OUT/nginx
rm -rf "$NGX"
mkdir -p "$NGX/tmp"
NPORT=$(free_port $((GPORT + 1)))
NURL=http://127.0.0.1:$NPORT
NGX_USER=
[[ $(id -u) == 0 ]] && NGX_USER="user root root;"
cat >"$NGX/nginx.conf" <<EOF
# Generated by bench/run.sh: static copies of glpinetd's responses.
$NGX_USER
daemon off;
master_process on;
worker_processes auto;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    # wrk keeps its connections open: do not close them every 1000 requests
    # (glpinetd does not either).
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server_tokens off;
    types { }
    default_type "application/json; charset=utf-8";
    etag off;
    server {
        listen 127.0.0.1:$NPORT;
        root $WWW;
        # The same headers as glpinetd, so that both send about as much.
        location = /api/registration/info {
            add_header Cache-Control "no-store";
            add_header X-Request-Id \$request_id;
        }
        location = /api/marketplace/plugins {
            gzip_static on;
            add_header Content-Range "$(header Content-Range "$CAP/plugins.headers")";
            add_header Accept-Range "$(header Accept-Range "$CAP/plugins.headers")";
            add_header ETag '$(header ETag "$CAP/plugins.headers")';
            add_header Vary "$(header Vary "$CAP/plugins.headers")";
            add_header Cache-Control "$(header Cache-Control "$CAP/plugins.headers")";
            add_header X-Request-Id \$request_id;
        }
    }
}
EOF
"$NGINX" -t -q -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf" || die "bad nginx config $NGX/nginx.conf"
log "starting nginx on $NURL"
"$NGINX" -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf" &
NPID=$!
wait_http "$NURL/api/registration/info" "$NPID" || die "nginx did not start; see $NGX/error.log"

# nginx must send the very bytes glpinetd sends.
curl -sS -o "$CAP/nginx-info" "${INFO_H[@]}" "$NURL/api/registration/info"
cmp -s "$CAP/nginx-info" "$WWW/api/registration/info" || die "nginx's /info differs from glpinetd's"
curl -sS -D "$CAP/nginx-plugins.headers" -o "$CAP/nginx-plugins.gz" "${PLUG_H[@]}" "$NURL/api/marketplace/plugins"
[[ $(header Content-Encoding "$CAP/nginx-plugins.headers") == gzip ]] || die "nginx did not send the gzip page"
cmp -s "$CAP/nginx-plugins.gz" "$WWW/api/marketplace/plugins.gz" || die "nginx's plugins page differs from glpinetd's"
log "nginx serves byte-identical bodies"

# ---------------------------------------------------------------- load

# to_ms converts a wrk latency (850.00us, 1.20ms, 1.05s, 1.00m) to ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}


LUA=$ROOT/bench/wrk/info-keys.lua
WRKMAX=$(($(seconds "$DURATION") + $(seconds "$WARMUP") + 60))
KEYBLOCK=0

# load SCENARIO DURATION URL [WRK-OPTIONS...]: one wrk run. Every info-10k
# run (warm-up, measured or profiling, either server) takes the next block
# of ROTATE keys of the key file from line 2 on (line 1 is the 1-key runs'
# key), so a measured glpinetd run only sees keys it never saw before: each
# is read from SQLite on first use, then served from the cache.
load() {
	local scenario=$1 dur=$2 url=$3
	shift 3
	local args=(-t"$THREADS" -c"$CONNS" -d"$dur" "$@")
	case $scenario in
	info-1key)
		timeout "$WRKMAX" wrk "${args[@]}" "${INFO_H[@]}" "$url/api/registration/info" ;;
	info-10k)
		local first=$((2 + KEYBLOCK * ROTATE))
		KEYBLOCK=$((KEYBLOCK + 1))
		timeout "$WRKMAX" wrk "${args[@]}" -s "$LUA" "$url/api/registration/info" -- "$KEYFILE" "$first" "$ROTATE" "$THREADS" ;;
	plugins-200)
		timeout "$WRKMAX" wrk "${args[@]}" "${PLUG_H[@]}" "$url/api/marketplace/plugins" ;;
	*) die "unknown scenario $scenario" ;;
	esac
}

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
HZ=$(getconf CLK_TCK)

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

# Per measured run (key SCENARIO.SERVER.REPEAT): wrk's numbers, and the CPU
# used meanwhile by the server, wrk and all other processes, in cores.
declare -A RPS P50 P99 ERRS REQS SRVCPU USPERREQ WRKCPU OTHERCPU

# bench SCENARIO SERVER URL REPEAT: warm-up, then the measured run, parsed.
bench() {
	local scenario=$1 server=$2 url=$3 rep=$4
	local name=$scenario.$server.$rep pid=$GPID
	[[ $server == nginx ]] && pid=$NPID
	local f=$OUT/wrk/$name.txt
	log "$name: warm-up $WARMUP"
	load "$scenario" "$WARMUP" "$url" >"$OUT/wrk/$name.warmup.txt" 2>&1
	wait_quiet
	log "$name: measuring $DURATION"
	local s0 s1 mb0 mt0 mb1 mt1 wu ws
	s0=$(server_ticks "$pid")
	read -r mb0 mt0 < <(machine_ticks)
	{ TIMEFORMAT='%U %S'; time load "$scenario" "$DURATION" "$url" --latency >"$f" 2>&1; } 2>"$OUT/wrk/$name.cpu"
	s1=$(server_ticks "$pid")
	read -r mb1 mt1 < <(machine_ticks)
	read -r wu ws <"$OUT/wrk/$name.cpu"
	RPS[$name]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
	[[ -n ${RPS[$name]} ]] || die "could not parse $f: $(cat "$f")"
	REQS[$name]=$(awk '/ requests in / { print $1 }' "$f")
	P50[$name]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
	P99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
	local non2xx sock
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
	sock=$(awk '/Socket errors:/ { gsub(/[^0-9]+/, " "); s = 0; for (i = 1; i <= NF; i++) s += $i; print s }' "$f")
	ERRS[$name]=$((${non2xx:-0} + ${sock:-0}))
	local wall
	wall=$(awk -v t="$((mt1 - mt0))" -v n="$(nproc)" -v hz="$HZ" 'BEGIN { print t / n / hz }')
	SRVCPU[$name]=$(awk -v t="$((s1 - s0))" -v w="$wall" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz / w }')
	USPERREQ[$name]=$(awk -v t="$((s1 - s0))" -v n="${REQS[$name]}" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
	WRKCPU[$name]=$(awk -v u="$wu" -v s="$ws" -v w="$wall" 'BEGIN { printf "%.2f", (u + s) / w }')
	OTHERCPU[$name]=$(awk -v b="$((mb1 - mb0))" -v srv="$((s1 - s0))" -v u="$wu" -v s="$ws" -v w="$wall" -v hz="$HZ" \
		'BEGIN { o = (b - srv) / hz - u - s; if (o < 0) o = 0; printf "%.2f", o / w }')
	log "$name: ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${ERRS[$name]}," \
		"server ${SRVCPU[$name]} cores (${USPERREQ[$name]} µs/req), wrk ${WRKCPU[$name]}, others ${OTHERCPU[$name]}"
}

# median ARRAY-NAME KEY-PREFIX: median over the repeats (for an even count,
# the mean of the two middle values).
median() {
	local -n arr=$1
	local r
	for ((r = 1; r <= REPEAT; r++)); do echo "${arr[$2.$r]}"; done | sort -g |
		awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}
# sum ARRAY-NAME KEY-PREFIX: sum over the repeats.
sum() {
	local -n arr=$1
	local r t=0
	for ((r = 1; r <= REPEAT; r++)); do t=$((t + arr[$2.$r])); done
	echo "$t"
}

SCENARIOS=(info-1key info-10k plugins-200)
SERVERS=(glpinetd nginx)
LOADSTART=$(cut -d' ' -f1-3 /proc/loadavg)
TSTART=$(date -u '+%Y-%m-%d %H:%M UTC')
# Each scenario: REPEAT rounds of glpinetd then nginx, so that both see the
# same conditions; the table reports the median of the rounds.
for sc in "${SCENARIOS[@]}"; do
	for ((r = 1; r <= REPEAT; r++)); do
		bench "$sc" glpinetd "$GURL" "$r"
		bench "$sc" nginx "$NURL" "$r"
	done
done
declare -A M_RPS M_P50 M_P99 M_ERRS M_SRVCPU M_USPERREQ M_WRKCPU M_OTHERCPU
for sc in "${SCENARIOS[@]}"; do
	for sv in "${SERVERS[@]}"; do
		k=$sc.$sv
		M_RPS[$k]=$(median RPS "$k" | awk '{ printf "%.0f", $1 }')
		M_P50[$k]=$(median P50 "$k" | awk '{ printf "%.2f", $1 }')
		M_P99[$k]=$(median P99 "$k" | awk '{ printf "%.2f", $1 }')
		M_ERRS[$k]=$(sum ERRS "$k")
		M_SRVCPU[$k]=$(median SRVCPU "$k" | awk '{ printf "%.2f", $1 }')
		M_USPERREQ[$k]=$(median USPERREQ "$k" | awk '{ printf "%.1f", $1 }')
		M_WRKCPU[$k]=$(median WRKCPU "$k" | awk '{ printf "%.2f", $1 }')
		M_OTHERCPU[$k]=$(median OTHERCPU "$k" | awk '{ printf "%.2f", $1 }')
	done
done

# ---------------------------------------------------------------- latency at a fixed rate
# wrk sends as fast as the server answers, so its p99 is the queueing delay
# of a saturated machine (wrk and the server share the 2 cores). Latency is
# measured apart, at a fixed rate well below saturation, with an open-loop
# generator (bench/loadgen) that counts each request from its scheduled
# start; both servers get the same rate.
declare -A RATE=([info-1key]=$INFO_RATE [info-10k]=$INFO_RATE [plugins-200]=$PLUG_RATE)
declare -A FX_LINE
fixed() {
	local sc=$1 sv=$2 url=$3 args=()
	case $sc in
	info-1key) args=("${INFO_H[@]}" -url "$url/api/registration/info") ;;
	info-10k)
		local first=$((2 + KEYBLOCK * ROTATE))
		KEYBLOCK=$((KEYBLOCK + 1))
		args=("${INFO_H[@]}" -keys "$KEYFILE" -first "$first" -count "$ROTATE" -url "$url/api/registration/info") ;;
	plugins-200) args=("${PLUG_H[@]}" -url "$url/api/marketplace/plugins") ;;
	esac
	wait_quiet
	log "fixed rate: $sc on $sv at ${RATE[$sc]} req/s for $DURATION"
	FX_LINE[$sc.$sv]=$(timeout "$WRKMAX" "$BIN/loadgen" -rate "${RATE[$sc]}" -duration "$DURATION" -conns "$CONNS" "${args[@]}")
	log "  ${FX_LINE[$sc.$sv]}"
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
for sc in "${SCENARIOS[@]}"; do
	fixed "$sc" glpinetd "$GURL"
	fixed "$sc" nginx "$NURL"
done

# ---------------------------------------------------------------- memory
kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$2/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
G_HWM=$(kb VmHWM "$GPID")
G_RSS=$(kb VmRSS "$GPID")
N_RSS=$(kb VmRSS "$NPID")
for w in $(pgrep -P "$NPID" || true); do N_RSS=$((N_RSS + $(kb VmRSS "$w"))); done
curl -sS "http://127.0.0.1:$MPORT/metrics" >"$CAP/metrics.txt"
VALIDATIONS=$(grep '^glpinet_validations_total' "$CAP/metrics.txt" | sed 's/^glpinet_validations_total//' | tr '\n' ' ')
HEAP_INUSE_KB=$(awk '$1 == "go_memstats_heap_inuse_bytes" { printf "%d", $2 / 1024 }' "$CAP/metrics.txt")
GO_SYS_KB=$(awk '$1 == "go_memstats_sys_bytes" { printf "%d", $2 / 1024 }' "$CAP/metrics.txt")
grep '^glpinet_validations_total' "$CAP/metrics.txt" | grep -v 'code="VALID"' | grep -qv ' 0$' &&
	log "WARNING: some validations were not VALID: $VALIDATIONS"

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
yes() { if "$@"; then echo "yes"; else echo "**no**"; fi; }
declare -A TITLE=(
	[info-1key]="/api/registration/info, 1 key"
	[info-10k]="/api/registration/info, 10,000 keys"
	[plugins-200]="/api/marketplace/plugins, 200 (gzip)"
)
TITLE[info-10k]="/api/registration/info, $ROTATE keys"
declare -A MINRATIO=([info-1key]=0.6 [info-10k]=0.6 [plugins-200]=0.5)

RESULTS=$OUT/results.md
[[ $STORE == PostgreSQL ]] && RESULTS=$OUT/results-postgres.md
{
	if [[ $STORE == PostgreSQL ]]; then
		echo "glpinetd on PostgreSQL $(psql -Atq "$PGDSN" -c 'SHOW server_version') ($PGDSN, $PGSIZE, on this machine), copied from"
		echo "the seeded SQLite database by glpinetd db copy in ${pg_copy_seconds}s."
		echo
	fi
	echo "Run of $TSTART on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')):"
	echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency, each measured run after a $WARMUP warm-up,"
	echo "$REPEAT rounds of glpinetd then nginx per endpoint; medians of the rounds (errors: total)."
	echo "glpinetd built from commit $REVISION. Load average at start: $LOADSTART."
	echo
	echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM,"
	echo "Linux $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"); $(go version | cut -d' ' -f3-);"
	echo "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //'); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)."
	echo
	echo "| Endpoint | Server | Req/s | p50 (ms) | p99 (ms) | Errors | glpinetd / nginx req/s |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for sc in "${SCENARIOS[@]}"; do
		g=$sc.glpinetd n=$sc.nginx
		echo "| ${TITLE[$sc]} | glpinetd | ${M_RPS[$g]} | ${M_P50[$g]} | ${M_P99[$g]} | ${M_ERRS[$g]} | $(ratio "${M_RPS[$g]}" "${M_RPS[$n]}") |"
		echo "| ${TITLE[$sc]} | nginx | ${M_RPS[$n]} | ${M_P50[$n]} | ${M_P99[$n]} | ${M_ERRS[$n]} | 1.00 |"
	done
	echo
	echo "Latency at a fixed rate (bench/loadgen, open loop, $CONNS connections, $DURATION; milliseconds"
	echo "from each request's scheduled start):"
	echo
	echo "| Endpoint | Server | Rate (req/s) | Achieved | p50 | p90 | p99 | max | Errors |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for sc in "${SCENARIOS[@]}"; do
		for sv in "${SERVERS[@]}"; do
			l=${FX_LINE[$sc.$sv]}
			echo "| ${TITLE[$sc]} | $sv | ${RATE[$sc]} | $(field "$l" rate) | $(field "$l" p50) | $(field "$l" p90) | $(field "$l" p99) | $(field "$l" max) | $(field "$l" errors) |"
		done
	done
	echo
	echo "CPU during the measured runs (medians), in cores of the $(nproc): the server (glpinetd, or"
	echo "nginx's master and workers), wrk, and every other process of the machine (noise):"
	echo
	echo "| Endpoint | Server | Server CPU | Server CPU µs/request | wrk CPU | Others CPU |"
	echo "|---|---|---:|---:|---:|---:|"
	for sc in "${SCENARIOS[@]}"; do
		for sv in "${SERVERS[@]}"; do
			k=$sc.$sv
			echo "| ${TITLE[$sc]} | $sv | ${M_SRVCPU[$k]} | ${M_USPERREQ[$k]} | ${M_WRKCPU[$k]} | ${M_OTHERCPU[$k]} |"
		done
	done
	echo
	echo "| Target | Measured | Met |"
	echo "|---|---|---|"
	for sc in "${SCENARIOS[@]}"; do
		r=$(ratio "${M_RPS[$sc.glpinetd]}" "${M_RPS[$sc.nginx]}")
		echo "| ${TITLE[$sc]}: ≥ ${MINRATIO[$sc]}× nginx req/s | ${r}× | $(yes ge "$r" "${MINRATIO[$sc]}") |"
	done
	for sc in "${SCENARIOS[@]}"; do
		p=$(field "${FX_LINE[$sc.glpinetd]}" p99)
		echo "| ${TITLE[$sc]}: glpinetd p99 < 10 ms at ${RATE[$sc]} req/s | $p ms | $(yes lt "$p" 10) |"
	done
	echo "| glpinetd RSS < 300 MB (peak, VmHWM) | $(mb "$G_HWM") MB | $(yes lt "$(mb "$G_HWM")" 300) |"
	echo
	echo "Every measured run:"
	echo
	echo "| Run | Req/s | p50 (ms) | p99 (ms) | Errors | Server CPU | µs/request | wrk CPU | Others CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for sc in "${SCENARIOS[@]}"; do
		for ((r = 1; r <= REPEAT; r++)); do
			for sv in "${SERVERS[@]}"; do
				k=$sc.$sv.$r
				echo "| $k | ${RPS[$k]} | ${P50[$k]} | ${P99[$k]} | ${ERRS[$k]} | ${SRVCPU[$k]} | ${USPERREQ[$k]} | ${WRKCPU[$k]} | ${OTHERCPU[$k]} |"
			done
		done
	done
	echo
	echo "glpinetd memory after the runs: VmHWM $(mb "$G_HWM") MB, VmRSS $(mb "$G_RSS") MB;"
	echo "Go heap in use $(mb "$HEAP_INUSE_KB") MB, memory obtained from the OS by the Go runtime $(mb "$GO_SYS_KB") MB"
	echo "(nginx, master and workers together: VmRSS $(mb "$N_RSS") MB)."
	echo "glpinetd started (catalogue loaded, /readyz OK) in ${tstart}s. Validations by verdict: $VALIDATIONS"
	echo "Bodies: /info $INFO_BYTES B; plugins page $PLAIN_BYTES B, $GZ_BYTES B gzip ($NITEMS plugins, $NDL download URLs)."
	echo "Seeding ($SEEDSPEC): ${total_seconds}s, of which keys ${keys_seconds}s and plugins ${plugins_seconds}s (seeded $seeded_at)."
	echo "Waited ${QUIETWAITED}s in all for a quiet machine before measured runs."
} >"$RESULTS"
cat "$RESULTS"
log "results in $RESULTS, raw wrk output in $OUT/wrk/"

# ---------------------------------------------------------------- profile
if ((PROFILE)); then
	for sc in "${SCENARIOS[@]}"; do
		log "profiling glpinetd under $sc ($DURATION)"
		rm -f "$OUT/perf-$sc.data" "$OUT/perf-$sc.data.old"
		perf record -q -F 999 -g -p "$GPID" -o "$OUT/perf-$sc.data" -- sleep "$(seconds "$DURATION")" 2>"$OUT/logs/perf-$sc.log" &
		ppid=$!
		load "$sc" "$DURATION" "$GURL" >"$OUT/wrk/$sc.profile.txt" 2>&1
		wait "$ppid" || true
		{
			echo "# self time (perf report --no-children)"
			perf report -i "$OUT/perf-$sc.data" --stdio --no-children --sort symbol -g none --percent-limit 0.7 2>/dev/null | grep -v '^$'
			echo
			echo "# including callees (perf report --children)"
			perf report -i "$OUT/perf-$sc.data" --stdio --children --sort symbol -g none --percent-limit 3 2>/dev/null | grep -v '^$'
		} >"$OUT/profile-$sc.txt"
		log "profile in $OUT/profile-$sc.txt"
	done
fi
