#!/usr/bin/env bash
# test-image.sh [ARCHIVE]: load glpinetd's image archive (default
# dist/glpinetd-image.tar, built by packaging/build-image.sh when missing) into
# rootful Podman and check that it really serves: /readyz answers, the
# healthcheck command agrees, the server runs as 65532 and can write its
# volume, stops cleanly on SIGTERM, and a new container on the same volume
# finds the data again (an upgrade).
#
# Every wait is bounded; the containers and the volume are removed at the
# end, and the image too unless it was there before.
#
# Exit status 0 with "SKIP: …" when Podman cannot start any container on
# this machine (no cgroups, no namespaces…): that says nothing of the image.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
archive=${1:-$root/dist/glpinetd-image.tar}
image=glpinetd:local
name=glpinetd-image-test-$$
volume=$name-data
t=120 # seconds any one podman command may take

command -v podman >/dev/null || { echo "test-image: podman is not installed (apt-get install -y podman runc)" >&2; exit 1; }
[ -f "$archive" ] || "$root/packaging/build-image.sh" "$(dirname "$archive")"

podman=(podman) opts=()
had_image=
timeout $t podman image exists "$image" && had_image=1
cleanup() {
	timeout $t "${podman[@]}" rm -f -t 5 "$name" "$name-2" "$name-pg" >/dev/null 2>&1 || true
	timeout $t podman volume rm -f "$volume" >/dev/null 2>&1 || true
	[ -n "$had_image" ] || timeout $t podman rmi -f "$image" >/dev/null 2>&1 || true
	rm -f "$tmp"
}
tmp=$(mktemp)
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "test-image: FAIL: $*" >&2
	for c in "$name" "$name-2" "$name-pg"; do
		timeout $t podman logs "$c" 2>/dev/null | tail -20 | sed "s/^/  $c| /" >&2 || true
	done
	exit 1
}

timeout $t podman load -i "$archive" >"$tmp" 2>&1 || fail "podman load: $(cat "$tmp")"
echo "loaded $(tail -1 "$tmp")"

# Which options let Podman start a container here. Podman's defaults work on
# an ordinary host; a VM or container without CAP_SYS_RESOURCE cannot raise
# the rlimits Podman asks for by default (crun: setrlimit `RLIMIT_NPROC`:
# Operation not permitted), and crun refuses a hybrid cgroup v1/v2 layout
# that runc accepts.
ulimits="--ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096"
found="" err=""
for try in "podman|" "podman|$ulimits" "podman --runtime runc|$ulimits"; do
	read -ra podman <<<"${try%%|*}"
	read -ra opts <<<"${try#*|}"
	if [[ $try == *runc* ]] && ! command -v runc >/dev/null; then continue; fi
	if timeout $t "${podman[@]}" run --rm --network host "${opts[@]}" --entrypoint /usr/bin/glpinetd "$image" help >"$tmp" 2>&1; then
		found=1
		break
	fi
	err=$(tail -1 "$tmp")
done
if [ -z "$found" ]; then
	case $err in
	*OCI*|*crun*|*runc*|*cgroup*|*namespace*|*newuidmap*|*conmon*)
		echo "SKIP: podman cannot start any container here: $err"
		exit 0 ;;
	esac
	fail "the image does not run: $err"
fi
[ "${podman[*]} ${opts[*]}" = "podman " ] || echo "podman needs here: ${podman[*]} ${opts[*]}"

# A free port on the loopback; the host's network, as the runtime's own
# networks may not work where this runs.
port=18080
while command -v ss >/dev/null && ss -Htln "sport = :$port" | grep -q .; do port=$((port + 1)); done

# $1: container name. The healthcheck command follows GLPINET_ADDR by itself.
start() {
	timeout $t "${podman[@]}" run -d --name "$1" --network host "${opts[@]}" -v "$volume:/data" \
		-e GLPINET_ADDR=127.0.0.1:$port -e GLPINET_METRICS_ADDR= \
		--health-cmd '["/usr/bin/glpinetd","healthcheck"]' --health-interval 0 \
		"$image" >/dev/null 2>"$tmp" || fail "podman run: $(cat "$tmp")"
	i=0
	until timeout 10 "${podman[@]}" exec "$1" glpinetd healthcheck >"$tmp" 2>&1; do
		i=$((i + 1))
		[ $i -lt 60 ] || fail "$1 not ready after 60s: $(cat "$tmp")"
		[ "$(timeout $t "${podman[@]}" inspect -f '{{.State.Running}}' "$1")" = true ] || fail "$1 exited"
		sleep 1
	done
}

start "$name"
echo "ready on 127.0.0.1:$port"
if command -v curl >/dev/null; then
	body=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/readyz") || fail "GET /readyz from the host"
	echo "GET /readyz: $body"
fi
timeout $t "${podman[@]}" healthcheck run "$name" >"$tmp" 2>&1 || fail "podman healthcheck run: $(cat "$tmp")"
pid=$(timeout $t "${podman[@]}" inspect -f '{{.State.Pid}}' "$name")
uids=$(awk '/^Uid:/ {print $2, $3}' "/proc/$pid/status")
[ "$uids" = "65532 65532" ] || fail "the server runs as uid $uids, want 65532"
timeout $t "${podman[@]}" exec "$name" glpinetd account create "Image test" >"$tmp" 2>&1 || fail "account create: $(cat "$tmp")"

# SIGTERM: a clean stop, status 0 (the server is PID 1 and handles it).
timeout $t "${podman[@]}" stop -t 20 "$name" >/dev/null
code=$(timeout $t "${podman[@]}" inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "exit status $code after SIGTERM"

# An upgrade: a new container, the same volume.
start "$name-2"
timeout $t "${podman[@]}" exec "$name-2" glpinetd account list >"$tmp" 2>&1 || fail "account list: $(cat "$tmp")"
grep -q "Image test" "$tmp" || fail "the account is gone after a restart on the same volume: $(cat "$tmp")"
timeout $t "${podman[@]}" stop -t 20 "$name-2" >/dev/null

# With PostgreSQL, as compose.yaml runs it (no postgres image can be pulled
# here: the machine's own server, GLPINET_TEST_POSTGRES as in the Go tests).
pg=${GLPINET_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
db=glpinet_image_test_$$
if command -v psql >/dev/null && timeout 10 psql -q "$pg" -c "CREATE DATABASE $db" >"$tmp" 2>&1; then
	dropdb() { timeout 30 psql -q "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
	trap 'dropdb; cleanup' EXIT
	base=${pg%%\?*}
	pgdb=${base%/*}/$db${pg#"$base"} # the same server, the test's database
	timeout $t "${podman[@]}" run -d --name "$name-pg" --network host "${opts[@]}" -v "$volume:/data" \
		-e GLPINET_ADDR=127.0.0.1:$port -e GLPINET_METRICS_ADDR= -e GLPINET_DATABASE="$pgdb" \
		"$image" >/dev/null 2>"$tmp" || fail "podman run with PostgreSQL: $(cat "$tmp")"
	i=0
	until timeout 10 "${podman[@]}" exec "$name-pg" glpinetd healthcheck >"$tmp" 2>&1; do
		i=$((i + 1))
		[ $i -lt 60 ] || fail "not ready with PostgreSQL after 60s: $(cat "$tmp")"
		sleep 1
	done
	timeout $t "${podman[@]}" exec "$name-pg" glpinetd account create "On PostgreSQL" >"$tmp" 2>&1 || fail "account create on PostgreSQL: $(cat "$tmp")"
	echo "ready with PostgreSQL ($db)"
else
	echo "PostgreSQL part skipped: $(if command -v psql >/dev/null; then tail -1 "$tmp"; else echo "no psql"; fi)"
fi
echo "PASS: $image serves, is healthy, runs as 65532, keeps /data across containers"
