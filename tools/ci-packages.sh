#!/usr/bin/env bash
# CI for the Debian packages (run as root on a throwaway Debian bookworm
# machine: it installs, upgrades and purges system packages):
#   1. builds the release binaries (baseline CPU) and two package sets of
#      the same tree, versions N (V~prev) and N+1 (V);
#   2. installs N with apt-get, checks the user, directories, conffiles and
#      `systemd-analyze verify` of both units;
#   3. runs the server as its unit's ExecStart command line (environment
#      from the unit and /etc/default/hadir-server) under user hadir, asks
#      /healthz; runs the packaged `hadir embed` (models found from the
#      package, no HADIR_MODELS);
#   4. fills the packaged kiosk store with unsynced events through the CLI,
#      upgrades to N+1, checks every event is still there, the key and a
#      conffile edit kept; registers the kiosk with a one-time code and
#      syncs: the server then stores exactly those events;
#   5. removes (data kept), purges (everything gone);
#   6. runs tools/baseline-check.sh (qemu, older CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH DEBIAN_FRONTEND=noninteractive
export OPENCV_LOG_LEVEL=ERROR
[ "$(id -u)" -eq 0 ] || { echo "ci-packages: run as root (it installs packages)" >&2; exit 1; }
t0=$SECONDS
step() { echo "=== ci-packages [$((SECONDS - t0))s] $*" >&2; }
fail() { echo "ci-packages: FAIL: $*" >&2; exit 1; }

need=()
for p in qemu-user curl dpkg-dev systemd; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/hadir-ci.XXXXXX)
metrics_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
chmod 0755 "$work"
srv=
cleanup() {
	if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

step "release binaries and packages"
make -s models
tools/release.sh
base=$(packaging/build.sh --version)
HADIR_VERSION="$base~prev" HADIR_DEB_DIR=$work/prev packaging/build.sh
HADIR_VERSION="$base" HADIR_DEB_DIR=$work/cur packaging/build.sh
ls -l "$work"/prev "$work"/cur >&2

# A run that failed midway leaves its packages installed: start clean.
if dpkg-query -W -f='${Status}\n' hadir hadir-server hadir-models 2>/dev/null | grep -q 'install ok'; then
	step "purge the packages a previous run left"
	apt-get purge -y -qq hadir hadir-server hadir-models >/dev/null
fi
step "install version N ($base~prev)"
apt-get install -y -qq "$work"/prev/*.deb >/dev/null
for p in hadir hadir-server hadir-models; do
	[ "$(dpkg-query -W -f='${Version}' "$p")" = "$base~prev" ] || fail "$p not installed at $base~prev"
done
getent passwd hadir >/dev/null || fail "no hadir user"
for d in /var/lib/hadir /var/lib/hadir-server; do
	[ "$(stat -c '%a %U' "$d")" = "700 hadir" ] || fail "$d is $(stat -c '%a %U' "$d"), want 700 hadir"
done
dpkg-query -W -f='${Conffiles}\n' hadir-server | grep -q '/etc/hadir/schedules/default.toml' || fail "schedules not a conffile"
dpkg-query -W -f='${Conffiles}\n' hadir-server | grep -q '/etc/default/hadir-server' || fail "/etc/default/hadir-server not a conffile"
dpkg-query -W -f='${Conffiles}\n' hadir | grep -q '/etc/default/hadir' || fail "/etc/default/hadir not a conffile"

step "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/hadir-server.service /lib/systemd/system/hadir-kiosk.service 2>&1 | tee "$work/verify.log" >&2
if grep -v -e 'postgresql.service' -e 'plymouth-quit-wait.service' -e 'getty@tty1.service' "$work/verify.log" | grep -qi -e 'hadir.*\(error\|unknown\|invalid\|failed\)'; then
	fail "systemd-analyze verify reported problems in the hadir units"
fi

# start_server: the unit's ExecStart with the unit's environment, as its
# User, from /; HADIR_ADDR overridden to a free port (as a drop-in would).
start_server() {
	local unit=/lib/systemd/system/hadir-server.service exec
	exec=$(sed -n 's/^ExecStart=//p' "$unit")
	(
		set -a
		eval "$(sed -n 's/^Environment=//p' "$unit")"
		# shellcheck disable=SC1091
		. /etc/default/hadir-server
		HADIR_ADDR=127.0.0.1:0
		HADIR_METRICS_TOKEN=$metrics_token # /metrics needs it (or an admin)
		set +a
		cd /
		eval "set -- $exec"
		exec runuser -u hadir -- "$@"
	) >"$work/server.log" 2>&1 &
	srv=$!
	url=
	for _ in $(seq 1 120); do
		url=$(sed -n 's/^hadir-server listening on //p' "$work/server.log")
		[ -n "$url" ] && break
		kill -0 "$srv" 2>/dev/null || break
		sleep 0.5
	done
	[ -n "$url" ] || { cat "$work/server.log" >&2; fail "hadir-server (ExecStart) did not start"; }
	curl -fsS "$url/healthz" | grep -q '"status":"ok"' || fail "/healthz at $url"
	echo "$url"
}
# stop_server: SIGTERM (as systemd stops it) and wait until it has exited.
stop_server() {
	kill "$srv" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$srv" 2>/dev/null || break; sleep 0.2; done
	! kill -0 "$srv" 2>/dev/null || fail "hadir-server did not stop on SIGTERM"
	srv=
}

step "server from its unit's ExecStart, as hadir"
url=$(start_server)
srv=$(pgrep -u hadir -x hadir-server | head -1)
echo "server: $url, $(stat -c '%U %a' /var/lib/hadir-server/server.key) server.key" >&2
[ "$(stat -c '%U %a' /var/lib/hadir-server/server.key)" = "hadir 600" ] || fail "server.key not hadir 0600"

step "packaged hadir embed (models from the package)"
cp "${HADIR_SHARED:-../shared}"/datasets/idols/jimin/*.jpg "$work/"
photo=$(ls "$work"/*.jpg | head -1)
chmod 0644 "$work"/*.jpg
out=$(cd / && runuser -u hadir -- env -u HADIR_MODELS hadir embed "$photo")
echo "$out" | grep -q '"descriptor":\[' || fail "hadir embed: $out"
n=$(echo "$out" | grep -o '"descriptor":\[[^]]*\]' | head -1 | tr ',' '\n' | wc -l)
[ "$n" = 128 ] || fail "hadir embed: descriptor has $n values"

step "kiosk store with unsynced events (CLI, as hadir)"
mkdir -p "$work/cam"
cp "${HADIR_SHARED:-../shared}"/datasets/idols/*/*.jpg "$work/cam/"
chmod -R a+rX "$work/cam"
kiosk() { (cd / && runuser -u hadir -- env -u HADIR_MODELS hadir "$@"); }
cp "${HADIR_SHARED:-../shared}"/datasets/orl/s1/[123].pgm "$work/"
chmod 0644 "$work"/*.pgm
kiosk enroll --data /var/lib/hadir --id 198001012005011001 --name "Uji CI" --unit CI "$work"/[123].pgm >/dev/null
kiosk watch --source "$work/cam" --data /var/lib/hadir --interval 1ms --min-face 40 >"$work/watch.jsonl" 2>"$work/watch.err" || { cat "$work/watch.err" >&2; fail "hadir watch"; }
pending() { kiosk verify-ledger --data /var/lib/hadir | sed -E 's/.*"pending":([0-9]+).*/\1/'; }
before=$(pending)
[ "$before" -gt 0 ] || fail "no unsynced events recorded ($(cat "$work/watch.err"))"
keysum=$(sha256sum /var/lib/hadir/hadir.key | cut -d' ' -f1)
echo "# ci: a local edit that an upgrade must keep" >>/etc/default/hadir
echo "kiosk store: $before unsynced events" >&2
stop_server

step "upgrade to version N+1 ($base)"
apt-get install -y -qq "$work"/cur/*.deb >/dev/null
for p in hadir hadir-server hadir-models; do
	[ "$(dpkg-query -W -f='${Version}' "$p")" = "$base" ] || fail "$p not upgraded to $base"
done
after=$(pending)
[ "$after" = "$before" ] || fail "unsynced events: $before before the upgrade, $after after"
[ "$(sha256sum /var/lib/hadir/hadir.key | cut -d' ' -f1)" = "$keysum" ] || fail "kiosk key changed on upgrade"
grep -q '^# ci: a local edit' /etc/default/hadir || fail "conffile edit lost on upgrade"
[ "$(stat -c '%a %U' /var/lib/hadir)" = "700 hadir" ] || fail "/var/lib/hadir permissions changed on upgrade"
echo "after upgrade: $after unsynced events, key and conffile kept" >&2

step "register the kiosk with a one-time code, sync"
url=$(start_server)
srv=$(pgrep -u hadir -x hadir-server | head -1)
code=$(hadir-server-admin code --unit CI --ttl 1h)
[ -n "$code" ] || fail "hadir-server-admin code"
kiosk sync --data /var/lib/hadir --server "$url" --code "$code" --name "ci-kiosk" | tee "$work/sync.json" >&2 || fail "hadir sync"
grep -q '"pending":0' "$work/sync.json" || fail "events still pending after sync"
stored=$(curl -fsS -H "Authorization: Bearer $metrics_token" "$url/metrics" | sed -n 's/^hadir_events_stored //p')
[ "$stored" = "$before" ] || fail "server stores $stored events, the kiosk had $before"
echo "server stores $stored events (kiosk had $before)" >&2
stop_server

step "remove keeps data, purge removes it"
apt-get remove -y -qq hadir hadir-server hadir-models >/dev/null
[ -f /var/lib/hadir/hadir.db ] || fail "remove deleted the kiosk store"
[ -f /var/lib/hadir-server/server.key ] || fail "remove deleted the server key"
[ ! -e /usr/bin/hadir ] && [ ! -e /usr/bin/hadir-server ] || fail "binaries left after remove"
apt-get purge -y -qq hadir hadir-server hadir-models >/dev/null
for f in /var/lib/hadir /var/lib/hadir-server /etc/hadir /etc/default/hadir /etc/default/hadir-server \
	/etc/pam.d/hadir-kiosk /usr/share/hadir /usr/lib/hadir /lib/systemd/system/hadir-kiosk.service \
	/lib/systemd/system/hadir-server.service /usr/sbin/hadir-server-admin; do
	[ ! -e "$f" ] || fail "$f left after purge"
done
if ls /etc/systemd/system/*hadir* /etc/systemd/system/*/*hadir* /var/lib/systemd/deb-systemd-helper-*/*hadir* 2>/dev/null | grep -q .; then
	fail "systemd links or deb-systemd-helper state left after purge"
fi
if dpkg -l 'hadir*' 2>/dev/null | grep -q '^[a-z][a-z] *hadir'; then
	dpkg -l 'hadir*' | grep '^[a-z][a-z] *hadir' >&2
	grep -q '^un\|^pn' <<<"$(dpkg -l 'hadir*' | grep '^[a-z][a-z] *hadir')" || fail "packages left after purge"
fi

if [ -z "${HADIR_CI_SKIP_BASELINE:-}" ]; then
	step "baseline CPU under qemu"
	tools/baseline-check.sh
fi

step "all passed"
