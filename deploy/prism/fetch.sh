#!/usr/bin/env bash
# Build Beam's Prism runner (a Go binary) into akhbar's engine cache, from the Beam Go module
# at the version pinned in deploy/engines.lock, through the Go module proxy.
#
# Why build: Beam's Python PrismRunner downloads a prebuilt binary from GitHub releases, which
# machines behind a registry-only proxy cannot reach; the Go module proxy is reachable.
#
# Checks: Go's checksum database verifies the Beam module as usual (the default proxy also
# serves sum.golang.org, so this works where only the module proxy is reachable), Beam's own
# go.sum verifies every dependency, and the module's h1: sum must also equal the lock's, twice:
# after `go mod download -json`, and in the built binary's build info (`go version -m`).
#
# Idempotent: a cached binary whose build info names the locked module and sum, and whose
# sha256 still matches the one recorded when it was built, is kept. Prints the binary's path.
# Usage: deploy/prism/fetch.sh [--check]   (--check: verify the cached binary, build nothing)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
LOCK="$ROOT/deploy/engines.lock"
CACHE="${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/prism"
BIN="$CACHE/prism"
STAMP="$CACHE/prism.sha256"

die() { echo "deploy/prism/fetch.sh: $*" >&2; exit 1; }

# lock line: prism <version> <h1 sum> go:<package path>
read -r _ VERSION SUM SOURCE < <(awk '$1 == "prism" { print; exit }' "$LOCK") ||
  die "no 'prism' line in $LOCK"
PACKAGE="${SOURCE#go:}"
MODULE="${PACKAGE%%/go/cmd/prism}"
[[ "$PACKAGE" != "$SOURCE" && "$MODULE" != "$PACKAGE" ]] ||
  die "unexpected source '$SOURCE' in $LOCK (want go:<module>/go/cmd/prism)"

# "mod <module> <version> <sum>" from the binary's build info, as the lock has it
built_from() { go version -m "$1" | awk '$1 == "mod" { print $2, $3, $4 }'; }

cached_ok() {
  [[ -x "$BIN" && -f "$STAMP" ]] || return 1
  (cd "$CACHE" && sha256sum --quiet -c "$STAMP" >/dev/null 2>&1) || return 1
  [[ "$(built_from "$BIN")" == "$MODULE $VERSION $SUM" ]]
}

command -v go >/dev/null || die "Go is not installed (https://go.dev/doc/install); Prism is built from source"

if cached_ok; then
  echo "$BIN"
  exit 0
fi
[[ "${1:-}" == "--check" ]] && die "no verified Prism binary at $BIN: run 'make engines'"

mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/.build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# Outside any go.mod, so that only the pinned module decides the versions. The module proxy
# is the default one unless GOPROXY says otherwise; -trimpath and no VCS stamping make the
# binary depend only on the module and the Go toolchain.
cd "$WORK"
export GOFLAGS="-buildvcs=false -trimpath"

info="$(go mod download -json "$MODULE@$VERSION" 2>&1)" || die "go mod download $MODULE@$VERSION failed: $info"
got="$(awk -F'"' '$2 == "Sum" { print $4 }' <<<"$info")"
[[ "$got" == "$SUM" ]] || die "$MODULE@$VERSION has sum '$got', the lock says '$SUM'"

echo "building $PACKAGE@$VERSION with $(go env GOVERSION) (a few minutes the first time)" >&2
GOBIN="$WORK/bin" go install "$PACKAGE@$VERSION"
[[ "$(built_from "$WORK/bin/prism")" == "$MODULE $VERSION $SUM" ]] ||
  die "the built binary does not name $MODULE $VERSION $SUM: $(built_from "$WORK/bin/prism")"

(cd "$WORK/bin" && sha256sum prism > "$WORK/prism.sha256")
mv -f "$WORK/bin/prism" "$BIN"   # same filesystem: a reader never sees half a binary
mv -f "$WORK/prism.sha256" "$STAMP"
cached_ok || die "the binary moved to $BIN does not verify"
echo "$BIN"
