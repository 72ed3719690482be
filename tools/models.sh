#!/usr/bin/env bash
# Assembles the go-face model directory ($HADIR_MODELS, default ./models):
#   dlib_face_recognition_resnet_model_v1.dat  from ../shared/models, else dlib's download
#   mmod_human_face_detector.dat               from ../shared/models, else dlib's download
#   shape_predictor_5_face_landmarks.dat       -> Debian's 68-point predictor (libdlib-data)
# Downloads are checked against pinned sha256 sums. Nothing is fetched at run time.
set -euo pipefail

dir=${HADIR_MODELS:-models}
shared=${HADIR_SHARED:-../shared}/models
mkdir -p "$dir"

declare -A sums=(
  [dlib_face_recognition_resnet_model_v1.dat]=cdb1d47b961fe310ef1f3aa2974c5f65d29c079346760f6b6785c7e405f7266a
  [mmod_human_face_detector.dat]=4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6
)
# dlib's official files (bzip2). A download is kept only when its unpacked
# sha256 is pinned: the detector's is the same file as ../shared's; the
# ResNet in ../shared is a rebuild (different bytes, compatible output), and
# the original's checksum has not been verified here, so it must be supplied
# as HADIR_RESNET_SHA256 by whoever verified it.
declare -A urls=(
  [dlib_face_recognition_resnet_model_v1.dat]=http://dlib.net/files/dlib_face_recognition_resnet_model_v1.dat.bz2
  [mmod_human_face_detector.dat]=http://dlib.net/files/mmod_human_face_detector.dat.bz2
)
declare -A official=(
  [dlib_face_recognition_resnet_model_v1.dat]=${HADIR_RESNET_SHA256:-unpinned}
  [mmod_human_face_detector.dat]=4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6
)

fail() { echo "models: $*" >&2; exit 1; }

for f in "${!sums[@]}"; do
  dst="$dir/$f"
  if [ -s "$dst" ]; then continue; fi
  if [ -f "$shared/$f" ]; then
    cp "$shared/$f" "$dst.tmp"
    got=$(sha256sum "$dst.tmp" | cut -d' ' -f1)
    [ "$got" = "${sums[$f]}" ] || { rm -f "$dst.tmp"; fail "$shared/$f has sha256 $got, expected ${sums[$f]}"; }
    mv "$dst.tmp" "$dst"
    continue
  fi
  if [ "${official[$f]}" != unpinned ] && command -v curl >/dev/null && curl -fsSL --max-time 300 -o "$dst.bz2" "${urls[$f]}" 2>/dev/null; then
    bunzip2 -c "$dst.bz2" > "$dst.tmp" && rm -f "$dst.bz2"
    got=$(sha256sum "$dst.tmp" | cut -d' ' -f1)
    if [ "$got" != "${official[$f]}" ] && [ "$got" != "${sums[$f]}" ]; then
      rm -f "$dst.tmp"; fail "downloaded $f has unexpected sha256 $got; refusing it"
    fi
    mv "$dst.tmp" "$dst"
    continue
  fi
  rm -f "$dst.bz2"
  fail "missing $f: put it in $shared/ or in $dir/ (dlib's file: ${urls[$f]}, unpack with bunzip2; to let this script download it, set HADIR_RESNET_SHA256 for the ResNet file)"
done

landmarks=/usr/share/dlib/shape_predictor_68_face_landmarks.dat
[ -f "$landmarks" ] || fail "missing $landmarks: install Debian's libdlib-data (make deps)"
ln -sfn "$landmarks" "$dir/shape_predictor_5_face_landmarks.dat"
