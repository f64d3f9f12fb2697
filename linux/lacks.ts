// Why the linux target leaves out each capability it does not declare: the hello's `lacks`, which a
// skipped scenario prints. Each sentence says what Linux 6.1 (or QEMU's NVDIMM under it) has or lacks,
// with the kernel commit where the kernel changed since the 2016 threads the features come from.

import type { Capability } from '../targets/contract';

const WHY: Partial<Record<Capability, string>> = {
  'raw-block-dax':
    'Linux 6.1 has no DAX on a pmem block device: mmap and read(2) of /dev/pmemN go through the page cache and the block layer. ' +
    'Block-device DAX came in 4.5 ("block: enable dax for raw block devices", 5a023cdba50c) and was reverted in 4.7 in favour of the ' +
    'device-dax character device /dev/daxN.M (acc93d30d7d4; the last of it, BLK_DEV_DAX, went with 99a01cdf9d57)',
  'block-driver':
    'the scenarios call the pmem driver\'s entry points themselves (rw_bytes, rw_page, a bio with the REQ_ flags they choose); ' +
    'Linux 6.1 gives user space only the block layer, which picks the path and the flags (rw_bytes is the namespace\'s own path for ' +
    'BTT and info blocks, make_request became the submit_bio method in 5.9, c62b37d96b6e), and this image builds no test module that would issue them',
  eadr:
    'this machine runs untraced, and its platform is ADR; eADR is offered by the traced machine, which switches to a second ' +
    'machine whose NFIT puts the CPU caches in the persistence domain (QEMU\'s -machine nvdimm-persistence=cpu: Linux 6.1\'s ' +
    'nvdimm_has_cache() is then false and the pmem driver stops flushing on DAX write-back) and builds the crash states on eADR',
  schedules:
    'a running kernel offers no hook to stop a task at a chosen point (between tagging a page for write-back and writing it back, ' +
    'between a fault and the lock of its mapping entry), so the interleavings these scenarios name cannot be forced on Linux; ' +
    'they need the emulator\'s scheduler',
  'white-box':
    'the scenario inspects the kernel\'s internals (mapping entries, radix-tree tags, the write-back log), which a running Linux does ' +
    'not show user space; the linux target tests the kernel as a black box, through its system calls and its NVDIMM traffic',
  'virtio-pmem':
    'this machine\'s NVDIMMs are ACPI NFIT devices (nfit + nd_pmem), durable on a fence; a virtio-pmem guest (virtio_pmem, durable ' +
    'only through the host flush request) needs a machine with virtio-pmem-pci devices',
  'poison-clear':
    'Linux 6.1 clears poison that a whole-sector write covers through the ACPI Clear Uncorrectable Error DSM, which QEMU\'s NVDIMM does ' +
    'not implement (hw/acpi/nvdimm.c answers only function 0 of the root device), so the clear fails and the write returns EFAULT',
  'machine-check':
    'QEMU\'s NVDIMM media never fails a load, so a load through a mapping made before the error raises no machine check and ' +
    'Linux 6.1\'s memory_failure() never runs; poison reaches the kernel only through the badblocks list',
  'namespace-size':
    'QEMU\'s NVDIMMs here are label-less, so each is one namespace of the whole NVDIMM (1 GiB usable) whose size Linux 6.1 cannot change ' +
    '(the namespace size attribute of a label-less namespace is read-only: writing it answers EACCES); a namespace of the asked size ' +
    'needs a labelled NVDIMM (QEMU label-size=) and ndctl create-namespace -s per scenario. A filesystem made the asked size ' +
    '(mkfs with a block count) is not the same: the disk stays 1 GiB, so a partition ending at the disk\'s end or a resize past it ' +
    'would not be what the scenario says',
  'dax-shared-disk':
    'since 5.19 a pmem disk\'s DAX device has one holder (fs_dax_get_by_bdev() takes the holder for the whole disk, "dax: ' +
    'introduce holder for dax_device", 8012b8660855), so an xfs filesystem whose data section is on pmem0p1 gets DAX and its realtime section on pmem0p2 gets ' +
    'none: Linux 6.1 refuses a realtime file under dax=always with EINVAL (measured on 6.1.192; both sections on separate disks work)',
  'cache-model':
    'this machine runs untraced (bookworm\'s QEMU 7.2, or LINUX_IMAGE_NO_TRACE / DAX_LINUX_TRACE=0): TCG executes clwb, clflushopt and ' +
    'clflush as no-ops and every store reaches the backing file at once, so a power failure only ever leaves the upper bound',
  'pmem-trace':
    'this machine runs untraced (no QEMU 10 and trace plugin in the image, or DAX_LINUX_TRACE=0), so there is no store, write-back ' +
    'and fence stream to build crash states from',
  'fast-reset':
    'a reset boots the kernel (4 to 14 s under TCG) because the machine could not be saved: saving needs QEMU 10 (x-ignore-shared), ' +
    'or DAX_LINUX_FAST_RESET=0 turned it off',
};

/** on the virtio-pmem machine (linux@virtio-pmem) three reasons differ from the NVDIMM machine's */
const VIRTIO_WHY: Partial<Record<Capability, string>> = {
  'map-sync':
    'a virtio-pmem region is asynchronous (durable only through the flush request), so Linux 6.1 refuses MAP_SYNC on it: ext4 and xfs ' +
    'answer EOPNOTSUPP (dax_synchronous() is false)',
  eadr:
    'a virtio-pmem device has no persistence domain of its own: a store reaches only the host\'s page cache until the host fsyncs its ' +
    'backing file, so neither ADR nor eADR applies',
  'fast-reset':
    'QEMU\'s virtio-pmem device saves no migration state (it sets no vmsd), so there is no saved machine to restore: a reset after a ' +
    'power failure boots the kernel (4 to 8 s), which every generated workload (each ends in a power failure) would pay; a reset ' +
    'after a scenario with no power failure wipes the running machine instead (0.3 to 0.6 s)',
};

/** the reasons for the capabilities `declared` leaves out, on the NVDIMM machine or the virtio-pmem one */
export function linuxLacks(declared: readonly string[], machine: 'nvdimm' | 'virtio-pmem'): Partial<Record<Capability, string>> {
  const why = machine === 'virtio-pmem' ? { ...WHY, ...VIRTIO_WHY } : WHY;
  return Object.fromEntries(Object.entries(why).filter(([c]) => !declared.includes(c))) as Partial<Record<Capability, string>>;
}
