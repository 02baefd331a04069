#!/bin/sh
# /init of the virtual Raspberry Pi that `make vpi` boots (vpi/run.sh
# builds the initramfs). It runs edge's device checks against Debian's
# kernel on qemu's raspi3b: the SoC's own pinctrl-bcm2835 GPIO
# controller and vivid, a V4L2 driver whose video output loops back to
# its capture device. Each check prints one PASS or FAIL line, then
# "N passed, M failed" and the marker run.sh waits for.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/local/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /var/lib/edge /run
cd /

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# show FILE: the last lines of a log, indented, after a FAIL
show() { tail -n 15 "$1" 2>/dev/null | sed 's/^/    | /'; }
now() { cut -d. -f1 /proc/uptime; }
short() { echo "$*" | tr '\n' ' ' | cut -c1-300; }

finish() {
	echo "$pass passed, $fail failed"
	echo "VPI-END $fail"
	# raspi3b ignores reboot and poweroff: run.sh stops qemu on the marker.
	sync
	while :; do sleep 60; done
}

EDGE="edge"
CONF=/etc/edge/edge.toml
FRAMES=/vpi/frames
PHASE=/tmp/phase

# --- (a) boot, modules, devices, the binary --------------------------------
ok "boot: Linux $(uname -r) $(uname -m) on $(tr -d '\0' </proc/device-tree/model), $(grep -c ^processor /proc/cpuinfo) cores"

VIVID="n_devs=1 node_types=0x101 num_inputs=1 input_types=0x3 num_outputs=1 output_types=0x1"
modules_ok=1
for m in $(cat /vpi/modules); do
	args=""
	[ "$m" = vivid ] && args=$VIVID
	if ! out=$(insmod "/lib/modules/$m.ko" $args 2>&1); then
		modules_ok=0
		echo "    | insmod $m: $out"
	fi
done
if [ $modules_ok = 1 ]; then ok "modules: $(tr '\n' ' ' </vpi/modules)loaded"; else bad "modules: an insmod failed"; fi

vname() { cat "/sys/class/video4linux/$1/name" 2>/dev/null; }
if [ -c /dev/video0 ] && [ -c /dev/video1 ]; then
	ok "camera: /dev/video0 is $(vname video0), /dev/video1 is $(vname video1)"
else
	bad "camera: no /dev/video0 and /dev/video1 ($(ls /dev/video* 2>&1))"
fi

chip=$(grep -m1 '^gpiochip0:' /sys/kernel/debug/gpio)
PINS=$(ls /sys/kernel/debug/pinctrl/*/pins 2>/dev/null | grep -m1 bcm2835)
if [ -c /dev/gpiochip0 ] && echo "$chip" | grep -q pinctrl-bcm2835 && [ -n "$PINS" ]; then
	ok "gpio: /dev/gpiochip0 is the SoC's controller (${chip#gpiochip0: })"
else
	bad "gpio: /dev/gpiochip0 is not pinctrl-bcm2835 ($chip; $(ls /dev/gpiochip* 2>&1))"
fi

want=$(cat /vpi/version)
got=$($EDGE --version 2>&1)
if [ "$got" = "edge $want" ]; then ok "edge --version: $got"; else bad "edge --version: got '$got', want 'edge $want'"; fi

# GPIO17's state as the pin controller reports it (debugfs): the
# function (gpio_in, gpio_out) and the level of the pad.
pin17() { grep ' (gpio17) ' "$PINS" | sed 's/.*function \([a-z0-9_]*\) in \([a-z]*\);.*/\1 \2/'; }
level17() { pin17 | cut -d' ' -f2; }

# --- (b) pin names on the real pin controller ------------------------------
for name in GPIO17 17 P1_11; do
	if out=$($EDGE relay-off --pin "$name" 2>&1) && [ "$(level17)" = lo ]; then
		ok "pin name $name: relay-off drove it locked (GPIO17: $(pin17))"
	else
		bad "pin name $name: relay-off: $(short "$out"); GPIO17: $(pin17)"
	fi
done
printf 'model = "faces"\n[relay]\npin = "P1_11"\n' >/tmp/header.toml
if out=$($EDGE relay-off --config /tmp/header.toml 2>&1); then
	ok "edge.toml relay.pin = \"P1_11\": relay-off locked it"
else
	bad "edge.toml relay.pin = \"P1_11\": $(short "$out")"
fi
out=$($EDGE relay-off --pin GPIO99 2>&1)
rc=$?
if [ $rc = 2 ] && echo "$out" | grep -q 'relay pin "GPIO99" not found; available: .* GPIO17, '; then
	ok "pin name GPIO99: exit 2, $(echo "$out" | cut -c1-72)…"
else
	bad "pin name GPIO99: exit $rc: $(short "$out")"
fi

# --- setup: enrol s1, loop vivid's output to its capture -------------------
t0=$(now)
if out=$($EDGE enroll --state-dir /var/lib/edge --name s1 $FRAMES/enrol.pgm 2>&1); then
	ok "enrol s1 from a 640×480 frame on the Pi ($(($(now) - t0)) s): $out"
else
	bad "enrol s1: $(short "$out")"
fi
if out=$(vpictl loop /dev/video0 /dev/video1 2>&1); then
	ok "vivid: HDMI output looped to HDMI capture, 640×480p60 YUYV"
else
	bad "vivid loop: $(short "$out")"
fi
echo $FRAMES/empty >$PHASE
play() {
	vpictl play /dev/video1 $PHASE >/tmp/play.log 2>&1 &
	PLAY=$!
}
play

# wait_log FILE PATTERN SECONDS: wait for a line (edge's log)
wait_log() {
	end=$(($(now) + $3))
	while [ "$(now)" -lt $end ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
# wait_level LEVEL SECONDS: wait for GPIO17 to read LEVEL
wait_level() {
	end=$(($(now) + $2))
	while [ "$(now)" -lt $end ]; do
		[ "$(level17)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
# stays_low SECONDS: GPIO17 never reads hi for that long
stays_low() {
	end=$(($(now) + $1))
	while [ "$(now)" -lt $end ]; do
		[ "$(level17)" = hi ] && return 1
		sleep 0.2
	done
	return 0
}
alive() { kill -0 "$1" 2>/dev/null; }
start_edge() { # start_edge LOG: edge run in the background, as the unit runs it
	$EDGE run --config $CONF >"$1" 2>&1 &
	EDGE_PID=$!
	t0=$(now)
	if wait_log "$1" 'msg="edge running"' 600 && alive $EDGE_PID; then
		return 0
	fi
	return 1
}

# --- (c) the service holds the line; fail-secure after SIGKILL -------------
if start_edge /tmp/run1.log; then
	ok "edge run: model loaded, GPIO17 claimed, /dev/video0 streaming ($(($(now) - t0)) s; GPIO17: $(pin17))"
else
	bad "edge run did not start"
	show /tmp/run1.log
fi
out=$($EDGE relay-off --pin P1_11 2>&1)
rc=$?
if [ $rc != 0 ] && echo "$out" | grep -qi busy; then
	ok "P1_11 is the line edge holds: relay-off --pin P1_11 refused while edge runs (exit $rc, busy)"
else
	bad "relay-off --pin P1_11 while edge runs: exit $rc: $(short "$out")"
fi
$EDGE run --config $CONF --state-dir /tmp/second >/tmp/second.log 2>&1
rc=$?
if [ $rc != 0 ] && grep -qi busy /tmp/second.log && alive $EDGE_PID && [ "$(level17)" = lo ]; then
	ok "a second edge run cannot claim GPIO17: exit $rc, $(grep -io 'gpio[^"]*busy' /tmp/second.log | head -n1)"
else
	bad "second edge run: exit $rc, first alive: $(alive $EDGE_PID && echo yes || echo no)"
	show /tmp/second.log
fi

# --- (d) the real camera path: s1, then a stranger, then no one ------------
rises=""
echo $FRAMES/s1 >$PHASE
t0=$(now)
if wait_level hi 600; then
	ok "enrolled s1 at the camera: GPIO17 rose after $(($(now) - t0)) s ($(grep -c '"unlock"' /var/lib/edge/audit.jsonl) unlock in the audit log)"
else
	bad "enrolled s1 at the camera: GPIO17 did not rise in 600 s"
	show /tmp/run1.log
fi
echo $FRAMES/empty >$PHASE
if wait_level lo 30; then
	ok "the pulse ended: GPIO17 low again"
else
	bad "the pulse did not end: GPIO17 $(pin17)"
fi
stays_low 30 || rises="$rises after-s1"
denied0=$(grep -c denied /var/lib/edge/audit.jsonl)
echo $FRAMES/stranger >$PHASE
stays_low 120 || rises="$rises stranger"
denied=$(($(grep -c denied /var/lib/edge/audit.jsonl) - denied0))
echo $FRAMES/empty >$PHASE
stays_low 30 || rises="$rises empty"
unlocks=$(grep '"unlock"' /var/lib/edge/audit.jsonl | grep -vc '"s1"')
if [ -z "$rises" ] && [ "$denied" -gt 0 ] && [ "$unlocks" = 0 ]; then
	ok "stranger s2 for 120 s, then no one: GPIO17 stayed low ($denied denied attempts audited, no unlock but s1's)"
else
	bad "after s1: GPIO17 rose during:${rises:- nothing}; $denied denied attempts; $unlocks unlocks not s1"
	show /var/lib/edge/audit.jsonl
fi

# SIGKILL mid-pulse, then ExecStopPost's relay-off.
echo $FRAMES/s1 >$PHASE
if wait_level hi 600; then
	kill -9 $EDGE_PID
	wait $EDGE_PID 2>/dev/null
	after=$(pin17)
	echo $FRAMES/empty >$PHASE
	if out=$($EDGE relay-off --config $CONF 2>&1) && [ "$(level17)" = lo ]; then
		ok "SIGKILL mid-pulse (GPIO17 then: $after), relay-off as ExecStopPost: GPIO17 $(pin17)"
	else
		bad "relay-off after SIGKILL: $(short "$out"); GPIO17 $(pin17)"
	fi
else
	bad "s1 again: GPIO17 did not rise, no pulse to kill"
	kill -9 $EDGE_PID
fi

# --- (e) the camera unplugged: vivid disconnected, removed, loaded again ---
if start_edge /tmp/run2.log; then
	kill $PLAY
	wait $PLAY 2>/dev/null
	# A USB camera unplugged: open descriptors fail, and the node goes.
	mv /dev/video0 /tmp/video0.gone
	vpictl ctrl /tmp/video0.gone Disconnect 1
	lost=no
	wait_log /tmp/run2.log 'msg=camera state=lost' 60 && lost=yes
	removed=no
	end=$(($(now) + 60))
	while [ "$(now)" -lt $end ]; do
		rmmod vivid 2>/dev/null && removed=yes && break
		sleep 0.5
	done
	rm -f /tmp/video0.gone
	low=yes
	stays_low 10 || low=no
	insmod /lib/modules/vivid.ko $VIVID
	vpictl loop /dev/video0 /dev/video1 && play
	back=no
	wait_log /tmp/run2.log 'state=streaming' 120 && back=yes
	stays_low 5 || low=no
	if [ $lost = yes ] && [ $removed = yes ] && [ $back = yes ] && [ $low = yes ] && alive $EDGE_PID; then
		ok "camera unplugged (vivid disconnected, rmmod, insmod): edge reopened it, GPIO17 low throughout; $(grep -c 'state=lost' /tmp/run2.log) lost reports"
	else
		bad "camera unplugged: lost=$lost rmmod=$removed reopened=$back low=$low alive=$(alive $EDGE_PID && echo yes || echo no)"
		show /tmp/run2.log
	fi
	echo $FRAMES/s1 >$PHASE
	if wait_level hi 600; then
		ok "after the reconnect, s1 at the camera: GPIO17 rose"
	else
		bad "after the reconnect: GPIO17 did not rise for s1"
		show /tmp/run2.log
	fi
	echo $FRAMES/empty >$PHASE
	kill -TERM $EDGE_PID
	wait $EDGE_PID
	rc=$?
	if [ $rc = 0 ] && grep -q 'edge stopped; relay locked' /tmp/run2.log && [ "$(level17)" = lo ]; then
		ok "SIGTERM: edge stopped with exit 0, relay locked (GPIO17: $(pin17))"
	else
		bad "SIGTERM: exit $rc, GPIO17 $(pin17)"
		show /tmp/run2.log
	fi
else
	bad "edge run (second start) did not start"
	show /tmp/run2.log
fi

finish
