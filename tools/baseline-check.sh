#!/usr/bin/env bash
# Proves that the release build runs on an older CPU and computes the same
# descriptors as a native build: runs `hadir embed` on photos from
# ../shared/datasets with the native binary, then the release binary under
# qemu-user emulating an older CPU (HADIR_QEMU_CPU, default Westmere: 2010,
# SSE4.2, no AVX), and compares them with tools/desccmp (every component
# within 1e-4). Also starts the release hadir-server under qemu and asks
# /healthz. Shows, as evidence only, how the native binary fares there
# (on an AVX machine: SIGILL).
#   NATIVE=bin/hadir RELEASE=bin/release/hadir SERVER=bin/release/hadir-server
set -euo pipefail
cd "$(dirname "$0")/.."
cpu=${HADIR_QEMU_CPU:-Westmere}
native=${NATIVE:-bin/hadir}
release=${RELEASE:-bin/release/hadir}
server=${SERVER:-bin/release/hadir-server}
models=$(realpath "${HADIR_MODELS:-models}")
data=${HADIR_SHARED:-../shared}/datasets
fail() { echo "baseline-check: $*" >&2; exit 1; }
command -v qemu-x86_64 >/dev/null || fail "qemu-x86_64 missing: apt-get install qemu-user"
[ -x "$release" ] || fail "missing $release: make release"
[ -x "$server" ] || fail "missing $server: make release"
if [ ! -x "$native" ]; then
	go build -tags "${KIOSK_TAGS:-no_emoji}" -o "$native" .
fi
# Four photos: colour JPEG and greyscale PGM, large and small (upscaled);
# emulation costs about 15 s of CPU per photo.
photos=("$data/idols/jimin/jimin.jpg" "$data/idols/jimin/jimin2.jpg" "$data/idols/bona/bona.jpg" "$data/orl/s1/1.pgm")
tmp=$(mktemp -d)
trap 'kill "${srv:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export OPENCV_LOG_LEVEL=ERROR
# Debian's OpenBLAS chooses its kernels at run time, but under qemu-user it
# does not see the emulated CPU (OPENBLAS_VERBOSE=2 prints "Core: Haswell"
# under -cpu Westmere although the emulated cpuid has no AVX) and dies in
# its Sandy Bridge kernel. On a real older CPU it detects the CPU itself;
# here it is pinned to the emulated model, so that what is checked is the
# code this project compiles.
blas=${HADIR_QEMU_BLAS:-Nehalem}

echo "baseline-check: native $native embed on ${#photos[@]} photos" >&2
"$native" embed --models "$models" "${photos[@]}" >"$tmp/native.jsonl"
echo "baseline-check: $release embed under qemu-x86_64 -cpu $cpu" >&2
start=$SECONDS
OPENBLAS_CORETYPE=$blas qemu-x86_64 -cpu "$cpu" "$release" embed --models "$models" "${photos[@]}" >"$tmp/release.jsonl"
echo "baseline-check: emulated embed took $((SECONDS - start)) s" >&2
go run ./tools/desccmp "$tmp/native.jsonl" "$tmp/release.jsonl"

echo "baseline-check: $server under qemu-x86_64 -cpu $cpu" >&2
# GLIBC_TUNABLES as the server would set it: otherwise it re-executes
# itself to set it (internal/memory), and the new image would run on the
# host CPU, outside the emulation.
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 OPENBLAS_CORETYPE=$blas qemu-x86_64 -cpu "$cpu" "$server" --addr 127.0.0.1:0 --addr-file "$tmp/addr" --db "sqlite:$tmp/s.db" --data "$tmp" --models "$models" 2>"$tmp/server.log" &
srv=$!
for _ in $(seq 1 120); do [ -s "$tmp/addr" ] && break; kill -0 "$srv" 2>/dev/null || break; sleep 0.5; done
[ -s "$tmp/addr" ] || { cat "$tmp/server.log" >&2; fail "emulated hadir-server did not start"; }
health=$(curl -fsS --max-time 30 "$(cat "$tmp/addr")/healthz") || fail "emulated hadir-server: /healthz failed"
echo "baseline-check: emulated hadir-server /healthz: $health" >&2
kill "$srv"; wait "$srv" 2>/dev/null || true; srv=

# Evidence only: the native build on the same emulated CPU.
set +e
OPENBLAS_CORETYPE=$blas qemu-x86_64 -cpu "$cpu" "$native" embed --models "$models" "${photos[0]}" >/dev/null 2>"$tmp/native-qemu.err"
rc=$?
set -e
if [ $rc -ne 0 ]; then
	echo "baseline-check: (evidence) native build under -cpu $cpu: exit $rc: $(grep -m1 -o 'SIGILL[^)]*' "$tmp/native-qemu.err" || head -c 200 "$tmp/native-qemu.err")" >&2
else
	echo "baseline-check: (evidence) native build also runs under -cpu $cpu (built on a CPU without newer extensions)" >&2
fi
echo "baseline-check: ok" >&2
