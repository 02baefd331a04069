#!/bin/sh
# Builds edge_<version>_<arch>.deb with dpkg-deb (no debhelper: one static
# binary, a unit, a conffile and three maintainer scripts).
#   deploy/deb/build.sh ARCH BINARY VERSION OUTDIR
# Run from the repository root. Owners are root:root (--root-owner-group),
# file times are the commit's (SOURCE_DATE_EPOCH), so a tree builds the
# same bytes twice.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 ARCH BINARY VERSION OUTDIR" >&2; exit 2; }
arch=$1 bin=$2 version=$3 out=$4
case "$arch" in amd64 | arm64) ;; *) echo "$0: arch $arch: amd64 or arm64" >&2; exit 2 ;; esac
[ -x "$bin" ] || { echo "$0: $bin: no such binary" >&2; exit 2; }
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct HEAD)}"
export SOURCE_DATE_EPOCH

d=deploy/deb
stage=$out/stage-$arch
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/edge" \
	"$stage/usr/share/doc/edge" "$stage/usr/share/man/man1" "$stage/usr/share/lintian/overrides"

install -m 0755 "$bin" "$stage/usr/bin/edge"
# go build -s strips symbols but keeps the linker's .comment (lintian:
# binary-has-unneeded-section).
case "$arch" in arm64) objcopy=aarch64-linux-gnu-objcopy ;; *) objcopy=objcopy ;; esac
$objcopy --remove-section=.comment "$stage/usr/bin/edge"
# The one unit, deploy/edge.service, with the package's paths.
sed -e 's#/usr/local/bin/edge#/usr/bin/edge#g' \
	-e 's#^Documentation=.*#Documentation=man:edge(1) file:///usr/share/doc/edge/README.md.gz#' \
	-e 's#^\# Installed by .*#\# Installed by the edge package (deploy/deb) to /lib/systemd/system.#' \
	deploy/edge.service >"$stage/lib/systemd/system/edge.service"
chmod 0644 "$stage/lib/systemd/system/edge.service"
install -m 0644 deploy/edge.toml "$stage/etc/edge/edge.toml"

doc=$stage/usr/share/doc/edge
{
	cat $d/copyright.head
	sed -e 's/^$/./' -e 's/^/ /' models/NOTICE
} >"$doc/copyright"
chmod 0644 "$doc/copyright"
gzip -9n <README.md >"$doc/README.md.gz"
gzip -9n <deploy/DEB.md >"$doc/DEB.md.gz"
date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
maint='edge maintainers <maintainers@users.noreply.r-seed-98daf00f.example>'
printf 'edge (%s) unstable; urgency=medium\n\n  * Built from git %s.\n\n -- %s  %s\n' \
	"$version" "$(git describe --always --dirty)" "$maint" "$date" | gzip -9n >"$doc/changelog.gz"
install -m 0644 $d/lintian-overrides "$stage/usr/share/lintian/overrides/edge"
gzip -9n <$d/edge.1 >"$stage/usr/share/man/man1/edge.1.gz"
chmod 0644 "$doc"/* "$stage/usr/share/man/man1/edge.1.gz"

install -m 0755 $d/postinst $d/prerm $d/postrm "$stage/DEBIAN/"
echo /etc/edge/edge.toml >"$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: edge
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: adduser
Section: misc
Priority: optional
Description: one-shot face recognition that drives a door-lock relay
 edge checks camera frames (V4L2) against people enrolled from one photo
 each, with twin networks run by its own inference engine, and pulses a
 GPIO pin on a match. One static binary with its models built in, a
 hardened systemd unit (edge.service, user edge in groups video and gpio)
 and its configuration in /etc/edge/edge.toml.
CONTROL
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
	xargs md5sum >DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$out/edge_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "$deb"
