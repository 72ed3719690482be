#!/usr/bin/env bash
# Builds the Debian packages from the release binaries (tools/release.sh):
#   hadir          the kiosk: binary, kiosk session unit (Cage on tty1), udev rule
#   hadir-server   the central server: binary, systemd unit, schedules
#   hadir-models   the face models both use (arch all; the 68-point
#                  landmark model comes from Debian's libdlib-data)
# into bin/deb/ (HADIR_DEB_DIR). Version: HADIR_VERSION, else from git
# describe (tags vX.Y.Z), else 0.0.0+git<commits>.g<hash>: it grows with
# every commit, so a later build upgrades an earlier one.
# Plain dpkg-deb: no Go packaging dependency in go.mod, and dpkg-shlibdeps
# computes the library dependencies exactly as debhelper would.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bindir=${HADIR_RELEASE_DIR:-bin/release}
out=${HADIR_DEB_DIR:-bin/deb}
models=${HADIR_MODELS:-models}
pk=$root/packaging

fail() { echo "deb: $*" >&2; exit 1; }
for b in hadir hadir-server; do [ -x "$bindir/$b" ] || fail "missing $bindir/$b: run tools/release.sh (make release)"; done
for m in dlib_face_recognition_resnet_model_v1.dat mmod_human_face_detector.dat; do
	[ -s "$models/$m" ] || fail "missing $models/$m: run make models"
done

version=${HADIR_VERSION:-}
if [ -z "$version" ]; then
	if d=$(git describe --tags --long --match 'v[0-9]*' 2>/dev/null); then
		# v1.2.0-3-gabcdef0 -> 1.2.0+3.gabcdef0
		version=$(echo "${d#v}" | sed -E 's/-([0-9]+)-g([0-9a-f]+)$/+\1.g\2/')
	else
		version="0.0.0+git$(git rev-list --count HEAD).g$(git rev-parse --short=8 HEAD)"
	fi
	git diff --quiet HEAD -- 2>/dev/null || version="$version.dirty"
fi
arch=$(dpkg --print-architecture)
maint="Hadir maintainers <hadir@localhost>"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shlibdeps BINARY...: the Depends line for the shared libraries they link.
shlibdeps() {
	local d=$work/shlibs
	mkdir -p "$d/debian"
	printf 'Source: hadir\n\nPackage: hadir\nArchitecture: any\n' >"$d/debian/control"
	local abs=()
	for f in "$@"; do abs+=("$(realpath "$f")"); done
	(cd "$d" && dpkg-shlibdeps -O -e"${abs[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# script TEMPLATE PKG UNIT STATE GROUPS ON_INSTALL ON_UPGRADE ETC_DIRS START_NOTE
script() {
	sed -e "s|@PKG@|$2|g" -e "s|@UNIT@|$3|g" -e "s|@STATE@|$4|g" -e "s|@GROUPS@|$5|g" \
		-e "s|@ON_INSTALL@|$6|g" -e "s|@ON_UPGRADE@|$7|g" -e "s|@ETC_DIRS@|$8|g" -e "s|@START_NOTE@|$9|g" \
		"$pk/scripts/$1.in"
}

# finish DIR PKG ARCH DEPENDS DESCRIPTION: control file, conffiles, md5sums, .deb
finish() {
	local dir=$1 pkg=$2 a=$3 deps=$4 desc=$5
	mkdir -p "$dir/DEBIAN" "$dir/usr/share/doc/$pkg"
	install -m 0644 "$pk/copyright" "$dir/usr/share/doc/$pkg/copyright"
	local size
	size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
	{
		echo "Package: $pkg"
		echo "Version: $version"
		echo "Architecture: $a"
		echo "Maintainer: $maint"
		echo "Installed-Size: $size"
		[ -n "$deps" ] && echo "Depends: $deps"
		echo "Section: misc"
		echo "Priority: optional"
		echo "Homepage: https://github.com/hadir-id/hadir"
		echo "Description: $desc"
	} >"$dir/DEBIAN/control"
	if [ -d "$dir/etc" ]; then
		(cd "$dir" && find etc -type f | sort | sed 's|^|/|') >"$dir/DEBIAN/conffiles"
	fi
	(cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0r md5sum) >"$dir/DEBIAN/md5sums"
	chmod 0755 "$dir/DEBIAN"/post* "$dir/DEBIAN"/pre* 2>/dev/null || true
	dpkg-deb --root-owner-group -Zgzip --build "$dir" "$out/${pkg}_${version}_${a}.deb" >/dev/null
	echo "$out/${pkg}_${version}_${a}.deb"
}

docs() { # docs DIR PKG FILE...: the operator guides go with the package
	local dir=$1 pkg=$2; shift 2
	install -d "$dir/usr/share/doc/$pkg"
	for f in "$@"; do [ -f "$root/docs/$f" ] && install -m 0644 "$root/docs/$f" "$dir/usr/share/doc/$pkg/$f"; done
	install -m 0644 "$root/docs/README.md" "$dir/usr/share/doc/$pkg/README.md" 2>/dev/null || true
}

# --- hadir-models ---------------------------------------------------------
d=$work/hadir-models
install -d "$d/usr/share/hadir/models"
install -m 0644 "$models/dlib_face_recognition_resnet_model_v1.dat" "$models/mmod_human_face_detector.dat" "$d/usr/share/hadir/models/"
ln -s /usr/share/dlib/shape_predictor_68_face_landmarks.dat "$d/usr/share/hadir/models/shape_predictor_5_face_landmarks.dat"
finish "$d" hadir-models all "libdlib-data" "face models for Hadir (dlib ResNet descriptor, MMOD detector)
 dlib's face recognition ResNet and CNN face detector, in the directory
 layout go-face opens (/usr/share/hadir/models). The 68-point landmark
 model is Debian's libdlib-data, linked under the name go-face expects."

# --- hadir-server ---------------------------------------------------------
d=$work/hadir-server
install -d "$d/usr/bin" "$d/usr/sbin" "$d/lib/systemd/system" "$d/etc/default" "$d/etc/hadir/schedules"
install -m 0755 "$bindir/hadir-server" "$d/usr/bin/hadir-server"
install -m 0755 "$pk/hadir-server/hadir-server-admin" "$d/usr/sbin/hadir-server-admin"
install -m 0644 "$pk/hadir-server/hadir-server.service" "$d/lib/systemd/system/"
install -m 0600 "$pk/hadir-server/default" "$d/etc/default/hadir-server"
install -m 0644 "$root/attendance/schedule.example.toml" "$d/etc/hadir/schedules/default.toml"
docs "$d" hadir-server server-install.en.md server-install.id.md troubleshooting.en.md troubleshooting.id.md dpia.en.md dpia.id.md
install -d "$d/DEBIAN"
script postinst hadir-server hadir-server.service /var/lib/hadir-server "" \
	"deb-systemd-invoke start hadir-server.service >/dev/null \|\| true" restart \
	"/etc/hadir/schedules /etc/hadir" "started now" >"$d/DEBIAN/postinst"
script prerm hadir-server hadir-server.service /var/lib/hadir-server "" "" "" "" "" >"$d/DEBIAN/prerm"
script postrm hadir-server hadir-server.service /var/lib/hadir-server "" "" "" "/etc/hadir/schedules /etc/hadir" "" >"$d/DEBIAN/postrm"
deps=$(shlibdeps "$bindir/hadir-server")
finish "$d" hadir-server "$arch" "adduser, hadir-models (= $version), ${deps}" "Hadir attendance server (kiosk sync, HR recaps)
 The central server of the Hadir face-recognition attendance system:
 kiosks sync attendance and the roster with it, the HR office reads
 recaps, approves manual events and exports. Embedded SQLite by default,
 PostgreSQL by configuration (/etc/default/hadir-server)."

# --- hadir (kiosk) --------------------------------------------------------
d=$work/hadir
install -d "$d/usr/lib/hadir" "$d/usr/bin" "$d/lib/systemd/system" "$d/etc/default" "$d/etc/pam.d" "$d/lib/udev/rules.d"
install -m 0755 "$bindir/hadir" "$d/usr/lib/hadir/hadir"
# `hadir embed` and the other tools find models/ beside the executable.
ln -s /usr/share/hadir/models "$d/usr/lib/hadir/models"
ln -s ../lib/hadir/hadir "$d/usr/bin/hadir"
install -m 0644 "$pk/hadir/hadir-kiosk.service" "$d/lib/systemd/system/"
install -m 0644 "$pk/hadir/default" "$d/etc/default/hadir"
install -m 0644 "$pk/hadir/pam" "$d/etc/pam.d/hadir-kiosk"
install -m 0644 "$pk/hadir/70-hadir-camera.rules" "$d/lib/udev/rules.d/"
docs "$d" hadir kiosk-install.en.md kiosk-install.id.md enrollment-day.en.md enrollment-day.id.md troubleshooting.en.md troubleshooting.id.md dpia.en.md dpia.id.md
install -d "$d/DEBIAN"
script postinst hadir hadir-kiosk.service /var/lib/hadir "video render input" \
	"echo 'hadir: the kiosk session starts at the next boot (or: systemctl start hadir-kiosk)'" try-restart \
	"" "started at the next boot" >"$d/DEBIAN/postinst"
script prerm hadir hadir-kiosk.service /var/lib/hadir "" "" "" "" "" >"$d/DEBIAN/prerm"
script postrm hadir hadir-kiosk.service /var/lib/hadir "" "" "" "" "" >"$d/DEBIAN/postrm"
deps=$(shlibdeps "$bindir/hadir")
# GLFW opens the Wayland, xkbcommon and EGL libraries with dlopen, which
# dpkg-shlibdeps cannot see; Mesa renders on any GPU (or none). Debian's
# cage 0.1.4 refuses to start without Xwayland but does not depend on it.
gui="xwayland, libwayland-client0, libwayland-cursor0, libwayland-egl1, libxkbcommon0, libegl1, libgl1-mesa-dri"
finish "$d" hadir "$arch" "adduser, cage, hadir-models (= $version), $gui, ${deps}" "Hadir face-recognition attendance kiosk
 An offline-first attendance kiosk for Indonesian local government:
 employees check in by looking at the camera; operators enroll faces on
 site; records are kept in an encrypted store and synced to hadir-server.
 Runs full screen in a Cage session on tty1 (hadir-kiosk.service)."
