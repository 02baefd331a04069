#!/bin/sh
# make deb-test: the arm64 package in a Debian bookworm arm64 root under
# qemu-user (binfmt), through install, upgrade, remove and purge, then
# lintian on the packages `make deb` built. One PASS/FAIL line per check,
# then "N passed, M failed"; exit 1 on any FAIL. deploy/DEB.md.
#   deploy/deb/test.sh BINARY VERSION
# Needs root, mmdebstrap, qemu-user-static, binfmt-support, lintian. The
# minbase root (with adduser, the one dependency) is built once into
# deploy/deb/.work/bookworm-arm64.tar; every run starts from a fresh copy.
set -u
[ $# -eq 2 ] || { echo "usage: $0 BINARY VERSION" >&2; exit 2; }
bin=$1 new=$2
[ "$(id -u)" = 0 ] || { echo "$0: needs root (chroot, mount)" >&2; exit 2; }
for t in mmdebstrap dpkg-deb lintian qemu-aarch64-static update-binfmts; do
	command -v $t >/dev/null || {
		echo "$0: $t missing: apt-get install mmdebstrap qemu-user-static binfmt-support lintian" >&2
		exit 2
	}
done

work=deploy/deb/.work
mkdir -p "$work"
work=$(cd "$work" && pwd)
root=$work/root
tar=$work/bookworm-arm64.tar

# arm64 executables run through qemu-aarch64-static; the F flag (binfmt
# "fix binary") lets them run inside the chroot without copying qemu in.
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || {
	echo "$0: binfmt qemu-aarch64 lacks the F flag" >&2
	exit 2
}

if [ ! -s "$tar" ]; then
	echo "building $tar (once; several minutes under qemu)"
	mmdebstrap --arch=arm64 --variant=minbase --include=adduser bookworm "$work/bookworm-arm64.tmp.tar" \
		http://deb.debian.org/debian || exit 2
	mv "$work/bookworm-arm64.tmp.tar" "$tar"
fi

# Two packages from the one binary: the old version sorts first.
old="$new~old"
debs=$work/debs
rm -rf "$debs" && mkdir -p "$debs"
deb_old=$(deploy/deb/build.sh arm64 "$bin" "$old" "$debs") || exit 2
deb_new=$(deploy/deb/build.sh arm64 "$bin" "$new" "$debs") || exit 2

cleanup() {
	umount "$root/proc" 2>/dev/null
	# never follow a mount that is still there out of the root
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
cleanup
mkdir -p "$root"
tar -xf "$tar" -C "$root"
mount -t proc proc "$root/proc"
cp "$deb_old" "$deb_new" "$root/tmp/"
CH="chroot $root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive"
ch() { $CH "$@"; }

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...: PASS when the command succeeds
	name=$1
	shift
	if "$@" >"$work/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/    /' "$work/out"; fi
}
# stat inside the root: owner:group mode
mode() { [ "$(ch stat -c '%U:%G %a' "$1")" = "$2" ] || { echo "$1: $(ch stat -c '%U:%G %a' "$1"), want $2"; return 1; }; }
status() { ch dpkg-query -W -f='${db:Status-Abbrev}${Version}' edge 2>/dev/null; }
has() { [ "$(status)" = "$1" ] || { echo "dpkg status: '$(status)', want '$1'"; return 1; }; }

echo "== install $(basename "$deb_old") (apt, arm64 root under qemu-user)"
check "gpio group absent on plain Debian before install" sh -c "! $CH getent group gpio"
check "apt-get install ./$(basename "$deb_old")" ch apt-get install -y -q -o Dpkg::Use-Pty=0 "/tmp/$(basename "$deb_old")"
check "installed: ii $old" has "ii $old"
check "/usr/bin/edge root:root 0755" mode /usr/bin/edge "root:root 755"
check "/lib/systemd/system/edge.service root:root 0644" mode /lib/systemd/system/edge.service "root:root 644"
check "/etc/edge/edge.toml root:root 0644" mode /etc/edge/edge.toml "root:root 644"
check "unit runs /usr/bin/edge" grep -q '^ExecStart=/usr/bin/edge run --config /etc/edge/edge.toml' "$root/lib/systemd/system/edge.service"
check "/usr/share/doc/edge/copyright, edge.1.gz" test -f "$root/usr/share/doc/edge/copyright" -a -f "$root/usr/share/man/man1/edge.1.gz"
check "edge --version runs (arm64, qemu-user)" sh -c "$CH /usr/bin/edge --version | grep -q '^edge '"
check "user edge: system uid, home /var/lib/edge, nologin" sh -c \
	"$CH getent passwd edge | awk -F: '\$3 < 1000 && \$6 == \"/var/lib/edge\" && \$7 == \"/usr/sbin/nologin\" {ok=1} END {exit !ok}'"
check "group edge exists" ch getent group edge
check "group gpio created as a system group" sh -c "$CH getent group gpio | awk -F: '\$3 < 1000 {ok=1} END {exit !ok}'"
check "edge in groups video and gpio" sh -c "$CH id -nG edge | tr ' ' '\n' | grep -qx video && $CH id -nG edge | tr ' ' '\n' | grep -qx gpio"
check "/var/lib/edge edge:edge 0700" mode /var/lib/edge "edge:edge 700"
check "edge.toml is a conffile" sh -c "$CH dpkg-query -W -f='\${Conffiles}' edge | grep -q '^ */etc/edge/edge.toml '"
check "unit enabled (multi-user.target.wants) without systemd" test -L "$root/etc/systemd/system/multi-user.target.wants/edge.service"

echo "== the administrator edits the config and enrols someone"
sed -i 's/^threshold = 0$/threshold = 0.42/' "$root/etc/edge/edge.toml"
ch sh -c 'echo enrolled >/var/lib/edge/gallery.test && chown edge:edge /var/lib/edge/gallery.test'
check "config edited" grep -qx 'threshold = 0.42' "$root/etc/edge/edge.toml"

echo "== upgrade to $new (dpkg -i)"
check "dpkg -i $(basename "$deb_new")" ch dpkg -i "/tmp/$(basename "$deb_new")"
check "installed: ii $new" has "ii $new"
check "edited edge.toml kept on upgrade" grep -qx 'threshold = 0.42' "$root/etc/edge/edge.toml"
check "state kept on upgrade" grep -qx enrolled "$root/var/lib/edge/gallery.test"
check "edge --version after upgrade" sh -c "$CH /usr/bin/edge --version | grep -q '^edge '"
check "reinstall (postinst again: idempotent)" ch dpkg -i "/tmp/$(basename "$deb_new")"
check "edge still in video and gpio, one edge user" sh -c \
	"$CH id -nG edge | tr ' ' '\n' | grep -qx gpio && [ \$($CH getent passwd | grep -c '^edge:') = 1 ]"
check "downgrade to $old" ch dpkg -i "/tmp/$(basename "$deb_old")"
check "upgrade again" ch dpkg -i "/tmp/$(basename "$deb_new")"

echo "== remove (dpkg -r)"
check "dpkg -r edge" ch dpkg -r edge
check "status rc (config files kept)" has "rc $new"
check "/usr/bin/edge and the unit removed" sh -c "[ ! -e '$root/usr/bin/edge' ] && [ ! -e '$root/lib/systemd/system/edge.service' ]"
check "edited edge.toml kept on remove" grep -qx 'threshold = 0.42' "$root/etc/edge/edge.toml"
check "state kept on remove" grep -qx enrolled "$root/var/lib/edge/gallery.test"
check "reinstall after remove keeps state" sh -c \
	"$CH dpkg -i /tmp/$(basename "$deb_new") && grep -qx enrolled '$root/var/lib/edge/gallery.test' && test -L '$root/etc/systemd/system/multi-user.target.wants/edge.service'"

echo "== purge (dpkg -P)"
check "dpkg -P edge" ch dpkg -P edge
check "not installed after purge" sh -c "! $CH dpkg-query -W -f='\${db:Status-Abbrev}' edge 2>/dev/null | grep -q '^[ir]'"
check "/var/lib/edge removed on purge" test ! -e "$root/var/lib/edge"
check "/etc/edge removed on purge" test ! -e "$root/etc/edge"
check "unit symlink removed on purge" test ! -e "$root/etc/systemd/system/multi-user.target.wants/edge.service" -a ! -L "$root/etc/systemd/system/multi-user.target.wants/edge.service"
check "user edge kept on purge (deploy/DEB.md)" ch getent passwd edge

echo "== packages built by make deb"
for a in ${DEB_ARCHS:-arm64 amd64}; do
	deb=bin/edge_${new}_$a.deb
	if [ ! -f "$deb" ]; then ko "$deb: missing (make deb)"; continue; fi
	check "$deb: Architecture $a" sh -c "[ \$(dpkg-deb -f '$deb' Architecture) = $a ]"
	check "$deb: contents" sh -c "dpkg-deb -c '$deb' | awk '{print \$1, \$2, \$6}' | grep -qx -- '-rwxr-xr-x root/root ./usr/bin/edge' &&
		dpkg-deb -c '$deb' | grep -q ' ./lib/systemd/system/edge.service\$' && dpkg-deb -c '$deb' | grep -q ' ./etc/edge/edge.toml\$'"
	check "$deb: lintian --pedantic: no error or warning" lintian --pedantic --fail-on error,warning "$deb"
	# Every tag, the overridden ones (deploy/deb/lintian-overrides) as O:
	# (--show-overrides makes lintian fail on them, hence a second run).
	lintian --pedantic --display-info --show-overrides "$deb" 2>&1 | grep -v '^N:\|privileges' | sed 's/^/    /'
	echo "    $(stat -c %s "$deb") bytes"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
