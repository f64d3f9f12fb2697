#!/bin/sh
# /init of the dax-conformance Linux image (copied into the initramfs by scripts/linux-image.sh).
#
# Loads the NVDIMM, filesystem and virtio-serial modules, makes namespace0.0 an fsdax
# namespace on first boot (the mode is kept in the namespace's info block, so it survives
# in the NVDIMM's backing file), then runs the agent on the host channel.  When the agent
# exits (the `close` op), the machine powers off; the host's power failure is a kill of QEMU.
#
# Kernel command line knobs: dax.agent=<char device> (default /dev/vport0p1), dax.debug=1.
export PATH=/sbin:/usr/sbin:/usr/bin:/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /tmp /run /mnt
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

AGENT_DEV=/dev/vport0p1
DEBUG=0
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    dax.agent=*) AGENT_DEV="${arg#dax.agent=}" ;;
    dax.debug=1) DEBUG=1 ;;
  esac
done
say() { echo "dax-init: $*"; }
fatal() { say "FATAL: $*"; [ "$DEBUG" = 1 ] && /bin/sh; poweroff -f; }

for m in $(cat /etc/dax-modules.base); do
  insmod "/lib/modules/$m" 2>/tmp/insmod.err || { grep -q 'File exists' /tmp/insmod.err || say "insmod $m: $(cat /tmp/insmod.err)"; }
done

# the NFIT probe is asynchronous: wait for the namespace
i=0
while [ ! -e /sys/bus/nd/devices/namespace0.0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -e /sys/bus/nd/devices/namespace0.0 ] || fatal "no NVDIMM namespace (is QEMU started with nvdimm=on and an nvdimm device?)"

case "$(ndctl list -n namespace0.0 2>/dev/null)" in
  *'"mode":"fsdax"'*) ;;
  *)
    say "first boot: creating the fsdax namespace"
    ndctl create-namespace -f -e namespace0.0 -m fsdax >/tmp/ndctl.out 2>&1 || { cat /tmp/ndctl.out; fatal "ndctl create-namespace failed"; }
    ;;
esac
i=0
while [ ! -b /dev/pmem0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -b /dev/pmem0 ] || fatal "no /dev/pmem0"

i=0
while [ ! -e "$AGENT_DEV" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
say "pmem0: $(cat /sys/block/pmem0/size) sectors, dax=$(cat /sys/block/pmem0/queue/dax 2>/dev/null); agent on $AGENT_DEV at uptime $(cut -d' ' -f1 /proc/uptime) s"
[ "$DEBUG" = 1 ] && ndctl list -N
/sbin/dax-agent "$AGENT_DEV"
rc=$?
say "agent exited with $rc"
[ "$DEBUG" = 1 ] && [ $rc -ne 0 ] && /bin/sh
sync
poweroff -f
