#!/bin/sh
# Builds the mediamtx RTSP server used by the camera package's loopback
# tests and installs it to <repo>/.tools/bin/mediamtx (gitignored).
#
# Why not `go install`: the module proxy refuses the version list and the
# published module lacks two generated files (internal/core/VERSION and
# internal/servers/hls/hls.min.js, both produced by `go generate` in the
# upstream repository). So we fetch the module source through the ordinary
# Go client, copy it somewhere writable, add stubs for those two files and
# build it (~85 s on 2 cores). A no-op when the binary already exists.
set -eu

VERSION=v1.15.3
MODULE=github.com/bluenviron/mediamtx
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
BIN_DIR="$ROOT/.tools/bin"
BIN="$BIN_DIR/mediamtx"

if [ -x "$BIN" ]; then
	echo "mediamtx: $BIN already exists"
	exit 0
fi

WORK=$(mktemp -d)
trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM

# `go mod download` needs a module context; an empty throwaway one does.
cd "$WORK"
go mod init mediamtx-fetch >/dev/null 2>&1
SRC=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$SRC" ] || [ ! -d "$SRC" ]; then
	echo "mediamtx: cannot download $MODULE@$VERSION" >&2
	exit 1
fi

# The module cache is read-only: copy and make writable.
cp -R "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
cd "$WORK/src"

# The two files upstream generates before building.
printf '%s\n' "$VERSION" > internal/core/VERSION
printf '%s\n' '/* stub: HLS player not needed for tests */' > internal/servers/hls/hls.min.js

mkdir -p "$BIN_DIR"
CGO_ENABLED=0 go build -trimpath -o "$WORK/mediamtx" .
mv "$WORK/mediamtx" "$BIN"
echo "mediamtx: installed $BIN"
