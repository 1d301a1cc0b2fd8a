#!/usr/bin/env bash
# test-deb-systemd.sh: the Debian package under a real systemd, for
# machines whose PID 1 is not systemd (CI's): boots a minimal Debian 12 in
# systemd-nspawn, installs the package there and checks what test-deb.sh
# cannot: the hardened unit starts and keeps only CAP_NET_BIND_SERVICE with
# its system call filter, postinst enables and starts it, the backup
# service runs under its own hardening and the timer is scheduled, an
# upgrade restarts the server on the new binary, remove stops and masks it,
# purge keeps the data.
#
#   packaging/test-deb-systemd.sh     (root; needs systemd-container and
#                                      debootstrap, and Debian's mirror once)
#
# The root file system is made once with debootstrap and kept in
# GLPINET_TEST_ROOTFS (default /var/cache/glpinet-test-rootfs); each run
# removes what the previous one installed in it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$(date +%s)
rootfs=${GLPINET_TEST_ROOTFS:-/var/cache/glpinet-test-rootfs}

if [ "$(id -u)" != 0 ]; then
	echo "test-deb-systemd.sh: run as root" >&2
	exit 2
fi
for tool in systemd-nspawn debootstrap; do
	if ! command -v $tool >/dev/null; then
		echo "test-deb-systemd.sh: installing systemd-container debootstrap"
		apt-get install -y --no-install-recommends systemd-container debootstrap >/dev/null
		break
	fi
done
if [ ! -x "$rootfs/usr/lib/systemd/systemd" ]; then
	echo "test-deb-systemd.sh: making $rootfs (debootstrap, once)"
	rm -rf "$rootfs"
	timeout 900 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,procps \
		bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 ||
		{ tail -20 "$rootfs.log"; echo "FAIL: debootstrap"; exit 1; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$rootfs"/root/glpinet_*.deb "$rootfs"/root/check.sh "$rootfs"/etc/systemd/system/check.service "$rootfs"/etc/systemd/system/multi-user.target.wants/check.service' EXIT
packaging/build.sh --no-image --dist "$tmp/1" --version 1.0.0~systemdtest1 >"$tmp/build1.log" 2>&1 || { cat "$tmp/build1.log"; echo "FAIL: build"; exit 1; }
packaging/build.sh --no-image --dist "$tmp/2" --version 1.0.0~systemdtest2 >"$tmp/build2.log" 2>&1 || { cat "$tmp/build2.log"; echo "FAIL: build"; exit 1; }
cp "$tmp"/1/*.deb "$tmp"/2/*.deb "$rootfs/root/"

# The checks run inside the container as a unit started at boot, which
# powers the container off when done; they print PASS and FAIL lines.
cat >"$rootfs/root/check.sh" <<'INNER'
#!/bin/bash
set -uo pipefail
exec >/root/result.txt 2>&1
ok() { echo "PASS: $1"; }
no() { echo "FAIL: $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else no "$what"; fi; }
readyz() {
	for _ in $(seq 1 60); do
		curl -fsS -o /dev/null http://127.0.0.1:8080/readyz && return 0
		sleep 0.5
	done
	return 1
}
as_glpinet() { runuser -u glpinet -- env GLPINET_DATA=/var/lib/glpinet "$@"; }
# What an earlier run left.
dpkg -P glpinet >/dev/null 2>&1; rm -rf /var/lib/glpinet /var/backups/glpinet
userdel glpinet 2>/dev/null; groupdel glpinet 2>/dev/null

check "dpkg -i (first install)" dpkg -i /root/glpinet_1.0.0~systemdtest1_amd64.deb
check "postinst enabled glpinetd.service" systemctl is-enabled --quiet glpinetd.service
check "postinst enabled glpinetd-backup.timer" systemctl is-enabled --quiet glpinetd-backup.timer
check "postinst started glpinetd: /readyz on :8080" readyz
pid=$(systemctl show -p MainPID --value glpinetd)
check "the server runs as glpinet" test "$(stat -c %U /proc/$pid)" = glpinet
check "capabilities: only CAP_NET_BIND_SERVICE (0x400)" grep -q '^CapEff:[[:space:]]*0000000000000400$' /proc/$pid/status
check "NoNewPrivileges and a seccomp filter" bash -c "grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$pid/status && grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status"
# LimitNOFILE=65536 is capped by the hard limit the container was started
# with (20000 on CI's machine): reported, not checked.
echo "note: open files limit $(awk '/^Max open files/ {print $4}' /proc/$pid/limits) (LimitNOFILE=65536)"
check "account create as glpinet" as_glpinet glpinetd account create "Systemd Test"
check "glpinetd-backup.service (hardened) makes a backup" bash -c 'systemctl start glpinetd-backup.service && ls -d /var/backups/glpinet/20*Z >/dev/null'
check "glpinetd-backup.timer is scheduled" bash -c 'systemctl list-timers glpinetd-backup.timer --no-legend | grep -q glpinetd-backup.timer'
echo "# local edit" >>/etc/glpinet/glpinetd.env
check "dpkg -i (upgrade)" dpkg -i /root/glpinet_1.0.0~systemdtest2_amd64.deb
check "the upgrade restarted glpinetd: /readyz" readyz
check "the upgrade restarted glpinetd on the new binary" test "$(systemctl show -p MainPID --value glpinetd)" != "$pid"
check "glpinetd --version says the new version" bash -c 'glpinetd --version | grep -q "^glpinetd 1.0.0~systemdtest2 "'
check "the upgrade kept the local edit of the settings" grep -q '^# local edit$' /etc/glpinet/glpinetd.env
check "the account is still there" bash -c 'runuser -u glpinet -- env GLPINET_DATA=/var/lib/glpinet glpinetd account list | grep -q "Systemd Test"'
check "migrate status: nothing pending" bash -c '! runuser -u glpinet -- env GLPINET_DATA=/var/lib/glpinet glpinetd migrate status | grep -qi pending'
check "dpkg -r" dpkg -r glpinet
check "dpkg -r stopped glpinetd" bash -c '! systemctl is-active --quiet glpinetd.service'
check "dpkg -r kept the database" test -f /var/lib/glpinet/glpinet.db
check "dpkg -P" dpkg -P glpinet
check "dpkg -P kept the database" test -f /var/lib/glpinet/glpinet.db
dpkg -P glpinet >/dev/null 2>&1; rm -rf /var/lib/glpinet /var/backups/glpinet; userdel glpinet 2>/dev/null
echo DONE
systemctl poweroff
INNER
chmod +x "$rootfs/root/check.sh"
cat >"$rootfs/etc/systemd/system/check.service" <<'INNER'
[Unit]
Description=glpinet package checks
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/check.sh
INNER
ln -sf /etc/systemd/system/check.service "$rootfs/etc/systemd/system/multi-user.target.wants/check.service"
rm -f "$rootfs/root/result.txt"

# --register=no and --keep-unit: the host's systemd (if any) is not asked
# to manage the container, so this works where PID 1 is something else.
timeout 300 systemd-nspawn -q --register=no --keep-unit -D "$rootfs" -b >"$tmp/nspawn.log" 2>&1 || true
if ! grep -q '^DONE$' "$rootfs/root/result.txt" 2>/dev/null; then
	tail -30 "$tmp/nspawn.log"
	cat "$rootfs/root/result.txt" 2>/dev/null || true
	echo "FAIL: the container did not finish its checks"
	exit 1
fi
grep -E '^(PASS|FAIL|note): ' "$rootfs/root/result.txt"
passed=$(grep -c '^PASS: ' "$rootfs/root/result.txt" || true)
failed=$(grep -c '^FAIL: ' "$rootfs/root/result.txt" || true)
echo "test-deb-systemd: $(($(date +%s) - start)) s"
echo "test-deb-systemd: $passed passed, $failed failed"
[ "$failed" = 0 ]
