#!/bin/sh
# /init of the dax-conformance Linux image (copied into the initramfs by scripts/linux-image.sh).
#
# Loads the NVDIMM and virtio-serial modules (the agent loads filesystem modules on first mount),
# makes namespaceN.0 of each NVDIMM an fsdax namespace on its first boot (the mode is kept in the namespace's info block, so it survives
# in the NVDIMM's backing file), then runs the agent on the host channel.  When the agent
# exits (the `close` op), the machine powers off; the host's power failure is a kill of QEMU.
#
# Kernel command line knobs: dax.agent=<char device> (default /dev/vport0p1), dax.nvdimms=<N>
# (default 1), dax.debug=1, dax.virtio_pmem=1 (the N pmem devices are virtio-pmem-pci, not NVDIMMs:
# virtio_pmem is loaded too; each device is a label-less region whose namespace is made fsdax the same way).
export PATH=/sbin:/usr/sbin:/usr/bin:/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /tmp /run /mnt
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

AGENT_DEV=/dev/vport0p1
NVDIMMS=1
DEBUG=0
TRACE=0
VIRTIO_PMEM=0
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    dax.agent=*) AGENT_DEV="${arg#dax.agent=}" ;;
    dax.nvdimms=*) NVDIMMS="${arg#dax.nvdimms=}" ;;
    dax.debug=1) DEBUG=1 ;;
    dax.trace=1) TRACE=1 ;;
    dax.virtio_pmem=1) VIRTIO_PMEM=1 ;;
  esac
done
say() { echo "dax-init: $*"; }
fatal() { say "FATAL: $*"; [ "$DEBUG" = 1 ] && /bin/sh; poweroff -f; }

MODS=$(cat /etc/dax-modules.base)
[ "$VIRTIO_PMEM" = 1 ] && MODS="$MODS $(cat /etc/dax-modules.virtio)"
for m in $MODS; do
  insmod "/lib/modules/$m" 2>/tmp/insmod.err || { grep -q 'File exists' /tmp/insmod.err || say "insmod $m: $(cat /tmp/insmod.err)"; }
done

# the NFIT (or virtio) probe is asynchronous: wait for the namespaces (one label-less region per device)
for n in $(seq 0 $((NVDIMMS - 1))); do
  ns=namespace$n.0
  i=0
  while [ ! -e /sys/bus/nd/devices/$ns ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  [ -e /sys/bus/nd/devices/$ns ] || fatal "no $ns (is QEMU started with nvdimm=on and $NVDIMMS nvdimm devices, or dax.virtio_pmem=1 and $NVDIMMS virtio-pmem-pci devices?)"
  case "$(ndctl list -n $ns 2>/dev/null)" in
    *'"mode":"fsdax"'*) ;;
    *)
      if [ "$VIRTIO_PMEM" = 1 ]; then
        say "first boot of this device: making $ns an fsdax namespace"
        ndctl create-namespace -f -e $ns -m fsdax >/tmp/ndctl.out 2>&1 || { cat /tmp/ndctl.out; fatal "ndctl create-namespace -e $ns failed"; }
      else
        # a fresh NVDIMM's label area holds no index yet: write one, then carve the 1 GiB fsdax namespace
        say "first boot of this NVDIMM: labels on nmem$n, then $ns as a 1 GiB fsdax namespace"
        { ndctl disable-region region$n && ndctl init-labels -f nmem$n && ndctl enable-region region$n; } >/tmp/ndctl.out 2>&1 ||
          { cat /tmp/ndctl.out; fatal "ndctl init-labels nmem$n failed"; }
        i=0
        while [ ! -e /sys/bus/nd/devices/$ns ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
        [ "$DEBUG" = 1 ] && { ndctl list -RDNiu; cat /sys/bus/nd/devices/region$n/align; ls /sys/bus/nd/devices; }
        /sbin/dax-agent --carve $ns $((1024 * 1024 * 1024)) >/tmp/ndctl.out 2>&1 || { cat /tmp/ndctl.out; fatal "carving $ns failed"; }
      fi
      ;;
  esac
done
for n in $(seq 0 $((NVDIMMS - 1))); do
  i=0
  while [ ! -b /dev/pmem$n ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  [ -b /dev/pmem$n ] || fatal "no /dev/pmem$n"
done

# traced: no periodic writeback of dirty metadata buffers; the 2-4x slowdown of the plugin would
# move it between requests at random (the agent also pushes out ext4's and xfs's own timers)
[ "$TRACE" = 1 ] && echo 0 >/proc/sys/vm/dirty_writeback_centisecs

i=0
while [ ! -e "$AGENT_DEV" ] && [ $i -lt 200 ]; do
  # the port's number follows the virtio devices before it (virtio-pmem ones too): find it by its name
  for p in /sys/class/virtio-ports/*; do [ "$(cat "$p/name" 2>/dev/null)" = dax.agent ] && AGENT_DEV=/dev/${p##*/}; done
  [ -e "$AGENT_DEV" ] || sleep 0.05
  i=$((i + 1))
done
say "$(for n in $(seq 0 $((NVDIMMS - 1))); do printf 'pmem%s: %s sectors, ' $n "$(cat /sys/block/pmem$n/size)"; done)agent on $AGENT_DEV at uptime $(cut -d' ' -f1 /proc/uptime) s"
[ "$DEBUG" = 1 ] && ndctl list -N
/sbin/dax-agent "$AGENT_DEV"
rc=$?
say "agent exited with $rc"
[ "$DEBUG" = 1 ] && [ $rc -ne 0 ] && /bin/sh
sync
poweroff -f
