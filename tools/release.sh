#!/usr/bin/env bash
# Builds the release binaries bin/release/hadir and bin/release/hadir-server
# for the baseline CPU (HADIR_MARCH, default x86-64-v2) instead of the build
# machine's: go-face compiles dlib with -march=native, which tools/baseline-cxx.sh
# rewrites. CXX and CGO_CXXFLAGS are part of Go's build-cache key, so the
# shared cache never hands a native C++ object to a release build (and a
# native build never gets a baseline one); only the C++ packages (go-face,
# gocv) are compiled twice. tools/baseline-check.sh proves the result.
set -euo pipefail
cd "$(dirname "$0")/.."
march=${HADIR_MARCH:-x86-64-v2}
out=${HADIR_RELEASE_DIR:-bin/release}
mkdir -p "$out"
export HADIR_MARCH=$march
export CXX="$PWD/tools/baseline-cxx.sh"
# The marker define changes the cache key even if a future Go stopped
# hashing the CXX path; -O2 -g is Go's default CGO_CXXFLAGS.
export CGO_CXXFLAGS="-O2 -g -DHADIR_BASELINE_${march//[^A-Za-z0-9]/_}"
export GOAMD64=v1
# C as `make` compiles it (the Makefile's CC); clang's default CPU is the
# x86-64 baseline.
export CC=${CC:-clang}
go build -tags "${KIOSK_TAGS:-no_emoji}" -o "$out/hadir" .
go build -o "$out/hadir-server" ./cmd/hadir-server
echo "release: $out/hadir $out/hadir-server (baseline $march)" >&2
