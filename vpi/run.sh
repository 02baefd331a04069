#!/usr/bin/env bash
# make vpi: boot a virtual Raspberry Pi 3 (qemu-system-aarch64 -M raspi3b)
# with Debian's own arm64 kernel, and run edge's device checks on it
# (vpi/init.sh): the real pinctrl-bcm2835 GPIO controller, a real V4L2
# driver (vivid) looped so that the checks choose what the camera sees,
# and bin/edge-linux-arm64 as `make build-pi` builds it.
#
# Needs: qemu-system-arm, cpio, device-tree-compiler, dpkg-deb and
# apt-get (Debian), and arm64 as a foreign dpkg architecture (added here
# when run as root). The Debian packages are downloaded by name into
# vpi/.work/ (git-ignored) once.
#
# Environment: VPI_EDGE (the arm64 binary, default bin/edge-linux-arm64),
# VERSION (what its --version must print where there is no qemu-user),
# VPI_KERNEL (the kernel package), VPI_TIMEOUT (seconds for the whole
# boot), GO, SHARED.
set -euo pipefail

# main is the whole script and exit ends the line that calls it, so that
# bash has read all it runs before it runs (an edited script otherwise
# changes what a running one executes).
main() {
	cd "$(dirname "$0")/.."

	GO=${GO:-go}
	SHARED=${SHARED:-../shared}
	EDGE_BIN=${VPI_EDGE:-bin/edge-linux-arm64}
	VERSION=${VERSION:-dev}
	KERNEL_PKG=${VPI_KERNEL:-linux-image-6.1.0-57-arm64}
	TIMEOUT=${VPI_TIMEOUT:-1800}
	W=vpi/.work
	# vivid and what it needs, in load order (no modprobe in the initramfs).
	MODULES="mc videodev rc-core cec v4l2-dv-timings v4l2-tpg videobuf2-common videobuf2-memops videobuf2-v4l2 videobuf2-vmalloc videobuf2-dma-contig vivid"

	say() { echo "vpi: $*"; }
	die() {
		echo "vpi: $*" >&2
		exit 1
	}

	for t in qemu-system-aarch64 cpio dpkg-deb apt-get gzip fdtput; do
		command -v $t >/dev/null || die "$t missing (apt-get install qemu-system-arm cpio device-tree-compiler)"
	done
	[ -x "$EDGE_BIN" ] || die "$EDGE_BIN missing: make build-pi"

	# --- the Debian packages, by name -------------------------------------------
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || die "arm64 is not a dpkg architecture here: dpkg --add-architecture arm64 && apt-get update"
		dpkg --add-architecture arm64
		apt-get update -q
	fi
	if ! apt-cache show "$KERNEL_PKG:arm64" >/dev/null 2>&1; then
		now=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[^:]*\).*/\1/p' | head -n1)
		[ -n "$now" ] || die "neither $KERNEL_PKG nor linux-image-arm64 is known to apt (apt-get update?)"
		say "NOTE: $KERNEL_PKG is no longer in the archive; using $now, which linux-image-arm64 depends on today (set VPI_KERNEL in the Makefile)"
		KERNEL_PKG=$now
	fi
	mkdir -p $W/deb
	for p in "$KERNEL_PKG" busybox-static; do
		ls $W/deb/"${p}"_*_arm64.deb >/dev/null 2>&1 || (cd $W/deb && apt-get download -q "$p:arm64" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
		ls $W/deb/"${p}"_*_arm64.deb >/dev/null 2>&1 || die "could not download $p:arm64"
	done
	kdeb=$(ls $W/deb/"${KERNEL_PKG}"_*_arm64.deb | tail -n1)
	bdeb=$(ls $W/deb/busybox-static_*_arm64.deb | tail -n1)
	say "kernel $(dpkg-deb -f "$kdeb" Package) $(dpkg-deb -f "$kdeb" Version), busybox-static $(dpkg-deb -f "$bdeb" Version), $(qemu-system-aarch64 --version | head -n1)"
	if [ ! -f $W/kernel/.from ] || [ "$(cat $W/kernel/.from)" != "$kdeb" ]; then
		rm -rf $W/kernel && mkdir -p $W/kernel
		# The kernel, the Pi 3 device tree and the media modules: 60 of
		# the package's 400 MB.
		dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C $W/kernel --wildcards \
			'./boot/vmlinuz-*' './usr/lib/linux-image-*/broadcom/bcm2837-rpi-3-b.dtb' './lib/modules/*/kernel/drivers/media/*'
		echo "$kdeb" >$W/kernel/.from
	fi
	rm -rf $W/busybox && mkdir -p $W/busybox && dpkg-deb -x "$bdeb" $W/busybox
	vmlinuz=$(ls $W/kernel/boot/vmlinuz-*)
	# The Pi's firmware adds /system/linux,revision to the device tree it
	# hands the kernel; periph reads it to name the header pins (P1_11).
	# qemu boots the kernel without that firmware, so it is added here: the
	# revision of a Pi 3 Model B 1 GB, the board qemu's raspi3b models.
	dtb=$W/bcm2837-rpi-3-b.dtb
	cp $W/kernel/usr/lib/linux-image-*/broadcom/bcm2837-rpi-3-b.dtb $dtb
	fdtput -c -p $dtb /system
	fdtput -t x $dtb /system linux,revision a02082

	# --- the initramfs -----------------------------------------------------------
	if [ ! -f $W/frames/enrol.pgm ] || [ vpi/vpictl/main.go -nt $W/frames/enrol.pgm ]; then
		say "drawing the camera frames from $SHARED/data/att-faces"
		$GO run ./vpi/vpictl frames -att "$SHARED/data/att-faces" -out $W/frames
	fi
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $GO build -trimpath -o $W/vpictl ./vpi/vpictl

	R=$W/root
	rm -rf $R
	mkdir -p $R/bin $R/sbin $R/usr/bin $R/usr/sbin $R/usr/local/bin $R/lib/modules $R/etc/edge $R/vpi/frames \
		$R/proc $R/sys $R/dev $R/tmp $R/var/lib
	cp $W/busybox/bin/busybox $R/bin/busybox
	ln -s busybox $R/bin/sh
	for m in $MODULES; do
		f=$(find $W/kernel/lib/modules -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
		[ -n "$f" ] || die "module $m not in $kdeb"
		case $f in
		*.xz) xz -dc "$f" >$R/lib/modules/$m.ko ;;
		*.zst) zstd -qdc "$f" >$R/lib/modules/$m.ko ;;
		*) cp "$f" $R/lib/modules/$m.ko ;;
		esac
	done
	echo "$MODULES" | tr ' ' '\n' >$R/vpi/modules
	cp "$EDGE_BIN" $R/usr/local/bin/edge
	cp $W/vpictl $R/usr/local/bin/vpictl
	cp vpi/edge.toml $R/etc/edge/edge.toml
	cp vpi/init.sh $R/init
	chmod 755 $R/init
	# What --version must print on the Pi: what the binary prints under
	# qemu-user where there is one (make's VERSION is evaluated again by
	# each recipe, and a commit in between changes it), else VERSION.
	want=$(qemu-aarch64-static "$EDGE_BIN" --version 2>/dev/null || echo "edge $VERSION")
	echo "${want#edge }" >$R/vpi/version
	cp $W/frames/enrol.pgm $R/vpi/frames/
	for d in s1 stranger empty; do
		mkdir -p $R/vpi/frames/$d && cp $W/frames/$d/*.yuyv $R/vpi/frames/$d/
	done
	(cd $R && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >$W/initrd.gz
	say "initramfs $(du -h $W/initrd.gz | cut -f1)"

	# --- boot, watch the console, stop qemu --------------------------------------
	# raspi3b ignores reboot and poweroff: the guest prints VPI-END and this
	# script ends qemu by its PID. qemu translates the A53 (TCG): the guest's
	# timings mean nothing.
	log=$W/console.log
	: >$log
	say "booting qemu raspi3b (timeout ${TIMEOUT}s)"
	qemu-system-aarch64 -M raspi3b -m 1G -kernel "$vmlinuz" -dtb "$dtb" -initrd $W/initrd.gz \
		-append "console=ttyAMA0 rdinit=/init loglevel=3" \
		-display none -monitor none -serial file:$log -no-reboot </dev/null &
	qemu=$!
	stop() { kill "$qemu" 2>/dev/null && wait "$qemu" 2>/dev/null || true; }
	trap stop EXIT INT TERM
	tail -n +1 -f $log --pid=$qemu &
	end=$((SECONDS + TIMEOUT))
	while ! grep -aq '^VPI-END' $log; do
		if ! kill -0 $qemu 2>/dev/null; then
			sleep 1
			die "qemu exited before the checks ended"
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
	result=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed' $log | tail -n1 | tr -d '\r')
	say "raspi3b: $result (in ${SECONDS}s; console in $log)"
	[[ $result == *" 0 failed" ]]
}

main "$@"; exit
