#!/usr/bin/env bash
# test-deb.sh: builds the Debian package and tries it on this machine, as
# root: install, the units verified, the user, folders and conffile, the
# server started exactly as glpinetd.service starts it (User, EnvironmentFile,
# ExecStart, WorkingDirectory, UMask), an account and a key made, a backup
# taken, an upgrade to a higher version that keeps the data and the
# settings, then remove and purge, which keep the data.
#
#   packaging/test-deb.sh
#
# It cleans up after itself (package, data, user), so it can run again. On
# a machine where glpinet is installed for real it refuses to start: the
# clean-up would delete /var/lib/glpinet.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$(date +%s)
passed=0
marker=/var/lib/glpinet/.packaging-test-deb # says the data is this script's

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() {
	echo "FAIL: $*"
	if [ -s "${log:-/dev/null}" ]; then
		echo "--- server log (last 30 lines)"
		tail -n 30 "$log"
	fi
	echo "test-deb: $passed passed, 1 failed"
	exit 1
}
check() { # check DESCRIPTION COMMAND...: PASS when the command succeeds
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

if [ "$(id -u)" != 0 ]; then
	echo "test-deb.sh: run as root (it installs a package and creates a user)" >&2
	exit 2
fi
if [ -e /var/lib/glpinet ] && [ ! -e $marker ]; then
	echo "test-deb.sh: /var/lib/glpinet exists and is not this test's: refusing to touch a real installation" >&2
	exit 2
fi
missing=()
for tool in systemd-analyze curl setpriv dpkg-deb; do
	command -v $tool >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	# systemd gives systemd-analyze; PID 1 need not be systemd.
	echo "test-deb.sh: installing systemd curl util-linux for: ${missing[*]}"
	apt-get install -y --no-install-recommends systemd curl util-linux >/dev/null
fi

tmp=$(mktemp -d)
pid=
log=
stop_server() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 300); do # 30 s: SIGTERM drains, then exits
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" || true
			wait "$pid" 2>/dev/null || true
			pid=
			return 1
		fi
		wait "$pid" 2>/dev/null || true
	fi
	pid=
}
cleanup() {
	stop_server || true
	if dpkg-query -W -f='${db:Status-Status}' glpinet 2>/dev/null | grep -qv not-installed; then
		dpkg --purge glpinet >/dev/null 2>&1 || true
	fi
	rm -rf /var/lib/glpinet /var/backups/glpinet /etc/glpinet
	if getent passwd glpinet >/dev/null; then userdel glpinet || echo "test-deb.sh: warning: user glpinet left"; fi
	if getent group glpinet >/dev/null; then groupdel glpinet || echo "test-deb.sh: warning: group glpinet left"; fi
	rm -rf "$tmp"
}
cleanup_and_report() {
	local rc=$?
	cleanup
	echo "test-deb: $(($(date +%s) - start)) s"
	exit $rc
}
cleanup # what an interrupted earlier run left
tmp=$(mktemp -d)
trap cleanup_and_report EXIT

# --- build: the package as released, then a higher version for the upgrade
packaging/build.sh --no-image --dist "$tmp/dist1" >"$tmp/build1.log" 2>&1 || { cat "$tmp/build1.log"; fail "packaging/build.sh"; }
deb1=$(ls "$tmp"/dist1/glpinet_*_amd64.deb)
v1=$(dpkg-deb -f "$deb1" Version)
pass "built $(basename "$deb1") ($(du -k "$deb1" | cut -f1) KiB)"
v2="$v1+upgradetest"
packaging/build.sh --no-image --dist "$tmp/dist2" --version "$v2" >"$tmp/build2.log" 2>&1 || { cat "$tmp/build2.log"; fail "packaging/build.sh --version $v2"; }
deb2=$tmp/dist2/glpinet_${v2}_amd64.deb
check "built the upgrade $(basename "$deb2")" test -f "$deb2"
check "dpkg orders $v2 after $v1" dpkg --compare-versions "$v2" gt "$v1"

# --- install
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb1" >"$tmp/dpkg1.log" 2>&1 || { cat "$tmp/dpkg1.log"; fail "dpkg -i $(basename "$deb1")"; }
pass "dpkg -i $(basename "$deb1")"
touch $marker && chown glpinet:glpinet $marker
check "glpinetd --version says $v1" grep -qF "glpinetd $v1 " <(glpinetd --version)
check "glpinet --version says $v1" grep -qF "glpinet $v1 " <(glpinet --version)

units=(/usr/lib/systemd/system/glpinetd.service /usr/lib/systemd/system/glpinetd-backup.service /usr/lib/systemd/system/glpinetd-backup.timer)
if systemd-analyze verify "${units[@]}" >"$tmp/verify.log" 2>&1 && ! grep -qE 'glpinetd|Unknown|Failed|Invalid|Ignoring' "$tmp/verify.log"; then
	pass "systemd-analyze verify: the three units"
else
	cat "$tmp/verify.log"
	fail "systemd-analyze verify"
fi

check "user glpinet: system user, home /var/lib/glpinet, no login shell" \
	bash -c 'IFS=: read -r _ _ uid _ _ home shell < <(getent passwd glpinet) && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/glpinet ] && [ "$shell" = /usr/sbin/nologin ]'
check "group glpinet" bash -c 'getent group glpinet >/dev/null'
check "/var/lib/glpinet is 750 glpinet:glpinet" test "$(stat -c '%a %U:%G' /var/lib/glpinet)" = "750 glpinet:glpinet"
check "/var/backups/glpinet is 700 glpinet:glpinet" test "$(stat -c '%a %U:%G' /var/backups/glpinet)" = "700 glpinet:glpinet"
check "/etc/glpinet/glpinetd.env is 640 root:glpinet" test "$(stat -c '%a %U:%G' /etc/glpinet/glpinetd.env)" = "640 root:glpinet"
check "/etc/glpinet/glpinetd.env is a conffile" grep -q '^ /etc/glpinet/glpinetd.env ' <(dpkg-query -W -f='${Conffiles}\n' glpinet)
check "bash completion installed and loads: complete -p glpinetd" \
	bash -c '. /usr/share/bash-completion/completions/glpinetd && complete -p glpinetd >/dev/null && . /usr/share/bash-completion/completions/glpinet && complete -p glpinet >/dev/null'
check "zsh and fish completions installed" test -s /usr/share/zsh/vendor-completions/_glpinetd -a -s /usr/share/fish/vendor_completions.d/glpinet.fish
check "/usr/share/doc/glpinet/copyright: GPL-3+" grep -q '^License: GPL-3+$' /usr/share/doc/glpinet/copyright
check "man pages glpinetd(1) and glpinet(1)" bash -c 'zcat /usr/share/man/man1/glpinetd.1.gz | grep -q "^\.TH GLPINETD 1" && zcat /usr/share/man/man1/glpinet.1.gz | grep -q "^\.SS glpinet doctor"'

if [ -d /run/systemd/system ]; then
	# PID 1 is systemd: postinst enabled and started the units. The
	# server is stopped here and started by hand below on a test port.
	check "glpinetd.service enabled by postinst" systemctl is-enabled --quiet glpinetd.service
	check "glpinetd-backup.timer enabled by postinst" systemctl is-enabled --quiet glpinetd-backup.timer
	systemctl stop glpinetd.service
else
	echo "note: PID 1 is $(ps -o comm= -p 1), not systemd: the server is started as glpinetd.service would start it"
fi

# --- the server as the unit runs it
unit=/usr/lib/systemd/system/glpinetd.service
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
user=$(unit_value User)
workdir=$(unit_value WorkingDirectory)
umask_value=$(unit_value UMask)
envfile=$(unit_value EnvironmentFile)
read -r -a exec_start <<<"$(unit_value ExecStart)"
check "unit runs ${exec_start[*]} as $user with $envfile" test "$user" = glpinet -a "$envfile" = /etc/glpinet/glpinetd.env -a "${exec_start[0]}" = /usr/bin/glpinetd
mapfile -t settings < <(grep -Ev '^[[:space:]]*(#|$)' "$envfile")

# as_service COMMAND...: runs COMMAND as the unit would: its user and
# groups, its folder and umask, only the settings file's environment.
as_service() {
	(cd "$workdir" && umask "$umask_value" &&
		exec setpriv --reuid "$user" --regid "$user" --init-groups --inh-caps=-all \
			env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${settings[@]}" "$@")
}
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo $p
			return
		fi
	done
	return 1
}
start_server() { # start_server LOG: the service on a free loopback port, until /readyz says 200
	log=$1
	port=$(free_port)
	# Not through as_service: $! must be the server itself (each exec
	# below replaces the process), for ps and for stop_server's SIGTERM.
	(cd "$workdir" && umask "$umask_value" &&
		exec setpriv --reuid "$user" --regid "$user" --init-groups --inh-caps=-all \
			env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${settings[@]}" \
			"${exec_start[@]}" --addr "127.0.0.1:$port" --metrics-addr 127.0.0.1:0) >"$log" 2>&1 &
	pid=$!
	local code=
	for _ in $(seq 1 300); do # 30 s
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)
		[ "$code" = 200 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	check "glpinetd serve as glpinet on 127.0.0.1:$port: GET /readyz answers 200 (got ${code:-nothing})" test "$code" = 200
}

start_server "$tmp/serve1.log"
check "the server runs as glpinet: $(ps -o user=,args= -p "$pid")" test "$(ps -o user= -p "$pid")" = glpinet
check "glpinetd config (as the unit): data folder from env GLPINET_DATA" \
	grep -qE '^data +/var/lib/glpinet +env GLPINET_DATA$' <(as_service glpinetd config)
as_service glpinetd account create "Packaging Test" --json >"$tmp/account.json" || fail "glpinetd account create"
account=$(sed -n 's/^  "id": \([0-9]*\),$/\1/p' "$tmp/account.json")
check "glpinetd account create (as glpinet, server running): account $account" test -n "$account"
key=$(as_service glpinetd key issue --account "$account" --label packaging --json | sed -n 's/^  "key": "\(.*\)",$/\1/p')
check "glpinetd key issue: ${key:0:12}…" test -n "$key"
check "glpinetd key check: VALID" grep -q '"code": "VALID"' <(as_service glpinetd key check "$key" --json)
exec_reload=$(unit_value ExecReload)
reload_cmd=${exec_reload//\$MAINPID/$pid}
$reload_cmd || fail "ExecReload: $reload_cmd"
sleep 0.5
check "ExecReload ($exec_reload) leaves the server running and ready" \
	bash -c "kill -0 $pid && test \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:$port/readyz)\" = 200"
check "the server logged the reload" grep -q 'SIGHUP: reading the database again' "$tmp/serve1.log"
check "the database is glpinet's, mode 600" test "$(stat -c '%a %U' /var/lib/glpinet/glpinet.db)" = "600 glpinet"
check "no file in /var/lib/glpinet belongs to another user" test -z "$(find /var/lib/glpinet ! -user glpinet -print -quit)"
as_service /usr/lib/glpinet/glpinetd-backup >"$tmp/backup.log" 2>&1 || { cat "$tmp/backup.log"; fail "glpinetd-backup"; }
backup=$(ls -d /var/backups/glpinet/20*Z | head -n 1)
check "glpinetd-backup (as glpinet, server running): $backup with its report" test -f "$backup/glpinet.db" -a -f "$backup.json"
check "the server stops on SIGTERM within 30 s" stop_server

# --- upgrade: a local edit of the settings must survive it
echo "# local edit kept by upgrades" >>/etc/glpinet/glpinetd.env
DEBIAN_FRONTEND=noninteractive dpkg --force-confold -i "$deb2" >"$tmp/dpkg2.log" 2>&1 || { cat "$tmp/dpkg2.log"; fail "dpkg -i (upgrade) $(basename "$deb2")"; }
pass "dpkg -i $(basename "$deb2") (upgrade)"
check "dpkg says $v2 is installed" test "$(dpkg-query -W -f='${Version}' glpinet)" = "$v2"
check "glpinetd --version says $v2" grep -qF "glpinetd $v2 " <(glpinetd --version)
check "the upgrade kept the local edit of glpinetd.env" grep -q '^# local edit kept by upgrades$' /etc/glpinet/glpinetd.env
check "the upgrade kept glpinetd.env's mode 640 root:glpinet" test "$(stat -c '%a %U:%G' /etc/glpinet/glpinetd.env)" = "640 root:glpinet"
if [ -d /run/systemd/system ]; then systemctl stop glpinetd.service; fi
start_server "$tmp/serve2.log"
as_service glpinetd migrate status >"$tmp/migrate.txt" || fail "glpinetd migrate status"
echo "--- glpinetd migrate status after the upgrade"
cat "$tmp/migrate.txt"
check "migrations: all applied, none pending" bash -c "grep -q ' applied ' '$tmp/migrate.txt' && ! grep -qi pending '$tmp/migrate.txt'"
check "the key made before the upgrade is still VALID" grep -q '"code": "VALID"' <(as_service glpinetd key check "$key" --json)
check "the account made before the upgrade is listed" grep -q 'Packaging Test' <(as_service glpinetd account list)
check "the server stops on SIGTERM within 30 s" stop_server

# --- remove keeps the data and the settings; purge keeps the data
DEBIAN_FRONTEND=noninteractive dpkg -r glpinet >"$tmp/dpkg-r.log" 2>&1 || { cat "$tmp/dpkg-r.log"; fail "dpkg -r glpinet"; }
pass "dpkg -r glpinet"
check "dpkg -r removed /usr/bin/glpinetd" test ! -e /usr/bin/glpinetd
check "dpkg -r kept /var/lib/glpinet/glpinet.db" test -f /var/lib/glpinet/glpinet.db
check "dpkg -r kept the signing key" test -f /var/lib/glpinet/signing.key
check "dpkg -r kept /etc/glpinet/glpinetd.env (config-files state)" test -f /etc/glpinet/glpinetd.env
DEBIAN_FRONTEND=noninteractive dpkg -P glpinet >"$tmp/dpkg-p.log" 2>&1 || { cat "$tmp/dpkg-p.log"; fail "dpkg -P glpinet"; }
check "dpkg -P removed /etc/glpinet" test ! -e /etc/glpinet
check "dpkg -P kept /var/lib/glpinet/glpinet.db and the glpinet user" bash -c 'test -f /var/lib/glpinet/glpinet.db && getent passwd glpinet >/dev/null'

echo "test-deb: $passed passed, 0 failed"
