#!/usr/bin/env bash
# Installs the Debian bookworm packages Hadir builds and tests with
# (see ../shared/notes/stack.md). A no-op when all are installed; runs
# apt-get update once, and sudo when not root.
set -euo pipefail

pkgs=(
  # build: go-face (dlib), gocv (OpenCV 4.6), Fyne (GL, X11, Wayland);
  # clang compiles cgo's C (see the Makefile's CC)
  ca-certificates g++ clang pkg-config libopencv-dev libdlib-dev libdlib-data
  libopenblas-dev liblapack-dev libatlas-base-dev libjpeg62-turbo-dev
  libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev
  # tests: a virtual display for GUI tests, test videos and RTSP publishing
  xvfb xauth libgl1-mesa-dri ffmpeg
  # server tests: a real PostgreSQL (pg_virtualenv starts a throwaway one)
  postgresql postgresql-common
  # web console tests: a real headless browser driven by chromedp
  chromium
  # packages (make deb) and their CI: shlibdeps, an older CPU under qemu
  dpkg-dev qemu-user curl
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
