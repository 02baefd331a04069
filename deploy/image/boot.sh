#!/usr/bin/env bash
# make image-boot: boot the edge image in the virtual Raspberry Pi 3
# (qemu-system-aarch64 -M raspi3b) as it would boot on a Pi, with vivid as
# the camera, and run the checks of edge.service inside (check.sh).
#   deploy/image/boot.sh IMAGE.img.xz DEB
# The image is decompressed onto a 2 GiB "card" (qemu wants a power of two),
# and changed only as a user would change it, on its boot partition: a
# photo in enrol/, edge-password.txt, and the check script with DEB (for
# the reinstallation check). qemu cannot run the Pi's GPU firmware, so the
# kernel, its initrd and the Pi 3 device tree are taken from the image's
# boot partition and given to qemu, with cmdline.txt's command line plus
# the serial console, modules-load=vivid and systemd.run= for check.sh.
# Ends with "N passed, M failed"; fails on any FAIL or after IMAGE_TIMEOUT
# seconds. The console is kept in deploy/image/.work/boot/console.log.
set -euo pipefail

main() {
	[ $# -eq 2 ] || {
		echo "usage: $0 IMAGE.img.xz DEB" >&2
		exit 2
	}
	xzimg=$(readlink -f "$1") deb=$(readlink -f "$2")
	cd "$(dirname "$0")/../.."
	TIMEOUT=${IMAGE_TIMEOUT:-3600}
	GO=${GO:-go}
	SHARED=${SHARED:-../shared}
	W=deploy/image/.work/boot
	say() { echo "image-boot: $*"; }
	die() {
		echo "image-boot: $*" >&2
		exit 1
	}
	[ -f "$xzimg" ] || die "$1: no such image (make image)"
	[ -f "$deb" ] || die "$2: no such package (make image builds it)"
	local need=() t
	for t in qemu-system-aarch64:qemu-system-arm mcopy:mtools fdtput:device-tree-compiler sfdisk:fdisk xz:xz-utils; do
		command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
	done
	if [ ${#need[@]} -gt 0 ]; then
		[ "$(id -u)" = 0 ] || die "missing: sudo apt-get install ${need[*]}"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
	fi

	# --- the card, as flashed ----------------------------------------------------
	rm -rf "$W" && mkdir -p "$W"
	card=$W/card.img
	xz -dc "$xzimg" >"$card"
	local size=$((2 << 30))
	while [ "$(stat -c %s "$card")" -gt $size ]; do size=$((size * 2)); done
	truncate -s $size "$card"
	local off
	off=$(($(sfdisk --dump "$card" | sed -n 's/^[^ ]*1 : start= *\([0-9]*\),.*/\1/p') * 512))
	[ "$off" -gt 0 ] || die "no first partition in $card"
	fat() { mcopy -o -i "$card@@$off" "$@"; }

	# What the Pi's firmware would load, from the boot partition.
	fat ::config.txt ::cmdline.txt "$W/"
	local kernel initrd
	kernel=$(sed -n 's/^kernel=//p' "$W/config.txt")
	initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$W/config.txt")
	fat "::$kernel" "::$initrd" ::bcm2837-rpi-3-b.dtb "$W/"
	# The firmware adds the board's revision to the device tree (periph
	# names the header pins from it): a Pi 3 Model B, what raspi3b models.
	fdtput -c -p "$W/bcm2837-rpi-3-b.dtb" /system
	fdtput -t x "$W/bcm2837-rpi-3-b.dtb" /system linux,revision a02082

	# --- what a user puts on the boot partition ------------------------------------
	local frames=$W/../frames
	if [ ! -f "$frames/enrol.pgm" ] && [ -d "$SHARED/data/att-faces" ]; then
		$GO run ./vpi/vpictl frames -att "$SHARED/data/att-faces" -out "$frames" >/dev/null
	fi
	if [ -f "$frames/enrol.pgm" ]; then
		fat "$frames/enrol.pgm" ::enrol/s1.pgm
	else
		say "NOTE: no $SHARED/data/att-faces: no photo in enrol/, the enrolment check will fail"
	fi
	printf 'door-password-1\r\n' >"$W/edge-password.txt"
	fat "$W/edge-password.txt" ::edge-password.txt
	fat deploy/image/check.sh ::edge-check.sh
	fat "$deb" ::edge.deb

	# --- boot, watch the console, stop qemu ------------------------------------------
	local cmdline
	cmdline=$(sed -e 's/console=[^ ]*//g' -e 's/  */ /g' -e 's/^ //' "$W/cmdline.txt")
	# vivid with one webcam-like capture device, /dev/video0 (its test
	# pattern is the camera's picture); the checks, by systemd-run-generator.
	cmdline="console=ttyAMA0,115200 $cmdline modules-load=vivid vivid.n_devs=1 vivid.node_types=0x1 vivid.num_inputs=1 vivid.input_types=0x0"
	cmdline="$cmdline systemd.run=/boot/firmware/edge-check.sh systemd.run_success_action=none systemd.run_failure_action=none"
	log=$W/console.log
	: >"$log"
	say "kernel $kernel, initrd $initrd, card $((size >> 20)) MiB; $(qemu-system-aarch64 --version | head -n1)"
	say "command line: $cmdline"
	say "booting qemu raspi3b (timeout ${TIMEOUT}s)"
	local t0=$SECONDS
	nice -n 10 qemu-system-aarch64 -M raspi3b -m 1G -kernel "$W/$kernel" -dtb "$W/bcm2837-rpi-3-b.dtb" \
		-initrd "$W/$initrd" -append "$cmdline" -drive if=sd,format=raw,file="$card" \
		-display none -monitor none -serial file:"$log" -no-reboot </dev/null &
	qemu=$!
	stop() { if kill "$qemu" 2>/dev/null; then wait "$qemu" 2>/dev/null || true; fi; }
	trap stop EXIT INT TERM
	tail -n +1 -f "$log" --pid=$qemu &
	local end=$((SECONDS + TIMEOUT))
	while ! grep -aq '^IMAGE-END' "$log"; do
		kill -0 $qemu 2>/dev/null || die "qemu exited before the checks ended"
		if grep -aq 'You are in emergency mode' "$log"; then # nothing more will happen
			stop
			sleep 1
			die "the image stopped in emergency mode (console in $log)"
		fi
		if [ $SECONDS -ge $end ]; then
			stop
			sleep 1
			die "timed out after ${TIMEOUT}s"
		fi
		sleep 2
	done
	sleep 1
	stop
	sleep 1
	result=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 | tr -d '\r')
	say "raspi3b: $result (qemu ran $((SECONDS - t0)) s; console in $log)"
	[[ $result == *" 0 failed" ]]
}

main "$@"; exit
