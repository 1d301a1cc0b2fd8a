#!/usr/bin/env bash
# build.sh: glpinet's release build. Builds glpinetd and glpinet (static,
# -trimpath, version stamped), their man pages from their own help, and the
# Debian package dist/glpinet_VERSION_amd64.deb; then, when
# packaging/build-image.sh exists and is executable, runs it on the dist
# folder.
#
#   packaging/build.sh [--version V] [--dist DIR] [--no-image]
#
# VERSION is --version, else GLPINET_VERSION, else derived from
# `git describe --tags`: v1.2.3 -> 1.2.3, v1.2.3-rc1 -> 1.2.3~rc1 (before
# 1.2.3, as dpkg orders them), 5 commits after v1.2.3 -> 1.2.3+git20261205.5.0123abc,
# no tag -> 0.0.0~git20261205.0123abc (date of the commit, UTC).
# A work tree with uncommitted changes adds +dirty.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dist=$root/dist
version=${GLPINET_VERSION:-}
image=1
while [ $# -gt 0 ]; do
	case $1 in
	--version) version=$2; shift 2 ;;
	--dist) dist=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
	--no-image) image=0; shift ;;
	*) echo "usage: packaging/build.sh [--version V] [--dist DIR] [--no-image]" >&2; exit 2 ;;
	esac
done

if git rev-parse --git-dir >/dev/null 2>&1; then
	commit=$(git rev-parse HEAD)
	date=$(git log -1 --format=%cI)
	# Every file time in the package is the commit's: one commit, one package.
	export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
	modified=false
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then modified=true; fi
else # an exported tree: say so rather than guess
	commit=unknown
	date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	modified=false
fi

# debian_version turns `git describe` into a version dpkg orders rightly.
debian_version() {
	local desc day short
	day=$(TZ=UTC git log -1 --date=format-local:%Y%m%d --format=%cd)
	short=$(git rev-parse --short=7 HEAD)
	if desc=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
		desc=${desc#v}
		if [[ $desc =~ ^(.*)-([0-9]+)-g[0-9a-f]+$ ]]; then
			desc="${BASH_REMATCH[1]}+git$day.${BASH_REMATCH[2]}.$short"
		fi
		# A pre-release (1.2.3-rc1) sorts before its release with ~.
		desc=${desc//-/\~}
	else
		desc="0.0.0~git$day.$short"
	fi
	if [ "$modified" = true ]; then desc="$desc+dirty"; fi
	printf '%s' "$desc"
}
if [ -z "$version" ]; then
	if [ "$commit" = unknown ]; then
		echo "build.sh: not a git checkout: give --version" >&2
		exit 2
	fi
	version=$(debian_version)
fi
if ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	echo "build.sh: version $version is not a Debian version (digits first, then letters, digits, . + ~)" >&2
	exit 2
fi

pkg=github.com/glpinet/glpinet/internal/version
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.date=$date -X $pkg.modified=$modified"
mkdir -p "$dist/man"
for prog in glpinetd glpinet; do
	# Static (no libc to match on the target), and no build machine paths
	# in the binary.
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "$ldflags" -o "$dist/$prog" "./cmd/$prog"
done
echo "build.sh: $("$dist/glpinetd" --version)"

for prog in glpinetd glpinet; do
	other=glpinet
	if [ $prog = glpinet ]; then other=glpinetd; fi
	go run ./packaging/manpage -bin "$dist/$prog" -out "$dist/man/$prog.1.gz" -see-also "$other(1)"
done

# The docs are copied first: nfpm reads a file's size and then its bytes,
# and a file changed in between (a checkout) fails the build.
# Shell completions, from the same help table as everything else.
mkdir -p "$dist/completions"
for prog in glpinetd glpinet; do
	"$dist/$prog" completion bash >"$dist/completions/$prog.bash"
	"$dist/$prog" completion zsh >"$dist/completions/_$prog"
	"$dist/$prog" completion fish >"$dist/completions/$prog.fish"
done

mkdir -p "$dist/doc"
cp README.md docs/operations.md "$dist/doc/"

deb=$dist/glpinet_${version}_amd64.deb
# packaging/deb is a module of its own (see its main.go): the main module's
# GOFLAGS (such as -modfile) do not apply to it.
(cd packaging/deb && GOFLAGS=-buildvcs=false go run . -version "$version" -dist "$dist" \
	-files "$root/packaging/deb/files" -docs "$dist/doc" -out "$deb")
echo "build.sh: $deb ($(du -h "$deb" | cut -f1))"

if [ "$image" = 1 ] && [ -x packaging/build-image.sh ]; then
	# The same binaries and version as the package's.
	VERSION=$version packaging/build-image.sh "$dist"
fi
