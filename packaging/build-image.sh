#!/bin/sh
# build-image.sh [DISTDIR]: write DISTDIR/glpinetd-image.tar (default dist/),
# glpinetd's container image as an OCI archive, without a container daemon
# (packaging/image). Load it with "podman load -i" or "docker load -i"; it is
# named glpinetd:local.
#
# It takes the linux/amd64 binaries DISTDIR/glpinetd and DISTDIR/glpinet
# (packaging/build.sh builds them there before calling this script) and
# builds them there when they are missing: remove them to rebuild.
#
# Reproducible: every timestamp is SOURCE_DATE_EPOCH, by default the commit's
# time, so the same commit gives the same image digest.
#
# Environment: VERSION (default: git describe --tags --always --dirty),
# SOURCE_DATE_EPOCH, LICENSES (SPDX expression for the label, default
# GPL-3.0-or-later), CA_CERTS (default /etc/ssl/certs/ca-certificates.crt).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dist=${1:-dist}
case $dist in /*) ;; *) dist=$(pwd)/$dist ;; esac
cd "$root"

if git rev-parse --git-dir >/dev/null 2>&1; then
	: "${VERSION:=$(git describe --tags --always --dirty)}"
	: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct)}"
	revision=$(git rev-parse HEAD)
else
	# An exported tree: the packager says what it is.
	: "${VERSION:?not a git checkout: set VERSION}"
	: "${SOURCE_DATE_EPOCH:?not a git checkout: set SOURCE_DATE_EPOCH}"
	revision=${REVISION:-}
fi
export SOURCE_DATE_EPOCH

bindir=$dist
if [ -f "$bindir/glpinetd" ] && [ -f "$bindir/glpinet" ]; then
	echo "using $bindir/glpinetd and $bindir/glpinet as they are" >&2
else
	mkdir -p "$bindir"
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
	pkg=github.com/glpinet/glpinet/internal/version
	for cmd in glpinetd glpinet; do
		echo "building $bindir/$cmd ($VERSION)" >&2
		# Static (scratch has no C library), no local paths, no symbol
		# tables: a smaller image and the same bytes on every machine.
		CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -buildvcs=false \
			-ldflags "-s -w -X $pkg.version=${VERSION#v} -X $pkg.commit=$revision -X $pkg.date=$date" \
			-o "$bindir/$cmd" "./cmd/$cmd"
	done
fi

# GOOS/GOARCH are the builder's own: it runs here, whatever it packs.
env -u GOOS -u GOARCH go run ./packaging/image \
	--glpinetd "$bindir/glpinetd" --glpinet "$bindir/glpinet" \
	--ca-certs "${CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" \
	--version "$VERSION" --revision "$revision" --licenses "${LICENSES:-GPL-3.0-or-later}" \
	--out "$dist/glpinetd-image.tar"
