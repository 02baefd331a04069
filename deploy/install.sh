#!/bin/sh
# Installs edge on Raspberry Pi OS (64-bit); run as root on the Pi from
# the folder holding edge-linux-arm64, edge.service and edge.toml
# (`make deploy PI=user@host` copies them to /tmp and runs this).
set -eu
cd "$(dirname "$0")"

id edge >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /var/lib/edge --shell /usr/sbin/nologin edge
for g in video gpio; do
	getent group "$g" >/dev/null && usermod -a -G "$g" edge
done

install -m 0755 edge-linux-arm64 /usr/local/bin/edge.new
mv /usr/local/bin/edge.new /usr/local/bin/edge
install -d -m 0755 /etc/edge
# never overwrite a configured door
[ -e /etc/edge/edge.toml ] || install -m 0644 edge.toml /etc/edge/edge.toml
install -m 0644 edge.service /etc/systemd/system/edge.service

systemctl daemon-reload
systemctl enable edge.service
systemctl restart edge.service
systemctl --no-pager --lines=5 status edge.service || true
echo "edge installed: enrol with 'sudo -u edge edge enroll --state-dir /var/lib/edge --name NAME photo.jpg'"
