#!/usr/bin/env bash
# A C++ compiler wrapper for release builds (CXX=tools/baseline-cxx.sh).
# go-face hard-codes `-march=native` in its cgo flags, so a binary built on
# a new CPU dies with SIGILL on an older kiosk. This replaces that flag with
# the release baseline (HADIR_MARCH, default x86-64-v2: any x86-64 CPU since
# 2009, Nehalem/Westmere on) before calling the real compiler
# (HADIR_REAL_CXX, default g++). go-face itself is not patched or copied.
set -euo pipefail
march=${HADIR_MARCH:-x86-64-v2}
args=()
for a in "$@"; do
  case "$a" in
    -march=native) args+=("-march=$march" "-mtune=generic") ;;
    -mtune=native) args+=("-mtune=generic") ;;
    *) args+=("$a") ;;
  esac
done
exec "${HADIR_REAL_CXX:-g++}" "${args[@]}"
