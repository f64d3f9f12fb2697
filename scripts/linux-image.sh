#!/usr/bin/env bash
# Assemble the Linux target's boot image from Debian packages only (npm run linux:image).
#
#   .cache/linux/vmlinuz              the Debian kernel (linux-image-amd64's linux-image-6.1.* dependency)
#   .cache/linux/initramfs.cpio.gz    busybox, modules, mkfs/fsck tools, ndctl, /init, the agent
#   .cache/linux/image.json           what was built, read by linux/qemu.ts
#
# Idempotent: downloads, the unpacked kernel, the agent and the initramfs are reused while their
# inputs are unchanged.  LINUX_IMAGE_REFRESH=1 downloads the kernel packages again.
# DAX_LINUX_CACHE overrides the cache folder.
set -euo pipefail
export LC_ALL=C
start_ns=$(date +%s%N)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DAX_LINUX_CACHE:-$ROOT/.cache/linux}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
log() { echo "linux-image: $*"; }
did=()

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------- 1. host packages
PKGS=(qemu-system-x86 busybox-static e2fsprogs xfsprogs ndctl kmod cpio xz-utils gcc libc6-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! sudo_ apt-get install -y --no-install-recommends "${missing[@]}" >"$CACHE/apt.log" 2>&1; then
    sudo_ apt-get update >>"$CACHE/apt.log" 2>&1
    sudo_ apt-get install -y --no-install-recommends "${missing[@]}" >>"$CACHE/apt.log" 2>&1 ||
      { tail -20 "$CACHE/apt.log"; log "apt-get install failed"; exit 1; }
  fi
  did+=("installed ${missing[*]}")
fi

# ---------------------------------------------------------------- 2. kernel packages (downloaded, not installed)
DEBS=$CACHE/debs
mkdir -p "$DEBS"
if [ "${LINUX_IMAGE_REFRESH:-0}" = 1 ]; then rm -f "$DEBS"/*.deb; fi
meta=$(ls "$DEBS"/linux-image-amd64_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$meta" ]; then
  (cd "$DEBS" && apt-get -q -o APT::Sandbox::User=root download linux-image-amd64 >/dev/null) ||
    { log "apt-get download linux-image-amd64 failed (run apt-get update?)"; exit 1; }
  meta=$(ls "$DEBS"/linux-image-amd64_*.deb | tail -1)
  did+=("downloaded $(basename "$meta")")
fi
kpkg=$(dpkg-deb -f "$meta" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep -E '^linux-image-6\.1\.' | head -1)
[ -n "$kpkg" ] || { log "cannot find the linux-image-6.1.* dependency of $(basename "$meta")"; exit 1; }
kdeb=$(ls "$DEBS/${kpkg}"_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$kdeb" ]; then
  (cd "$DEBS" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" >/dev/null) ||
    { log "apt-get download $kpkg failed"; exit 1; }
  kdeb=$(ls "$DEBS/${kpkg}"_*.deb | tail -1)
  did+=("downloaded $(basename "$kdeb")")
fi
KDIR=$CACHE/kernel/$(basename "$kdeb" .deb)
if [ ! -f "$KDIR/.done" ]; then
  rm -rf "$KDIR"
  mkdir -p "$KDIR"
  dpkg-deb -x "$kdeb" "$KDIR"
  krel=$(ls "$KDIR/lib/modules" | head -1)
  depmod -b "$KDIR" "$krel" # modules.dep is made at install time, so make it here
  touch "$KDIR/.done"
  did+=("unpacked $(basename "$kdeb")")
fi
KREL=$(ls "$KDIR/lib/modules" | head -1)
MODDIR=$KDIR/lib/modules/$KREL
cmp -s "$KDIR/boot/vmlinuz-$KREL" "$CACHE/vmlinuz" 2>/dev/null || {
  cp "$KDIR/boot/vmlinuz-$KREL" "$CACHE/vmlinuz"
  rm -f "$CACHE/vmlinux"
  did+=("copied vmlinuz-$KREL")
}
# The uncompressed kernel (an ELF with a PVH entry point): QEMU boots it directly, which skips the
# BIOS real-mode setup and the xz decompression, seconds under TCG.  Cut from the bzImage's payload.
if [ ! -s "$CACHE/vmlinux" ]; then
  xzoff=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$CACHE/vmlinuz" | head -1 | cut -d: -f1 || true)
  if [ -n "$xzoff" ] && xz -dc --single-stream < <(tail -c +$((xzoff + 1)) "$CACHE/vmlinuz") >"$CACHE/vmlinux.tmp" 2>/dev/null &&
    [ "$(head -c 4 "$CACHE/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
    mv "$CACHE/vmlinux.tmp" "$CACHE/vmlinux"
    did+=("extracted vmlinux (PVH boot) from vmlinuz")
  else
    rm -f "$CACHE/vmlinux.tmp"
    log "could not extract vmlinux from vmlinuz; QEMU will boot the bzImage"
  fi
fi

# ---------------------------------------------------------------- 3. the agent (static)
BUILD=$CACHE/build
mkdir -p "$BUILD"
agent_src=$ROOT/linux/agent/agent.c
agent_key=$( (sha256sum "$agent_src"; gcc --version | head -1) | sha256sum | cut -c1-16)
if [ ! -x "$BUILD/dax-agent" ] || [ "$(cat "$BUILD/dax-agent.key" 2>/dev/null)" != "$agent_key" ]; then
  gcc -static -O2 -Wall -Wextra -o "$BUILD/dax-agent.tmp" "$agent_src"
  mv "$BUILD/dax-agent.tmp" "$BUILD/dax-agent"
  echo "$agent_key" >"$BUILD/dax-agent.key"
  did+=("built the agent (gcc -static)")
fi

# ---------------------------------------------------------------- 3b. the traced machine: QEMU 10 and the plugin
# The traced target (linux/README.md, "The capture") needs QEMU's plugin API of 10.0
# (qemu_plugin_mem_get_value, qemu_plugin_read_register); bookworm's 7.2 lacks both.  bookworm-
# backports has 10.0.2: downloaded with a private apt list (nothing system-wide changes) and
# unpacked, not installed; it runs with 7.2's firmware (-L /usr/share/qemu).
# LINUX_IMAGE_NO_TRACE=1 skips this step (the untraced `linux` target needs none of it).
TRACE_QEMU=""
TRACE_PLUGIN=""
TRACE_QEMU_VERSION=""
if [ "${LINUX_IMAGE_NO_TRACE:-0}" != 1 ]; then
  BP=$CACHE/backports
  mkdir -p "$BP/lists/partial" "$BP/debs"
  echo "deb http://deb.debian.org/debian bookworm-backports main" >"$BP/sources.list"
  APTO=(-o "Dir::Etc::SourceList=$BP/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$BP/lists" -o APT::Sandbox::User=root)
  qdeb=$(ls "$BP/debs"/qemu-system-x86_1%3a10.*.deb 2>/dev/null | tail -1 || true)
  if [ -z "$qdeb" ]; then
    apt-get -q "${APTO[@]}" update >"$BP/apt.log" 2>&1 || { tail -5 "$BP/apt.log"; log "apt-get update of bookworm-backports failed"; exit 1; }
    qver=$(apt-cache "${APTO[@]}" madison qemu-system-x86 | awk -F'|' '$2 ~ /10\./ { gsub(/ /, "", $2); print $2; exit }')
    [ -n "$qver" ] || { log "bookworm-backports has no qemu-system-x86 10.x"; exit 1; }
    (cd "$BP/debs" && apt-get -q "${APTO[@]}" download "qemu-system-x86=$qver" >>"$BP/apt.log" 2>&1) ||
      { tail -5 "$BP/apt.log"; log "apt-get download qemu-system-x86=$qver failed"; exit 1; }
    qdeb=$(ls "$BP/debs"/qemu-system-x86_1%3a10.*.deb | tail -1)
    did+=("downloaded $(basename "$qdeb") (bookworm-backports)")
  fi
  QDIR=$CACHE/qemu10/$(basename "$qdeb" .deb)
  if [ ! -f "$QDIR/.done" ]; then
    rm -rf "$QDIR"
    mkdir -p "$QDIR"
    dpkg-deb -x "$qdeb" "$QDIR"
    touch "$QDIR/.done"
    did+=("unpacked $(basename "$qdeb")")
  fi
  TRACE_QEMU=$QDIR/usr/bin/qemu-system-x86_64
  TRACE_QEMU_VERSION=$("$TRACE_QEMU" --version | head -1) ||
    { log "$TRACE_QEMU does not run (missing libraries?): $(ldd "$TRACE_QEMU" | grep 'not found' | tr '\n' ' ')"; exit 1; }
  plugin_src=$ROOT/linux/plugin/pmem-trace.c
  plugin_key=$( (sha256sum "$plugin_src"; gcc --version | head -1; echo "$TRACE_QEMU_VERSION") | sha256sum | cut -c1-16)
  TRACE_PLUGIN=$BUILD/pmem-trace.so
  if [ ! -f "$TRACE_PLUGIN" ] || [ "$(cat "$BUILD/pmem-trace.key" 2>/dev/null)" != "$plugin_key" ]; then
    gcc -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden -o "$BUILD/pmem-trace.so.tmp" "$plugin_src"
    mv "$BUILD/pmem-trace.so.tmp" "$TRACE_PLUGIN"
    echo "$plugin_key" >"$BUILD/pmem-trace.key"
    did+=("built the trace plugin (pmem-trace.so)")
  fi
fi

# ---------------------------------------------------------------- 4. initramfs
# modules in insmod order: each one after what modules.dep says it needs.  /init loads the
# base group; the agent loads a filesystem's group on its first mount (xfs.ko alone takes seconds
# to load under TCG).  crc32c_generic comes first in both filesystem groups: ext4's metadata_csum
# and libcrc32c ask the crypto API for "crc32c", which modules.dep does not say.
declare -A GROUPS_=(
  [base]="libnvdimm nfit nd_btt nd_pmem dax_pmem device_dax virtio_pci virtio_console"
  [ext4]="crc32c_generic crc16 mbcache jbd2 ext4"
  [xfs]="crc32c_generic libcrc32c xfs"
  [virtio]="virtio_pmem"
)
declare -A seen=()
ORDER=()
add_mod() { # $1: path relative to MODDIR
  local rel=$1 deps d
  [ -n "${seen[$rel]:-}" ] && return 0
  seen[$rel]=1
  deps=$(awk -F': *' -v m="$rel" '$1 == m { print $2 }' "$MODDIR/modules.dep")
  for d in $deps; do add_mod "$d"; done
  ORDER+=("$rel")
}
declare -A GROUP_ORDER=()
ALL_MODS=()
for g in base ext4 xfs virtio; do
  seen=()
  ORDER=()
  for m in ${GROUPS_[$g]}; do
    rel=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); if (n == m) { print $1; exit } }' "$MODDIR/modules.dep")
    [ -n "$rel" ] || { log "module $m not found in $KREL"; exit 1; }
    add_mod "$rel"
  done
  GROUP_ORDER[$g]="${ORDER[*]}"
  ALL_MODS+=("${ORDER[@]}")
done

TOOLS=(mke2fs e2fsck mkfs.xfs xfs_repair ndctl)
tool_paths=()
for t in "${TOOLS[@]}"; do
  p=$(PATH=/usr/sbin:/sbin:/usr/bin:/bin command -v "$t") || { log "$t not found"; exit 1; }
  tool_paths+=("$(readlink -f "$p")")
done
BUSYBOX=$(readlink -f /bin/busybox)
tool_versions=$(dpkg-query -W -f='${Package}=${Version}\n' busybox-static e2fsprogs xfsprogs ndctl)
image_key=$( (
  echo "$KREL ${GROUP_ORDER[*]}"
  echo "$tool_versions"
  sha256sum "$ROOT/linux/init.sh" "${BASH_SOURCE[0]}" "$BUILD/dax-agent" "$BUSYBOX" "${tool_paths[@]}"
) | sha256sum | cut -c1-16)

if [ -f "$CACHE/initramfs.cpio.gz" ] && [ "$(cat "$CACHE/initramfs.key" 2>/dev/null)" = "$image_key" ]; then
  :
else
  R=$BUILD/root
  rm -rf "$R"
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,mnt,lib/modules,lib64}
  mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true
  mknod -m 666 "$R/dev/null" c 1 3 2>/dev/null || true
  install -m 755 "$ROOT/linux/init.sh" "$R/init"
  install -m 755 "$BUILD/dax-agent" "$R/sbin/dax-agent"
  # busybox and its applets (the real e2fsprogs/xfsprogs in /sbin come first in PATH)
  cp "$BUSYBOX" "$R/bin/busybox"
  for a in $("$BUSYBOX" --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
  # tools and their shared libraries
  for p in "${tool_paths[@]}"; do cp "$p" "$R/sbin/"; done
  ln -sf mke2fs "$R/sbin/mkfs.ext2"
  ln -sf mke2fs "$R/sbin/mkfs.ext4"
  ln -sf e2fsck "$R/sbin/fsck.ext4"
  for lib in $(ldd "${tool_paths[@]}" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
    mkdir -p "$R$(dirname "$lib")"
    cp -L "$lib" "$R$lib"
  done
  [ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$R/etc/"
  ln -s /proc/self/mounts "$R/etc/mtab"
  echo "root:x:0:0:root:/:/bin/sh" >"$R/etc/passwd"
  # modules, flat, with one insmod-order list per group
  for rel in "${ALL_MODS[@]}"; do cp -n "$MODDIR/$rel" "$R/lib/modules/"; done
  for g in base ext4 xfs virtio; do
    for rel in ${GROUP_ORDER[$g]}; do basename "$rel"; done >"$R/etc/dax-modules.$g"
  done
  (cd "$R" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -6 >"$CACHE/initramfs.cpio.gz.tmp"
  mv "$CACHE/initramfs.cpio.gz.tmp" "$CACHE/initramfs.cpio.gz"
  echo "$image_key" >"$CACHE/initramfs.key"
  did+=("built initramfs.cpio.gz ($(du -h "$CACHE/initramfs.cpio.gz" | cut -f1); modules at boot: $(for r in ${GROUP_ORDER[base]}; do basename "$r" .ko; done | tr '\n' ' '); on the first ext2/ext4 mount: $(for r in ${GROUP_ORDER[ext4]}; do basename "$r" .ko; done | tr '\n' ' '); on the first xfs mount: $(for r in ${GROUP_ORDER[xfs]}; do basename "$r" .ko; done | tr '\n' ' '))")
fi

QEMU=$(command -v qemu-system-x86_64)
cat >"$CACHE/image.json.tmp" <<EOF
{
  "kernelRelease": "$KREL",
  "kernelPackage": "$(basename "$kdeb" .deb)",
  "vmlinuz": "$CACHE/vmlinuz",
  "vmlinux": "$([ -s "$CACHE/vmlinux" ] && echo "$CACHE/vmlinux")",
  "initramfs": "$CACHE/initramfs.cpio.gz",
  "agent": "$BUILD/dax-agent",
  "qemu": "$QEMU",
  "qemuVersion": "$("$QEMU" --version | head -1)",
  "imageKey": "$image_key",
  "traceQemu": "$TRACE_QEMU",
  "traceQemuVersion": "$TRACE_QEMU_VERSION",
  "tracePlugin": "$TRACE_PLUGIN"
}
EOF
mv "$CACHE/image.json.tmp" "$CACHE/image.json"

end_ns=$(date +%s%N)
if [ ${#did[@]} -eq 0 ]; then log "up to date (kernel $KREL), nothing to do"; fi
for d in "${did[@]}"; do log "$d"; done
log "image in $CACHE: vmlinuz ($KREL), initramfs.cpio.gz, image.json"
log "wall time $(((end_ns - start_ns) / 1000000)) ms"
