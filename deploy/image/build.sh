#!/usr/bin/env bash
# make image: a flashable Raspberry Pi image of Debian bookworm arm64
# with edge, OUTDIR/edge-<VERSION>-rpi-arm64.img.xz (deploy/IMAGE.md).
#   deploy/image/build.sh DEB VERSION OUTDIR
# DEB is the arm64 package `make deb` builds. IMAGE_KEEP_ROOT=1 reuses the
# root of the last build with rootfs/ laid over it again (to work on the
# image's own files without installing the packages again). Root only (mmdebstrap in
# root mode, chroot); installs the Debian packages it needs by apt-get.
# The pinned packages (deploy/image/packages) are installed by mmdebstrap
# into deploy/image/.work/root (git-ignored), arm64 programs running
# through qemu-user's binfmt handler; the partitions are then made from
# folders (mkfs.ext4 -d, mtools), with no loop device and no mount.
#
# The card: an MBR with
#   1 RASPIFIRM  FAT32, 256 MiB  /boot/firmware (ro): firmware, kernel,
#                initrd, device trees, config.txt, cmdline.txt, and the
#                user's edge.toml, enrol/, edge-password.txt
#   2 RASPIROOT  ext4            /  (read-only)
#   3 EDGESTATE  ext4, 64 MiB    /var/lib/edge, grown to the end of the
#                card on the first boot
set -euo pipefail

main() {
	[ $# -eq 3 ] || {
		echo "usage: $0 DEB VERSION OUTDIR" >&2
		exit 2
	}
	deb=$(readlink -f "$1") version=$2 out=$3
	cd "$(dirname "$0")/../.."
	here=deploy/image
	W=$here/.work
	say() { echo "image: $*"; }
	die() {
		echo "image: $*" >&2
		exit 1
	}
	[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap's root mode, chroot)"
	[ -f "$deb" ] || die "$1: no such package (make deb)"
	[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || die "$1 is not an arm64 package"
	start=$SECONDS

	# --- the tools, from Debian ----------------------------------------------------
	local need=() t p
	for t in mmdebstrap:mmdebstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support \
		mkfs.vfat:dosfstools mcopy:mtools sfdisk:fdisk mkfs.ext4:e2fsprogs xz:xz-utils; do
		command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
	done
	if [ ${#need[@]} -gt 0 ]; then
		say "installing ${need[*]}"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
	fi
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
	grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "binfmt qemu-aarch64 lacks the F flag"

	# --- the pinned packages, checked against the mirror -----------------------------
	mkdir -p "$W"
	W=$(readlink -f "$W")
	local sources=(
		"deb http://deb.debian.org/debian bookworm main non-free-firmware"
		"deb http://deb.debian.org/debian bookworm-updates main non-free-firmware"
		"deb http://deb.debian.org/debian-security bookworm-security main non-free-firmware"
	)
	mkdir -p "$W/apt/lists/partial" "$W/apt/cache/archives/partial"
	printf '%s\n' "${sources[@]}" >"$W/apt/sources.list"
	local apt=(-o "Dir::State=$W/apt" -o "Dir::State::Lists=$W/apt/lists" -o "Dir::Cache=$W/apt/cache"
		-o "Dir::Etc::SourceList=$W/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::status=$W/apt/status")
	: >"$W/apt/status"
	apt-get "${apt[@]}" update -q >"$W/apt/update.log" 2>&1 || {
		cat "$W/apt/update.log" >&2
		die "apt-get update of ${sources[*]} failed"
	}
	local pins=() missing=()
	while read -r p; do
		case $p in '' | '#'*) continue ;; esac
		pins+=("$p")
		apt-cache "${apt[@]}" show "$p" >/dev/null 2>&1 || missing+=("$p (the mirror has: $(apt-cache "${apt[@]}" policy "${p%%=*}" | sed -n 's/ *Candidate: //p'))")
	done <"$here/packages"
	if [ ${#missing[@]} -gt 0 ]; then
		printf 'image: pinned, but no longer in the mirror: %s\n' "${missing[@]}" >&2
		die "update deploy/image/packages"
	fi
	say "${#pins[@]} pinned packages found in the mirror"

	# --- the root ------------------------------------------------------------------
	local R=$W/root
	: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct HEAD)}"
	export SOURCE_DATE_EPOCH
	local incl
	incl=$(
		IFS=,
		echo "${pins[*]}"
	)
	if [ "${IMAGE_KEEP_ROOT:-}" = 1 ] && [ -d "$R/etc/edge-image" ]; then
		say "IMAGE_KEEP_ROOT=1: the root of the last build, $R, with $here/rootfs laid over it again"
		tar -C "$here/rootfs" -c --owner=0 --group=0 . | tar -C "$R" -x --no-overwrite-dir
		# and this build's edge binary over the installed package's (the
		# package database keeps the old version; the boot check's dpkg -i
		# installs the new package whole)
		dpkg-deb --fsys-tarfile "$deb" | tar -C "$R" -x ./usr/bin/edge
	else
		rm -rf --one-file-system "$R" "$W/firmware"
		say "mmdebstrap: Debian bookworm arm64 into $R (under qemu-user: many minutes)"
		nice -n 10 mmdebstrap --mode=root --arch=arm64 --variant=minbase --include="$incl" \
			--aptopt='Acquire::Retries "3"' \
			--dpkgopt='path-exclude=/usr/share/man/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' \
			--dpkgopt='path-exclude=/usr/share/doc/*' \
			--dpkgopt='path-include=/usr/share/doc/*/copyright' \
			--setup-hook="mkdir -p \"\$1/usr/share/initramfs-tools/modules.d\" && grep -v '^#' $here/initramfs-modules >\"\$1/usr/share/initramfs-tools/modules.d/edge-image\"" \
			--customize-hook="$here/customize.sh \"\$1\" $deb" \
			bookworm "$R" "${sources[@]}"
	fi

	# What raspi-firmware wrote to /boot/firmware goes to the boot
	# partition (kept in .work/firmware; the root keeps the mount point).
	if [ -n "$(ls -A "$R/boot/firmware")" ]; then
		rm -rf "$W/firmware"
		mv "$R/boot/firmware" "$W/firmware"
		install -d -m 0755 "$R/boot/firmware"
	fi
	# The initrd must find the card (mmc_block is built into the kernel).
	local k F=$W/firmware
	k=$(basename "$(ls "$R"/boot/vmlinuz-*)")
	k=${k#vmlinuz-}
	for f in "initrd.img-$k" "vmlinuz-$k" bootcode.bin start.elf bcm2837-rpi-3-b.dtb config.txt cmdline.txt; do
		[ -f "$F/$f" ] || die "/boot/firmware lacks $f"
	done
	chroot "$R" lsinitramfs "/boot/initrd.img-$k" >"$W/initrd.list"
	for m in bcm2835 sdhci-iproc; do
		grep -q "/$m\.ko" "$W/initrd.list" || die "the initrd has no $m module"
	done
	# shellcheck disable=SC2016 # dpkg-query's fields
	chroot "$R" dpkg-query -W -f '${Package}=${Version}\n' >"$W/packages.list"

	# --- the partitions --------------------------------------------------------------
	# The boot partition: what raspi-firmware put in /boot/firmware, and the
	# user's files.
	local B=$W/bootfs S=$W/state
	rm -rf "$B" "$S" && mkdir -p "$B" "$S"
	cp -r "$F/." "$B/"
	# The package's own edge.toml, which matches its binary (deploy/edge.toml
	# in the tree may be newer than the .deb).
	install -m 0644 "$R/etc/edge/edge.toml" "$B/edge.toml"
	cp -r "$here/bootfs/." "$B/"
	# The state partition starts empty; the root keeps /var/lib/edge as its
	# mount point. Logs of the build go (a tmpfs is mounted there).
	[ -z "$(ls -A "$R/var/lib/edge")" ] || die "/var/lib/edge is not empty in the root"
	rm -rf "${R:?}"/var/log/* "${R:?}"/var/cache/apt/*.bin "${R:?}"/var/lib/apt/lists/* "${R:?}"/tmp/*
	local uid gid
	uid=$(awk -F: '$1 == "edge" {print $3}' "$R/etc/passwd")
	gid=$(awk -F: '$1 == "edge" {print $4}' "$R/etc/passwd")

	local boot_mib=256 state_mib=64 root_mib used
	used=$(du -s --block-size=1M "$R" | cut -f1)
	# a quarter free, for the upgrades of a read-only root (apt in a
	# maintenance window), rounded to 64 MiB
	root_mib=$(((used * 5 / 4 + 64 + 63) / 64 * 64))
	say "root ${used} MiB used, partition ${root_mib} MiB"
	rm -f "$W"/*.part
	mkfs.vfat -F 32 -n RASPIFIRM -i e0d9e0d9 -C "$W/boot.part" $((boot_mib * 1024)) >/dev/null
	mcopy -s -p -m -i "$W/boot.part" "$B"/* ::/
	mkfs.ext4 -q -F -L RASPIROOT -d "$R" "$W/root.part" "${root_mib}M"
	mkfs.ext4 -q -F -L EDGESTATE -E "root_owner=$uid:$gid" -d "$S" "$W/state.part" "${state_mib}M"

	# --- the card --------------------------------------------------------------------
	local img=$W/edge.img p1=4 p2 p3 total
	p2=$((p1 + boot_mib)) p3=$((p1 + boot_mib + root_mib)) total=$((p1 + boot_mib + root_mib + state_mib))
	rm -f "$img"
	truncate -s "${total}M" "$img"
	sfdisk --quiet "$img" <<-SFDISK
		label: dos
		label-id: 0xed9e0001
		unit: sectors
		start=$((p1 * 2048)), size=$((boot_mib * 2048)), type=c, bootable
		start=$((p2 * 2048)), size=$((root_mib * 2048)), type=83
		start=$((p3 * 2048)), size=$((state_mib * 2048)), type=83
	SFDISK
	dd if="$W/boot.part" of="$img" bs=1M seek=$p1 conv=notrunc,sparse status=none
	dd if="$W/root.part" of="$img" bs=1M seek="$p2" conv=notrunc,sparse status=none
	dd if="$W/state.part" of="$img" bs=1M seek="$p3" conv=notrunc,sparse status=none
	rm -f "$W"/*.part

	mkdir -p "$out"
	local name=$out/edge-$version-rpi-arm64
	say "compressing ${total} MiB with xz"
	nice -n 10 xz -T0 -6 -c "$img" >"$name.img.xz.tmp"
	mv "$name.img.xz.tmp" "$name.img.xz"
	cp "$W/packages.list" "$name.packages"
	say "kernel $k, $(grep -c . "$W/packages.list") packages ($name.packages)"
	say "$name.img.xz: $(stat -c %s "$name.img.xz") bytes ($(($(stat -c %s "$name.img.xz") / 1048576)) MiB), ${total} MiB raw, in $((SECONDS - start)) s"
	echo "$name.img.xz"
}

main "$@"; exit
