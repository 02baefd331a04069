#!/usr/bin/env bash
# The edge image's root, after mmdebstrap has installed the pinned
# packages (deploy/image/build.sh runs this as mmdebstrap's customize
# hook): our .deb installed by apt as on any Debian, the files of
# deploy/image/rootfs, the units enabled, ssh off and its keys removed,
# and raspi-firmware's kernel hook run again to write /boot/firmware with
# the image's settings.
#   deploy/image/customize.sh ROOT DEB
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 ROOT DEB" >&2; exit 2; }
root=$1 deb=$2
here=$(dirname "$0")
ch() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

# edge, as a user installs it (deploy/DEB.md).
cp "$deb" "$root/tmp/edge.deb"
ch apt-get install -y -q -o Dpkg::Use-Pty=0 /tmp/edge.deb
rm -f "$root/tmp/edge.deb"

# The image's files (owned by root), over what the packages installed.
tar -C "$here/rootfs" -c --owner=0 --group=0 . | tar -C "$root" -x --no-overwrite-dir
install -d -m 0755 "$root/etc/edge-image" "$root/usr/share/doc/edge"
install -m 0644 "$here/../IMAGE.md" "$root/usr/share/doc/edge/IMAGE.md"

ch systemctl enable edge-boot.service systemd-networkd.service
# ssh stays off until authorized_keys is on the boot partition; its host
# keys are made on that boot, never shared by every card of the image.
ch systemctl disable ssh.service
rm -f "$root"/etc/ssh/ssh_host_*
# Directories systemd would make at start, which the read-only root
# cannot take then.
install -d -m 0755 "$root/var/lib/systemd/timesync"
ch chown systemd-timesync:systemd-timesync /var/lib/systemd/timesync
# An empty machine id: systemd makes one at boot (the root is read-only);
# edge-boot.service writes it on the first boot.
: >"$root/etc/machine-id"

# config.txt and cmdline.txt with the image's settings
# (/etc/default/raspi-firmware, raspi-extra-cmdline), the kernel, its
# initrd and the device trees in /boot/firmware.
ch env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware
