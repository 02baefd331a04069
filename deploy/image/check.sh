#!/bin/sh
# The checks `make image-boot` (deploy/image/boot.sh) runs inside the
# booted image, from the boot partition: systemd-run-generator starts it
# from the kernel command line (systemd.run=/boot/firmware/edge-check.sh).
# It checks the real edge.service of the .deb with the image's drop-in:
# READY (Type=notify), the hardening (and that edge still reaches
# /dev/video0 and /dev/gpiochip0), the watchdog, Restart=on-failure,
# ExecStopPost=relay-off, a reinstallation of the .deb under systemd, and
# the image's first boot (state partition grown, read-only root, the boot
# partition's files taken in, ssh off). One PASS or FAIL line each, then
# "N passed, M failed" and the marker boot.sh waits for.
exec >/dev/console 2>&1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
S=/var/lib/edge
B=/boot/firmware
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
now() { cut -d. -f1 /proc/uptime; }
prop() { systemctl show -p "$1" --value edge.service; }
short() { echo "$*" | tr '\n' ' ' | cut -c1-400; }
indent() { sed 's/^/    | /'; }
journal() { journalctl -b -o short-monotonic --no-pager "$@" | tail -n 25 | indent; }

# wait_ready OLDPID SECONDS: edge active (running), that is READY=1 sent,
# under a main PID other than OLDPID. Every minute it shows where the boot
# is: the jobs systemd still has, edge's state.
wait_ready() {
	end=$(($(now) + $2))
	next=$(($(now) + 60))
	while [ "$(now)" -lt $end ]; do
		pid=$(prop MainPID)
		if [ "$(prop ActiveState)/$(prop SubState)" = active/running ] && [ "$pid" != 0 ] && [ "$pid" != "$1" ]; then
			return 0
		fi
		if [ "$(prop ActiveState)/$(prop SubState)" = failed/failed ]; then
			echo "    | edge.service failed ($(prop Result)), not restarted"
			return 1
		fi
		if [ "$(now)" -ge $next ]; then
			next=$(($(now) + 60))
			echo "    | $(now) s: edge $(prop ActiveState)/$(prop SubState); jobs: $(systemctl list-jobs --no-legend 2>&1 | awk '{print $2 "(" $4 ")"}' | tr '\n' ' ' | cut -c1-300)"
		fi
		sleep 2
	done
	return 1
}
# ExecStopPost's last run: "code=exited ; status=0" when relay-off succeeded
# (systemd clears it when the service starts again)
stoppost() { prop ExecStopPost | grep -o 'code=[a-z]* ; status=[0-9]*' | tail -n 1; }
# The journal's cursor now, and ExecStopPost's run since a cursor, from
# systemd's debug messages: "About to execute /usr/bin/edge relay-off ..."
# and "Control process exited, code=exited, status=0/SUCCESS".
cursor() { journalctl -n 1 --show-cursor -o cat --no-pager | sed -n 's/^-- cursor: //p'; }
relayoff_since() {
	journalctl -b -u edge.service -o cat --no-pager --after-cursor="$1" |
		grep -E 'About to execute.*relay-off|Control process exited' | head -n 2 | tr '\n' ' '
}
relayoff_ok() { relayoff_since "$1" | grep -q 'relay-off.*Control process exited, code=exited, status=0/SUCCESS'; }
PINS=
for f in /sys/kernel/debug/pinctrl/*bcm2835*/pins; do [ -f "$f" ] && PINS=$f; done
pin17() { grep ' (gpio17) ' "$PINS" | sed 's/.*function \([a-z0-9_]*\) in \([a-z]*\);.*/\1 \2/'; }

echo "== edge image checks: $(uname -r) on $(tr -d '\0' </proc/device-tree/model), uptime $(now) s"
# systemd.run= makes kernel-command-line.target the boot's default target
# in place of the image's multi-user.target: start that, which pulls in
# edge-boot.service and edge.service as a Pi's boot does.
systemctl start --no-block multi-user.target

# --- READY ------------------------------------------------------------------
if wait_ready 0 1500; then
	PID=$(prop MainPID)
	ok "edge.service READY (Type=notify: active/running) at $(now) s after boot, main PID $PID, user $(ps -o user= -p "$PID")"
	systemctl status --no-pager --lines=0 edge.service | indent
	journalctl -b -o short-monotonic --no-pager -u edge.service | grep -E 'Starting|edge running|Started' | indent
else
	bad "edge.service not READY after 1500 s: $(prop ActiveState)/$(prop SubState), $(prop Result)"
	systemctl status --no-pager edge.service | indent
	journalctl -b -o short-monotonic --no-pager -u edge.service | grep -v '^-- ' | head -n 40 | indent
	PID=0
fi

# --- devices and hardening ------------------------------------------------------
v=$(stat -c '%G %a' /dev/video0 2>&1)
g=$(stat -c '%G %a' /dev/gpiochip0 2>&1)
if [ "$v" = "video 660" ] && [ "$g" = "gpio 660" ]; then
	ok "devices: /dev/video0 ($(cat /sys/class/video4linux/video0/name)) video 0660, /dev/gpiochip0 gpio 0660 (the image's udev rule)"
else
	bad "devices: /dev/video0 $v, /dev/gpiochip0 $g"
fi
if [ "$PID" != 0 ]; then
	fds=$(for f in /proc/"$PID"/fd/*; do readlink "$f"; done | grep '^/dev/' | sort -u | tr '\n' ' ')
	case $fds in
	*/dev/video0*/dev/gpiochip0* | */dev/gpiochip0*/dev/video0*) ok "edge holds /dev/video0 and /dev/gpiochip0 under DevicePolicy=closed: $fds" ;;
	*) bad "edge's open devices: $fds" ;;
	esac
	st=/proc/$PID/status
	nnp=$(awk '/^NoNewPrivs:/ {print $2}' "$st")
	capeff=$(awk '/^CapEff:/ {print $2}' "$st")
	capbnd=$(awk '/^CapBnd:/ {print $2}' "$st")
	seccomp=$(awk '/^Seccomp:/ {print $2}' "$st")
	groups=$(id -nG edge)
	rootmnt=$(awk '$5 == "/" {print $6}' /proc/"$PID"/mountinfo | cut -d, -f1)
	statemnt=$(awk '$5 == "/var/lib/edge" {print $6}' /proc/"$PID"/mountinfo | cut -d, -f1 | tail -n 1)
	netdevs=$(awk 'NR > 2 {sub(":", "", $1); print $1}' /proc/"$PID"/net/dev | tr '\n' ' ')
	if [ "$nnp" = 1 ] && [ "$capeff" = 0000000000000000 ] && [ "$capbnd" = 0000000000000000 ] && [ "$seccomp" = 2 ] &&
		[ "$rootmnt" = ro ] && [ "$statemnt" = rw ] && [ "$netdevs" = "lo " ]; then
		ok "hardening: NoNewPrivs 1, CapEff and CapBnd 0, seccomp filter, / ro and /var/lib/edge rw in its namespace, network: lo only (groups: $groups)"
	else
		bad "hardening: NoNewPrivs $nnp CapEff $capeff CapBnd $capbnd Seccomp $seccomp / $rootmnt /var/lib/edge $statemnt net: $netdevs"
	fi
	echo "    | systemd-analyze security: $(systemd-analyze security edge.service 2>/dev/null | tail -n 1)"
fi

# --- the image's first boot -------------------------------------------------------
opts() { findmnt -no OPTIONS "$1" | cut -d, -f1; }
# the image's state partition is 64 MiB; on boot.sh's 2 GiB card it grows
# to about 830 MiB
mib=$(df -m --output=size "$S" | tail -n 1 | tr -d ' ')
if [ "$(opts /)" = ro ] && [ "$(opts "$B")" = ro ] && [ "$(opts "$S")" = rw ] && [ "$mib" -gt 512 ]; then
	ok "partitions: / ro, $B ro, $S rw and grown to $mib MiB ($(journalctl -b -u edge-growstate -o cat --no-pager | grep -m1 edge-growstate))"
else
	bad "partitions: / $(opts /), $B $(opts "$B"), $S $(opts "$S") $mib MiB"
	journal -u edge-growstate -u var-lib-edge.mount -u systemd-growfs@var-lib-edge.service
fi
list=$(runuser -u edge -- edge gallery list --state-dir "$S" 2>&1)
if echo "$list" | grep -q s1 && [ ! -e "$B/enrol/s1.pgm" ] && grep -q 'enrolled s1' "$B/enrol/enrolled.txt"; then
	ok "enrol/s1.pgm on the boot partition enrolled and deleted: $(short "$list")"
else
	bad "enrolment from $B/enrol: gallery: $(short "$list"); $(find "$B/enrol" | tr '\n' ' ')"
	journal -u edge-boot
fi
h=$(cut -c1-9 "$S/web-password" 2>/dev/null)
set=$(journalctl -b -u edge-boot -o cat --no-pager | grep -m1 'password set')
# shellcheck disable=SC2016 # the literal prefix of an argon2id hash
if [ ! -e "$B/edge-password.txt" ] && [ -n "$set" ] &&
	[ "$h" = '$argon2id' ] && [ "$(stat -c '%U %a' "$S/web-password")" = "edge 600" ]; then
	ok "edge-password.txt taken in and deleted: $set"
else
	bad "edge-password.txt: still there: $([ -e "$B/edge-password.txt" ] && echo yes || echo no); '$set'; hash prefix '$h'"
	journal -u edge-boot
fi
mid=$(cat /etc/machine-id)
if [ ${#mid} = 32 ] && ! findmnt -n /etc/machine-id >/dev/null && [ -f /etc/edge-image/first-boot ]; then
	ok "first boot: machine id $mid written to the root (edge-boot.service)"
else
	bad "machine id '$mid' $(findmnt -n /etc/machine-id)"
fi
if [ "$(systemctl is-enabled ssh.service)" = disabled ] && ! systemctl -q is-active ssh.service && [ -z "$(ls /etc/ssh/ssh_host_* 2>/dev/null)" ]; then
	ok "ssh off by default: ssh.service disabled and inactive, no host keys in the image"
else
	bad "ssh: $(systemctl is-enabled ssh.service) $(systemctl is-active ssh.service) $(ls /etc/ssh/ssh_host_* 2>/dev/null)"
fi
failed=$(systemctl --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')
if [ -z "$failed" ]; then
	ok "no failed units"
else
	bad "failed units: $failed"
	for u in $failed; do journal -u "$u"; done
fi

# --- watchdog, Restart=on-failure, ExecStopPost ----------------------------------
if [ "$PID" != 0 ]; then
	echo "== WatchdogUSec=$(prop WatchdogUSec) Restart=$(prop Restart) NRestarts=$(prop NRestarts); GPIO17: $(pin17)"
	# debug: systemd then logs ExecStopPost's run and its exit status
	systemd-analyze log-level debug
	n0=$(prop NRestarts)
	t0=$(now)
	c=$(cursor)
	kill -STOP "$PID"
	if wait_ready "$PID" 900; then
		msg=$(journalctl -b -u edge.service -o cat --no-pager | grep -m1 -i 'watchdog timeout')
		if [ -n "$msg" ] && [ "$(prop NRestarts)" -gt "$n0" ] && relayoff_ok "$c"; then
			ok "watchdog: edge frozen (SIGSTOP), systemd: \"$msg\", ExecStopPost: \"$(relayoff_since "$c")\", restarted READY as PID $(prop MainPID) in $(($(now) - t0)) s; GPIO17: $(pin17)"
		else
			bad "watchdog: timeout logged: '$msg', NRestarts $(prop NRestarts), ExecStopPost: '$(relayoff_since "$c")'"
			journal -u edge.service
		fi
	else
		bad "watchdog: edge not READY again after SIGSTOP"
		journal -u edge.service
	fi
	PID=$(prop MainPID)
	n0=$(prop NRestarts)
	t0=$(now)
	c=$(cursor)
	kill -KILL "$PID"
	if wait_ready "$PID" 900 && [ "$(prop NRestarts)" -gt "$n0" ] && relayoff_ok "$c"; then
		ok "Restart=on-failure: SIGKILL, ExecStopPost: \"$(relayoff_since "$c")\", restarted READY as PID $(prop MainPID) in $(($(now) - t0)) s; GPIO17: $(pin17)"
	else
		bad "SIGKILL: $(prop ActiveState)/$(prop SubState) NRestarts $(prop NRestarts) ExecStopPost: '$(relayoff_since "$c")'"
		journal -u edge.service
	fi
	t0=$(now)
	systemctl stop edge.service
	if [ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] && [ "$(stoppost)" = "code=exited ; status=0" ]; then
		ok "systemctl stop: SIGTERM, exit 0, relay-off ran ($(stoppost)) in $(($(now) - t0)) s; GPIO17: $(pin17); $(journalctl -b -u edge.service -o cat --no-pager | grep 'edge stopped' | tail -n 1)"
	else
		bad "systemctl stop: $(prop ActiveState) $(prop Result) ExecStopPost $(stoppost)"
		journal -u edge.service
	fi
	systemd-analyze log-level info
	systemctl start --no-block edge.service
	if wait_ready 0 900; then
		ok "systemctl start: READY again as PID $(prop MainPID)"
	else
		bad "systemctl start: $(prop ActiveState)/$(prop SubState)"
	fi

	# --- the .deb's postinst under systemd: reinstallation restarts edge --------
	PID=$(prop MainPID)
	if [ -f "$B/edge.deb" ] && mount -o remount,rw / 2>/dev/null; then
		out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$B/edge.deb" 2>&1)
		rc=$?
		sync
		mount -o remount,ro / 2>/dev/null || echo "    | / stays writable"
		if [ $rc = 0 ] && wait_ready "$PID" 900 && [ "$(systemctl is-enabled edge.service)" = enabled ]; then
			ok "dpkg -i edge.deb under systemd (root remounted rw): postinst restarted edge, READY as PID $(prop MainPID), still enabled"
		else
			bad "dpkg -i: exit $rc, $(prop ActiveState)/$(prop SubState): $(short "$out")"
		fi
	else
		bad "dpkg -i: no $B/edge.deb, or / cannot be remounted rw"
	fi
fi

echo "== console excerpt: the boot's journal for edge"
journalctl -b -o short-monotonic --no-pager -u edge.service -u edge-boot.service -u edge-growstate.service | head -n 40 | indent
echo "$pass passed, $fail failed"
echo "IMAGE-END $fail"
