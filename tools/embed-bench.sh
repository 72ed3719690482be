#!/usr/bin/env bash
# Compares a whole `hadir embed` run with dlib's own C++ pipeline
# (tools/embedref.cc: same models, HOG, 68 landmarks, ResNet) on the same
# 200 photos of 250x250 made from ../shared/datasets: wall time (start-up
# included), CPU time and peak RSS, RUNS alternating runs each, medians.
#   tools/embed-bench.sh            # RUNS=8; needs g++, libdlib-dev, ffmpeg
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH OPENCV_LOG_LEVEL=ERROR LC_ALL=C
RUNS=${RUNS:-8}
models=${HADIR_MODELS:-$PWD/models}
shared=${HADIR_SHARED:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 200 photos: idols and ORL images scaled to cover 250x250, centre-cropped
# (the same set as BenchmarkEmbedProcess200).
mkdir -p "$work/photos"
n=0
for f in "$shared"/datasets/idols/*/*.jpg "$shared"/datasets/orl/s*/[1-5].pgm; do
  [ $n -ge 200 ] && break
  ffmpeg -loglevel error -y -i "$f" -vf "scale=250:250:force_original_aspect_ratio=increase,crop=250:250" \
    -q:v 2 "$work/photos/$(printf %03d $n).jpg"
  n=$((n + 1))
done

g++ -std=c++17 -O3 -DNDEBUG tools/embedref.cc -o "$work/embedref" -ldlib -lopenblas -ljpeg -lpng
go build -tags no_emoji -o "$work/hadir" .

# run NAME CMD...: one timed run appended to $work/NAME (wall s, cpu s, KiB).
run() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >"$work/$name.out" 2>/dev/null
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/t" >>"$work/$name"
}
for _ in $(seq "$RUNS"); do
  run ref "$work/embedref" "$models" "$work"/photos/*.jpg
  run hadir "$work/hadir" embed --models "$models" "$work"/photos/*.jpg
  run ref-start "$work/embedref" "$models" "$work/photos/000.jpg"
  run hadir-start "$work/hadir" embed --models "$models" "$work/photos/000.jpg"
done
faces() { grep -o '"descriptor"' "$work/$1.out" | wc -l; }
echo "faces found: ref $(faces ref), hadir $(faces hadir) in 200 photos"
median() { sort -n -k"$2" "$work/$1" | awk -v k="$2" '{v[NR]=$k} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
printf '%-24s %10s %10s %12s\n' run wall_s cpu_s peak_MiB
for r in ref hadir ref-start hadir-start; do
  printf '%-24s %10s %10s %12.0f\n' "$r" "$(median $r 1)" "$(median $r 2)" "$(echo "$(median $r 3) / 1024" | bc -l)"
done
