#!/usr/bin/env bash
# make screenshots: runs the real kiosk under Xvfb on a video made from
# ../shared/datasets/idols and writes PNGs to screenshots/ (not committed):
#   01-checkin-idle.png         nobody in front of the camera
#   02-checkin-recognised.png   an enrolled employee's result card
#   03-checkin-unknown.png      a never-enrolled face
#   04-enroll-capture.png       the enrollment wizard's capture step
#   05-admin-log.png            the admin's attendance log
#   console-*.png               every page of the HR web console (1366x768,
#                               seeded data, Today in both languages, the
#                               LB.1 as printed), from headless chromium
# The app drives itself through these screens (HADIR_SCREENSHOT_DIR, see
# app/screenshot.go) and captures its own window, so no window-automation
# tool is needed. The tour turns liveness off and creates a demo admin, so
# it exists only in a binary built with the screenshots tag
# (bin/hadir-screenshots); the shipped bin/hadir ignores the variable.
# A non-zero exit means the kiosk did not start or render.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
export HADIR_MODELS=${HADIR_MODELS:-$PWD/models}
export OPENCV_LOG_LEVEL=${OPENCV_LOG_LEVEL:-ERROR}
idols=${HADIR_SHARED:-$PWD/../shared}/datasets/idols
out=$PWD/screenshots
for tool in ffmpeg xvfb-run; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (make deps)" >&2; exit 1; }
done
[ -d "$idols" ] || { echo "screenshots: dataset $idols is missing" >&2; exit 1; }

go build -tags no_emoji -o bin/hadir . # as make build: enrolls the demo people
go build -tags no_emoji,screenshots -o bin/hadir-screenshots . # the kiosk with the tour
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$work/data

# Two enrolled employees; tzuyu is never enrolled (the unknown face, then
# the person the tour enrolls).
bin/hadir enroll --data "$data" --id 199005142015032001 --name "Bona Kim" --unit "BKPSDM" \
  "$idols/bona/bona.jpg" "$idols/bona/bona2.jpg" >/dev/null
bin/hadir enroll --data "$data" --id 198811022014022003 --name "Jimin Park" --unit "Dinas Kesehatan" \
  "$idols/jimin/jimin.jpg" "$idols/jimin/jimin2.jpg" >/dev/null

# The scene, looped by the kiosk: nobody, Bona (a photo not used for her
# enrollment), nobody, Tzuyu, nobody.
bg=0x5a6068
fit="scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=$bg,format=yuvj420p"
seg() { # seg NAME SECONDS [IMAGE]
  if [ $# -eq 3 ]; then
    ffmpeg -loglevel error -y -loop 1 -framerate 30 -t "$2" -i "$3" -vf "$fit" -c:v mjpeg -q:v 3 "$work/$1.avi"
  else
    ffmpeg -loglevel error -y -f lavfi -i "color=c=$bg:s=640x480:r=30:d=$2" -vf format=yuvj420p -c:v mjpeg -q:v 3 "$work/$1.avi"
  fi
  echo "file '$work/$1.avi'" >>"$work/list.txt"
}
: >"$work/list.txt"
seg a 4
seg b 5 "$idols/bona/bona3.jpg"
seg c 3
seg d 8 "$idols/tzuyu/tzuyu.jpg"
seg e 2
ffmpeg -loglevel error -y -f concat -safe 0 -i "$work/list.txt" -c copy "$work/scene.avi"

# A schedule whose working day started 7 minutes ago (WIB), every day of
# the week, so the card shows a check-in "late by 7 minutes" at any hour.
start=$(TZ=WIB-7 date -d '-7 min' +%H:%M)
now=$(TZ=WIB-7 date +%H:%M)
[[ "$start" > "$now" ]] && start=00:00
cat >"$work/schedule.toml" <<EOF
version = 1
unit = "Demo"
time_zone = "Asia/Jakarta"
cooldown = "10m"
work_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[regular]
check_in = { from = "00:00", to = "23:59" }
check_out = { from = "23:59", to = "24:00" }

[[regular.hours]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "$start"
end = "23:59"

[[late_tiers]]
name = "TL1"
from = 1
to = 30
cut_percent = 0.5

[[late_tiers]]
name = "TL2"
from = 31
cut_percent = 1.0

[[early_tiers]]
name = "PSW1"
from = 1
cut_percent = 0.5
EOF

rm -rf "$out"
HADIR_SCREENSHOT_DIR=$out timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" \
  bin/hadir-screenshots --data "$data" --camera "$work/scene.avi" --schedule "$work/schedule.toml" --fullscreen=false --lang id
n=$(ls "$out"/*.png 2>/dev/null | wc -l)
if [ "$n" -ne 5 ]; then
  echo "screenshots: expected 5 PNGs in $out, got $n" >&2
  exit 1
fi
echo "screenshots: wrote $n PNGs to $out"

# The HR web console: the real hadir-server on 127.0.0.1 with a seeded
# database, each page rendered by headless chromium (server/console).
HADIR_CONSOLE_SCREENSHOTS=$out go test -count=1 -run TestScreenshots ./server/console
nc=$(ls "$out"/console-*.png 2>/dev/null | wc -l)
if [ "$nc" -lt 10 ]; then
  echo "screenshots: expected the console's pages in $out, got $nc" >&2
  exit 1
fi
echo "screenshots: wrote $nc console PNGs to $out"
