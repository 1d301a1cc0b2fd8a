#!/usr/bin/env bash
# bench/run.sh: load-test glpinetd against nginx serving the same bytes.
#
# What it does, in one run on one machine (see docs/benchmarks.md):
#   1. installs nginx-light, wrk and curl with apt-get when missing;
#   2. builds glpinetd and the bench commands (bench/lib.sh, shared with
#      bench/soak.sh, holds steps 1 to 3 and starting glpinetd);
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
#        info-10k     the same rotating over 10,000 keys (wrk/rotate.lua);
#                     every wrk run takes 10,000 keys never used before, so
#                     a measured glpinetd run loads each from the database once
#        plugins-200  GET /api/marketplace/plugins, X-Range 0-199, gzip
#      then latency at a fixed rate (bench/loadgen) for those three;
#   6. then the abusive loads (issue 9), each --repeat rounds of a
#      --abuse-warmup warm-up and an --abuse-duration measured wrk run,
#      beside glpinetd's normal load of the same endpoint:
#        plugins-unaligned  the plugins page at X-Range offsets that are not
#                     multiples of 200 (7-206, 13-212…, 46 ranges:
#                     wrk/rotate.lua); nginx serves glpinetd's captured
#                     answer for each range (the same bytes)
#        plugins-host the plugins page from a second glpinetd on the same
#                     data WITHOUT --public-url, one Host; nginx serves
#                     its captured answer
#        plugins-hosts the same with a Host header rotating over 10,000
#                     made-up names (no nginx equivalent)
#        info-unknown /info rotating over 10,000 well-formed unknown keys
#                     (bench/keygen; fresh ones every wrk run), all from
#                     127.0.0.1: past 30 verdicts, then 1/s, the address
#                     gets 429, so this mostly measures the 429 answer (the
#                     verdict's own cost: go test ./cache -bench ValidateUnknown
#                     and ./bench -bench InfoUnknown)
#        slow-clients /info with one key (wrk from 127.0.0.1, no warm-up)
#                     right after the same run without them (the control,
#                     slow-clients-before), while bench/slowclients holds
#                     --slow-conns connections
#                     from 127.0.0.2-127.0.0.9 (trickled headers, trickled
#                     bodies, pipelined downloads never read); it reports
#                     how many the per-address cap refused and when the
#                     server cut the others, and glpinetd's open file
#                     descriptors are sampled until they are back
#   7. prints Markdown tables of the medians (req/s, p50, p99, ratio to
#      nginx; non-2xx answers of the abusive loads), the CPU each server
#      used per request, every run, glpinetd's memory (VmHWM, VmRSS from
#      /proc) after the normal and after the abusive loads, and stops the
#      servers on exit.
#
# With the defaults it takes about 12 minutes on a 2-core VM: 7½ for the
# normal loads (fixed-rate runs included), 4 for the abusive ones, and the
# seeding (20 s to a minute; later runs reuse the seeded data).
# --scenarios picks some of the loads.
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
#                     [--scenarios LIST] [--abuse-duration 6s]
#                     [--abuse-warmup 2s] [--slow-conns 2300]
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
NORMAL_ALL=(info-1key info-10k plugins-200)
ABUSIVE_ALL=(plugins-unaligned plugins-host plugins-hosts info-unknown slow-clients)
SCENARIO_LIST=$(IFS=,; echo "${NORMAL_ALL[*]},${ABUSIVE_ALL[*]}")
ABUSE_DURATION=6s
ABUSE_WARMUP=2s
SLOW_CONNS=2300
SLOW_MAX=90s

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
  --scenarios LIST comma-separated loads to run (default all: info-1key,
                   info-10k,plugins-200,plugins-unaligned,plugins-host,
                   plugins-hosts,info-unknown,slow-clients)
  --abuse-duration D  measured wrk run length of the abusive loads (default 6s)
  --abuse-warmup D    warm-up before each of them (default 2s)
  --slow-conns N   connections slow-clients holds, spread over 8 source
                   addresses; past 256 per address (glpinetd's default
                   --max-conns-per-addr) they are refused (default 2300)
  --slow-max D     how long slow-clients waits for the server to close
                   them all (default 90s)
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
	--scenarios) SCENARIO_LIST=$2; shift ;;
	--abuse-duration) ABUSE_DURATION=$2; shift ;;
	--abuse-warmup) ABUSE_WARMUP=$2; shift ;;
	--slow-conns) SLOW_CONNS=$2; shift ;;
	--slow-max) SLOW_MAX=$2; shift ;;
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
# The selected loads, in the order they run.
NORMAL=()
ABUSIVE=()
for sc in "${NORMAL_ALL[@]}"; do [[ ,$SCENARIO_LIST, == *,$sc,* ]] && NORMAL+=("$sc"); done
for sc in "${ABUSIVE_ALL[@]}"; do [[ ,$SCENARIO_LIST, == *,$sc,* ]] && ABUSIVE+=("$sc"); done
for sc in ${SCENARIO_LIST//,/ }; do
	[[ " ${NORMAL_ALL[*]} ${ABUSIVE_ALL[*]} " == *" $sc "* ]] || { echo "run.sh: unknown scenario $sc (see --help)" >&2; exit 2; }
done
((${#NORMAL[@]} + ${#ABUSIVE[@]})) || { echo "run.sh: --scenarios selects nothing" >&2; exit 2; }
selected() { [[ " ${NORMAL[*]} ${ABUSIVE[*]} " == *" $1 "* ]]; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---------------------------------------------------------------- tools, build, seed
bench_tools nginx:nginx-light wrk:wrk curl:curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ((PROFILE)); then command -v perf >/dev/null 2>&1 || die "--profile needs perf (apt-get install linux-perf)"; fi
bench_build
mkdir -p "$OUT/wrk"
bench_seed

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
GPORT=$(free_port 18080)
MPORT=$(free_port 19464)
GURL=http://127.0.0.1:$GPORT
bench_start glpinetd "$GPORT" "$MPORT" --public-url "$GURL"
GPID=$STARTED_PID
tstart=$STARTED_SECONDS

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
# capture_page URL DIR NAME: saves glpinetd's plugins page 0-199 as GLPI
# gets it (gzip) and uncompressed in DIR/api/marketplace/plugins(.gz), its
# headers in CAP/NAME.headers, and checks that both are the same page.
capture_page() {
	local url=$1/api/marketplace/plugins dir=$2/api/marketplace h=$CAP/$3.headers
	mkdir -p "$dir"
	curl -sS -D "$h" -o "$dir/plugins.gz" "${PLUG_H[@]}" "$url"
	[[ $(status "$h") == 200 ]] || die "$url answered $(status "$h")"
	[[ $(header Content-Encoding "$h") == gzip ]] || die "$url was not gzip-encoded"
	curl -sS -o "$dir/plugins" "${PLUG_H[@]:0:8}" "$url"
	gzip -dc "$dir/plugins.gz" | cmp -s - "$dir/plugins" || die "the gzip and identity pages of $url differ"
}
# nginx_headers FILE [CONTENT-RANGE]: nginx's add_header lines for the
# headers glpinetd sent with a plugins page (captured in FILE), so that
# both servers send about as much.
nginx_headers() {
	local f=$1 cr=${2:-$(header Content-Range "$1")}
	cat <<EOF
            add_header Content-Range "$cr";
            add_header Accept-Range "$(header Accept-Range "$f")";
            add_header ETag '$(header ETag "$f")';
            add_header Vary "$(header Vary "$f")";
            add_header Cache-Control "$(header Cache-Control "$f")";
            add_header X-Request-Id \$request_id;
EOF
}

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

capture_page "$GURL" "$WWW" plugins
NITEMS=$(grep -o '{"key":"' "$WWW/api/marketplace/plugins" | wc -l)
((NITEMS == 200)) || die "the plugins page has $NITEMS plugins, not 200"
NDL=$(grep -o '"download_url":"' "$WWW/api/marketplace/plugins" | wc -l)
INFO_BYTES=$(stat -c %s "$WWW/api/registration/info")
PLAIN_BYTES=$(stat -c %s "$WWW/api/marketplace/plugins")
GZ_BYTES=$(stat -c %s "$WWW/api/marketplace/plugins.gz")
log "captured /info ($INFO_BYTES B) and the plugins page ($PLAIN_BYTES B, $GZ_BYTES B gzip, $NITEMS plugins)"

# The abusive loads' answers. The unaligned ranges are wrk/rotate.lua's:
# glpinetd sends them uncompressed, and nginx gets each as a file.
RANGES=()
for ((i = 0; i < 46; i++)); do RANGES+=("$((7 + 6 * i))-$((206 + 6 * i))"); done
ODD_NGINX=
if selected plugins-unaligned; then
	mkdir -p "$WWW/odd"
	for r in "${RANGES[@]}"; do
		curl -sS -D "$CAP/odd.headers" -o "$WWW/odd/$r" "${PLUG_H[@]/X-Range: 0-199/X-Range: $r}" "$GURL/api/marketplace/plugins"
		[[ $(status "$CAP/odd.headers") == 200 ]] || die "/plugins with X-Range $r answered $(status "$CAP/odd.headers")"
		[[ -z $(header Content-Encoding "$CAP/odd.headers") ]] || die "/plugins with X-Range $r came compressed"
	done
	ODD_BYTES=$(stat -c %s "$WWW/odd/${RANGES[0]}")
	log "captured ${#RANGES[@]} unaligned plugin pages (${RANGES[0]}: $ODD_BYTES B, uncompressed)"
	# nginx: any other X-Range than 0-199 is served from its file.
	ODD_NGINX=$(
		cat <<EOF
            if (\$http_x_range != "0-199") { rewrite ^ /_odd/\$http_x_range last; }
        }
        location /_odd/ {
            internal;
            alias $WWW/odd/;
$(nginx_headers "$CAP/odd.headers" "\$http_x_range/$(header Content-Range "$CAP/plugins.headers" | cut -d/ -f2)")
EOF
	)
fi
# A second glpinetd on the same data, without --public-url: its download
# links are built from each request's Host. nginx serves its page for one
# Host from a second server block.
G2PID=
HOST_NGINX=
if selected plugins-host || selected plugins-hosts; then
	G2PORT=$(free_port $((GPORT + 2)))
	M2PORT=$(free_port $((MPORT + 1)))
	G2URL=http://127.0.0.1:$G2PORT
	bench_start glpinetd-nopublic "$G2PORT" "$M2PORT"
	G2PID=$STARTED_PID
	WWW2=$OUT/www-host
	rm -rf "$WWW2"
	capture_page "$G2URL" "$WWW2" host
	grep -q "\"download_url\":\"http://127.0.0.1:$G2PORT/" "$WWW2/api/marketplace/plugins" ||
		die "without --public-url, the links do not start with the request's Host"
	HOST_GZ_BYTES=$(stat -c %s "$WWW2/api/marketplace/plugins.gz")
	HOST_PLAIN_BYTES=$(stat -c %s "$WWW2/api/marketplace/plugins")
	log "captured the plugins page without --public-url ($HOST_PLAIN_BYTES B, $HOST_GZ_BYTES B gzip)"
fi

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
$(nginx_headers "$CAP/plugins.headers")
$ODD_NGINX
        }
    }
EOF
if [[ -n $G2PID ]]; then
	NPORT2=$(free_port $((NPORT + 1)))
	NURL2=http://127.0.0.1:$NPORT2
	cat >>"$NGX/nginx.conf" <<EOF
    # glpinetd's page without --public-url, for one Host.
    server {
        listen 127.0.0.1:$NPORT2;
        root $WWW2;
        location = /api/marketplace/plugins {
            gzip_static on;
$(nginx_headers "$CAP/host.headers")
        }
    }
EOF
fi
echo "}" >>"$NGX/nginx.conf"
"$NGINX" -t -q -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf" || die "bad nginx config $NGX/nginx.conf"
log "starting nginx on $NURL"
"$NGINX" -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf" &
NPID=$!
bench_track "$NPID" QUIT
wait_http "$NURL/api/registration/info" "$NPID" || die "nginx did not start; see $NGX/error.log"

# nginx must send the very bytes glpinetd sends.
curl -sS -o "$CAP/nginx-info" "${INFO_H[@]}" "$NURL/api/registration/info"
cmp -s "$CAP/nginx-info" "$WWW/api/registration/info" || die "nginx's /info differs from glpinetd's"
curl -sS -D "$CAP/nginx-plugins.headers" -o "$CAP/nginx-plugins.gz" "${PLUG_H[@]}" "$NURL/api/marketplace/plugins"
[[ $(header Content-Encoding "$CAP/nginx-plugins.headers") == gzip ]] || die "nginx did not send the gzip page"
cmp -s "$CAP/nginx-plugins.gz" "$WWW/api/marketplace/plugins.gz" || die "nginx's plugins page differs from glpinetd's"
if selected plugins-unaligned; then
	for r in "${RANGES[0]}" "${RANGES[-1]}"; do
		curl -sS -D "$CAP/nginx-odd.headers" -o "$CAP/nginx-odd" "${PLUG_H[@]/X-Range: 0-199/X-Range: $r}" "$NURL/api/marketplace/plugins"
		[[ -z $(header Content-Encoding "$CAP/nginx-odd.headers") ]] || die "nginx compressed the page of X-Range $r"
		cmp -s "$CAP/nginx-odd" "$WWW/odd/$r" || die "nginx's page of X-Range $r differs from glpinetd's"
	done
fi
if [[ -n $G2PID ]]; then
	curl -sS -o "$CAP/nginx-host.gz" "${PLUG_H[@]}" "$NURL2/api/marketplace/plugins"
	cmp -s "$CAP/nginx-host.gz" "$WWW2/api/marketplace/plugins.gz" || die "nginx's page without --public-url differs from glpinetd's"
fi
log "nginx serves byte-identical bodies"

# ---------------------------------------------------------------- load

# to_ms converts a wrk latency (850.00us, 1.20ms, 1.05s, 1.00m) to ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}


LUA=$ROOT/bench/wrk/rotate.lua
WRKMAX=$(($(seconds "$DURATION") + $(seconds "$WARMUP") + 60))
KEYBLOCK=0
# Well-formed unknown keys for info-unknown: a fresh block of ROTATE per
# wrk run, like info-10k's known keys.
UKEYFILE=$OUT/unknown-keys.txt
UKEYBLOCK=0
if selected info-unknown; then
	"$BIN/keygen" -n $(((2 * REPEAT + 1) * ROTATE)) >"$UKEYFILE"
fi

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
		timeout "$WRKMAX" wrk "${args[@]}" -s "$LUA" "$url/api/registration/info" -- keys "$KEYFILE" "$first" "$ROTATE" "$THREADS" ;;
	plugins-200 | plugins-host)
		timeout "$WRKMAX" wrk "${args[@]}" "${PLUG_H[@]}" "$url/api/marketplace/plugins" ;;
	plugins-unaligned)
		timeout "$WRKMAX" wrk "${args[@]}" -s "$LUA" "$url/api/marketplace/plugins" -- ranges "${#RANGES[@]}" "$KEY1" "$THREADS" ;;
	plugins-hosts)
		timeout "$WRKMAX" wrk "${args[@]}" -s "$LUA" "$url/api/marketplace/plugins" -- hosts "$ROTATE" "$KEY1" "$THREADS" ;;
	info-unknown)
		local first=$((1 + UKEYBLOCK * ROTATE))
		UKEYBLOCK=$((UKEYBLOCK + 1))
		timeout "$WRKMAX" wrk "${args[@]}" -s "$LUA" "$url/api/registration/info" -- keys "$UKEYFILE" "$first" "$ROTATE" "$THREADS" ;;
	slow-clients | slow-clients-before)
		timeout "$WRKMAX" wrk "${args[@]}" "${INFO_H[@]}" "$url/api/registration/info" ;;
	*) die "unknown scenario $scenario" ;;
	esac
}

# Per measured run (key SCENARIO.SERVER.REPEAT): wrk's numbers, and the CPU
# used meanwhile by the server, wrk and all other processes, in cores.
declare -A RPS P50 P99 ERRS NON2XX REQS BPS SRVCPU USPERREQ WRKCPU OTHERCPU

# is_abusive SCENARIO (slow-clients-before: its control, with the same
# durations)
is_abusive() { [[ " ${ABUSIVE_ALL[*]} slow-clients-before " == *" $1 "* ]]; }
# rounds SCENARIO: measured runs per server (slow-clients: one, it takes a
# minute).
rounds() { if [[ $1 == slow-clients* ]]; then echo 1; else echo "$REPEAT"; fi; }

# bench SCENARIO SERVER URL REPEAT: warm-up, then the measured run, parsed.
# The abusive loads have their own durations; slow-clients has no warm-up
# (the slow connections are already open: see slow_clients).
bench() {
	local scenario=$1 server=$2 url=$3 rep=$4
	local name=$scenario.$server.$rep pid=$GPID dur=$DURATION warm=$WARMUP
	[[ $server == nginx ]] && pid=$NPID
	[[ $server == glpinetd && $scenario == plugins-host* ]] && pid=$G2PID
	if is_abusive "$scenario"; then dur=$ABUSE_DURATION warm=$ABUSE_WARMUP; fi
	local f=$OUT/wrk/$name.txt
	if [[ $scenario != slow-clients ]]; then
		log "$name: warm-up $warm"
		load "$scenario" "$warm" "$url" >"$OUT/wrk/$name.warmup.txt" 2>&1
		wait_quiet
	fi
	log "$name: measuring $dur"
	local s0 s1 mb0 mt0 mb1 mt1 wu ws
	s0=$(server_ticks "$pid")
	read -r mb0 mt0 < <(machine_ticks)
	{ TIMEFORMAT='%U %S'; time load "$scenario" "$dur" "$url" --latency >"$f" 2>&1; } 2>"$OUT/wrk/$name.cpu"
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
	NON2XX[$name]=${non2xx:-0}
	# Transfer/sec (1.02GB, 95.3MB…) in bytes.
	BPS[$name]=$(awk '/^Transfer\/sec:/ { v = $2 + 0; u = $2; sub(/^[0-9.]+/, "", u)
		m = (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 1; printf "%.0f", v * m }' "$f")
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

# median ARRAY-NAME KEY-PREFIX [ROUNDS]: median over the repeats (for an
# even count, the mean of the two middle values).
median() {
	local -n arr=$1
	local r n=${3:-$REPEAT}
	for ((r = 1; r <= n; r++)); do echo "${arr[$2.$r]}"; done | sort -g |
		awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}
# sum ARRAY-NAME KEY-PREFIX [ROUNDS]: sum over the repeats.
sum() {
	local -n arr=$1
	local r t=0 n=${3:-$REPEAT}
	for ((r = 1; r <= n; r++)); do t=$((t + arr[$2.$r])); done
	echo "$t"
}

SCENARIOS=("${NORMAL[@]}")
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
declare -A M_RPS M_P50 M_P99 M_ERRS M_NON2XX M_REQS M_BPS M_SRVCPU M_USPERREQ M_WRKCPU M_OTHERCPU
for sc in "${SCENARIOS[@]}"; do
	for sv in "${SERVERS[@]}"; do
		k=$sc.$sv
		M_RPS[$k]=$(median RPS "$k" | awk '{ printf "%.0f", $1 }')
		M_P50[$k]=$(median P50 "$k" | awk '{ printf "%.2f", $1 }')
		M_P99[$k]=$(median P99 "$k" | awk '{ printf "%.2f", $1 }')
		M_ERRS[$k]=$(sum ERRS "$k")
		M_NON2XX[$k]=$(sum NON2XX "$k")
		M_REQS[$k]=$(sum REQS "$k")
		M_BPS[$k]=$(median BPS "$k")
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

# ---------------------------------------------------------------- abusive loads
# metric PORT NAME: a counter of glpinetd's /metrics (0 when absent), e.g.
# metric "$MPORT" 'glpinet_refused_total{limit="connections"}'.
metric() {
	curl -sS "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { v = $2 } END { printf "%d", v }'
}

# slow_clients: the slow-clients run. bench/slowclients opens SLOW_CONNS
# connections from 127.0.0.2-127.0.0.9 (a third each trickling headers,
# trickling a body, and never reading pipelined downloads), wrk measures
# /info meanwhile from 127.0.0.1, then glpinetd's descriptors are sampled
# every second until slowclients has seen every connection closed (at most
# SLOW_MAX).
slow_clients() {
	local log=$OUT/logs/slowclients.log spid t0 n peak
	bench slow-clients-before glpinetd "$GURL" 1
	wait_quiet
	SLOW_FDS_BASE=$(fds "$GPID")
	SLOW_REFUSED0=$(metric "$MPORT" 'glpinet_refused_total{limit="connections"}')
	log "slow-clients: $SLOW_CONNS slow connections from 127.0.0.2-127.0.0.9 (glpinetd holds $SLOW_FDS_BASE descriptors)"
	t0=$(now)
	"$BIN/slowclients" -addr "127.0.0.1:$GPORT" -from 127.0.0.2 -addrs 8 -conns "$SLOW_CONNS" -max "$SLOW_MAX" \
		>"$OUT/slowclients.txt" 2>"$log" &
	spid=$!
	bench_track "$spid"
	for _ in $(seq 1 100); do grep -q ' opened ' "$log" && break; sleep 0.1; done
	sleep 0.5
	SLOW_FDS_HELD=$(fds "$GPID")
	peak=$SLOW_FDS_HELD
	bench slow-clients glpinetd "$GURL" 1
	SLOW_FDS_AFTER_WRK=$(fds "$GPID")
	SLOW_BACK=
	while kill -0 "$spid" 2>/dev/null; do
		n=$(fds "$GPID")
		((n > peak)) && peak=$n
		if [[ -z $SLOW_BACK ]] && ((n <= SLOW_FDS_BASE + 2)); then SLOW_BACK=$(elapsed "$t0"); fi
		(($(elapsed "$t0" | cut -d. -f1) > $(seconds "$SLOW_MAX") + 30)) && break
		sleep 1
	done
	bench_stop "$spid"
	SLOW_FDS_PEAK=$peak
	SLOW_FDS_END=$(fds "$GPID")
	[[ -n $SLOW_BACK ]] || ((SLOW_FDS_END > SLOW_FDS_BASE + 2)) || SLOW_BACK=$(elapsed "$t0")
	SLOW_REFUSED=$(($(metric "$MPORT" 'glpinet_refused_total{limit="connections"}') - SLOW_REFUSED0))
	log "slow-clients: descriptors $SLOW_FDS_BASE before, $SLOW_FDS_HELD held, peak $SLOW_FDS_PEAK, $SLOW_FDS_END at the end" \
		"(back after ${SLOW_BACK:-never}s); $SLOW_REFUSED connections refused"
	cat "$OUT/slowclients.txt" >&2
}

# The normal load each abusive one is compared with.
declare -A NORMAL_OF=([plugins-unaligned]=plugins-200 [plugins-host]=plugins-200 [plugins-hosts]=plugins-200
	[info-unknown]=info-1key [slow-clients]=slow-clients-before)
for sc in "${ABUSIVE[@]}"; do
	case $sc in
	plugins-unaligned)
		for ((r = 1; r <= REPEAT; r++)); do
			bench "$sc" glpinetd "$GURL" "$r"
			bench "$sc" nginx "$NURL" "$r"
		done ;;
	plugins-host)
		for ((r = 1; r <= REPEAT; r++)); do
			bench "$sc" glpinetd "$G2URL" "$r"
			bench "$sc" nginx "$NURL2" "$r"
		done ;;
	plugins-hosts)
		for ((r = 1; r <= REPEAT; r++)); do bench "$sc" glpinetd "$G2URL" "$r"; done ;;
	info-unknown)
		U_VERDICTS0=$(metric "$MPORT" 'glpinet_validations_total{code="UNKNOWN"}')
		U_REFUSED0=$(metric "$MPORT" 'glpinet_refused_total{limit="unknown_keys"}')
		for ((r = 1; r <= REPEAT; r++)); do bench "$sc" glpinetd "$GURL" "$r"; done
		U_VERDICTS=$(($(metric "$MPORT" 'glpinet_validations_total{code="UNKNOWN"}') - U_VERDICTS0))
		U_REFUSED=$(($(metric "$MPORT" 'glpinet_refused_total{limit="unknown_keys"}') - U_REFUSED0)) ;;
	slow-clients) slow_clients ;;
	esac
done
for sc in "${ABUSIVE[@]}" slow-clients-before; do
	for sv in "${SERVERS[@]}"; do
		k=$sc.$sv
		[[ -n ${RPS[$k.1]:-} ]] || continue
		n=$(rounds "$sc")
		M_RPS[$k]=$(median RPS "$k" "$n" | awk '{ printf "%.0f", $1 }')
		M_P50[$k]=$(median P50 "$k" "$n" | awk '{ printf "%.2f", $1 }')
		M_P99[$k]=$(median P99 "$k" "$n" | awk '{ printf "%.2f", $1 }')
		M_ERRS[$k]=$(sum ERRS "$k" "$n")
		M_NON2XX[$k]=$(sum NON2XX "$k" "$n")
		M_REQS[$k]=$(sum REQS "$k" "$n")
		M_BPS[$k]=$(median BPS "$k" "$n")
		M_USPERREQ[$k]=$(median USPERREQ "$k" "$n" | awk '{ printf "%.1f", $1 }')
	done
done
if ((${#ABUSIVE[@]})); then
	A_HWM=$(kb VmHWM "$GPID")
	A_RSS=$(kb VmRSS "$GPID")
	if [[ -n $G2PID ]]; then
		A2_HWM=$(kb VmHWM "$G2PID")
		A2_RSS=$(kb VmRSS "$G2PID")
	fi
fi

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
TITLE[plugins-unaligned]="plugins page, ${#RANGES[@]} unaligned X-Ranges (${RANGES[0]}, ${RANGES[1]}…)"
TITLE[plugins-host]="plugins page without --public-url, 1 Host"
TITLE[plugins-hosts]="plugins page without --public-url, $ROTATE Hosts"
TITLE[info-unknown]="/api/registration/info, $ROTATE unknown keys, 1 address"
TITLE[slow-clients]="/api/registration/info, 1 key, $SLOW_CONNS slow connections open"
TITLE[slow-clients-before]="/api/registration/info, 1 key, just before (control)"
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
	if ((${#SCENARIOS[@]})); then
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
	fi
	if ((${#ABUSIVE[@]})); then
		echo "Normal and abusive loads (issue 9), wrk -t$THREADS -c$CONNS from 127.0.0.1: the normal loads as above,"
		echo "the abusive ones for $ABUSE_DURATION after a $ABUSE_WARMUP warm-up, rounds: $REPEAT (slow-clients: one run, no"
		echo "warm-up); medians. Non-2xx: answers other than 2xx and 3xx, of all the measured requests. KB/answer:"
		echo "wrk's Transfer/sec over its req/s. Last column: glpinetd's req/s over its own normal load of the endpoint."
		echo
		echo "| Load | glpinetd req/s | Non-2xx | KB/answer | glpinetd µs/request | p99 (ms) | nginx req/s | glpinetd / nginx | glpinetd / normal |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		LOADS=("${SCENARIOS[@]}" "${ABUSIVE[@]}")
		selected slow-clients && LOADS=("${LOADS[@]/slow-clients/slow-clients-before slow-clients}")
		for sc in ${LOADS[*]}; do
			g=$sc.glpinetd n=$sc.nginx nr="—" rn="—" rel="—"
			if [[ -n ${M_RPS[$n]:-} ]]; then nr=${M_RPS[$n]} rn=$(ratio "${M_RPS[$g]}" "${M_RPS[$n]}"); fi
			if [[ $sc == slow-clients-before ]]; then
				[[ -n ${M_RPS[info-1key.glpinetd]:-} ]] && rel="$(ratio "${M_RPS[$g]}" "${M_RPS[info-1key.glpinetd]}") of info-1key"
			elif is_abusive "$sc"; then
				[[ -n ${M_RPS[${NORMAL_OF[$sc]}.glpinetd]:-} ]] && rel="$(ratio "${M_RPS[$g]}" "${M_RPS[${NORMAL_OF[$sc]}.glpinetd]}") of ${NORMAL_OF[$sc]}"
			else
				rel="(normal)"
			fi
			non=$(awk -v a="${M_NON2XX[$g]}" -v b="${M_REQS[$g]}" 'BEGIN { if (a == 0) print 0; else printf "%d (%.1f%%)", a, 100 * a / b }')
			kba=$(awk -v b="${M_BPS[$g]}" -v r="${M_RPS[$g]}" 'BEGIN { printf "%.1f", b / r / 1024 }')
			echo "| $sc: ${TITLE[$sc]} | ${M_RPS[$g]} | $non | $kba | ${M_USPERREQ[$g]} | ${M_P99[$g]} | $nr | $rn | $rel |"
		done
		echo
		if selected info-unknown; then
			echo "info-unknown, glpinetd's counters over its runs (warm-ups included): $U_VERDICTS verdicts UNKNOWN"
			echo "(is_valid false), $U_REFUSED answered 429 by the per-address limit on unknown keys."
			echo
		fi
		if selected slow-clients; then
			echo "slow-clients: bench/slowclients from 127.0.0.2-127.0.0.9 (cut: closed by glpinetd after the"
			echo "time given; refused: closed at once, by the limit of connections per address):"
			echo
			echo "| Slow connections | Attempted | Refused at once | Held | Cut by glpinetd | Still open | Cut after (s, median / max) |"
			echo "|---|---:|---:|---:|---:|---:|---:|"
			while read -r l; do
				echo "| $(field "$l" mode) | $(field "$l" attempted) | $(field "$l" refused) | $(field "$l" held) | $(field "$l" cut) | $(field "$l" open) | $(field "$l" cut_p50) / $(field "$l" cut_max) |"
			done <"$OUT/slowclients.txt"
			echo
			echo "glpinetd's open descriptors: $SLOW_FDS_BASE before, $SLOW_FDS_HELD with the slow connections open,"
			echo "$SLOW_FDS_AFTER_WRK after the wrk run, peak $SLOW_FDS_PEAK, $SLOW_FDS_END at the end; back to the"
			echo "start ${SLOW_BACK:-never} s after the slow connections were opened. Connections refused (glpinetd's"
			echo "counter): $SLOW_REFUSED."
			echo
		fi
		echo "glpinetd memory after the abusive loads: VmHWM $(mb "$A_HWM") MB, VmRSS $(mb "$A_RSS") MB."
		[[ -n $G2PID ]] && echo "The glpinetd without --public-url: VmHWM $(mb "$A2_HWM") MB, VmRSS $(mb "$A2_RSS") MB."
		echo
		echo "Every measured run of the abusive loads:"
		echo
		echo "| Run | Req/s | Non-2xx | p50 (ms) | p99 (ms) | Errors | Server CPU | µs/request | wrk CPU | Others CPU |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for sc in ${LOADS[*]}; do
			is_abusive "$sc" || continue
			for ((r = 1; r <= $(rounds "$sc"); r++)); do
				for sv in "${SERVERS[@]}"; do
					k=$sc.$sv.$r
					[[ -n ${RPS[$k]:-} ]] || continue
					echo "| $k | ${RPS[$k]} | ${NON2XX[$k]} | ${P50[$k]} | ${P99[$k]} | ${ERRS[$k]} | ${SRVCPU[$k]} | ${USPERREQ[$k]} | ${WRKCPU[$k]} | ${OTHERCPU[$k]} |"
				done
			done
		done
		echo
	fi
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
