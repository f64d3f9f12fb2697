// One emulated computer: persistent memory behind a CPU cache, NVDIMM namespaces, block devices.
// The kernel layers above (mm, dax, fs) hang off it; a crash state is a new Machine over an image.

import { Faults, VariantName } from './faults';
import { PersistentMemory, PersistenceMode, PmemError } from './pmem/memory';
import { Namespace, NAMESPACE_STRIDE, SECTOR_SIZE } from './nvdimm/namespace';
import { PmemDriver } from './nvdimm/pmem-driver';
import { checkPoisonRange, MediaErrors } from './nvdimm/badblocks';
import { BlockDevice } from './block/block-device';
import { BdevInode } from './block/bdev-inode';
import type { WritebackEnv } from './dax/writeback';

export interface MachineConfig {
  mode?: PersistenceMode;
  tearing?: boolean;
  variant?: VariantName;
  /** collects the variant switches this machine (and its crash states) consult */
  switchesRead?: Set<VariantName>;
}

/** 2^52 bytes of physical address space: room for 4096 namespaces of up to 1 TiB each */
const PHYS_SIZE = 2 ** 52;

export interface WritebackRecord {
  kind: 'writeback-line' | 'fence';
  addr?: number;
  lines?: number;
  insn?: 'clwb' | 'clflushopt' | 'clflush';
}

export class Machine {
  readonly mem: PersistentMemory;
  readonly faults: Faults;
  readonly namespaces = new Map<string, Namespace>();
  readonly bdevs = new Map<string, BlockDevice>();
  /** every line written back and every fence, in order (white-box) */
  readonly writebackLog: WritebackRecord[] = [];

  constructor(
    readonly config: MachineConfig = {},
    mem?: PersistentMemory,
    /** the DIMMs' poisoned sectors: they outlast power loss, so a crash state keeps them */
    readonly media: MediaErrors = new MediaErrors(),
  ) {
    const faults = new Faults(config.variant, config.switchesRead);
    // the persistence model's mistakes are variant switches too, read where the model consults them
    const quirks = {
      get flushIgnored() { return faults.has('flush-ignored'); },
      get noEviction() { return faults.has('no-eviction'); },
      get eadrUnordered() { return faults.has('eadr-unordered'); },
    };
    this.mem = mem ?? new PersistentMemory(PHYS_SIZE, { mode: config.mode, tearing: config.tearing, quirks });
    this.faults = faults;
    this.wbEnv.faults = this.faults;
    this.mem.observer = {
      onFlush: (addr, lines, insn) => this.writebackLog.push({ kind: 'writeback-line', addr, lines, insn }),
      onFence: () => this.writebackLog.push({ kind: 'fence' }),
    };
  }

  /** what the DAX writeback needs from the machine: the variant, and the big hammer's reach */
  readonly wbEnv: WritebackEnv = {
    faults: new Faults(),
    bigHammer: () => {
      // The rejected design of seed 001: write back every line of every namespace, whatever was dirtied.
      for (const ns of this.namespaces.values()) this.mem.flush(ns.base, ns.size, 'clwb');
      this.mem.fence();
    },
  };

  /** register a block device and give it its inode */
  addBdev(b: BlockDevice): BlockDevice {
    b.bd_inode = new BdevInode(b, 0x10000 + this.bdevs.size, this.wbEnv);
    this.bdevs.set(b.name, b);
    return b;
  }

  createNamespace(name: string, size: number): Namespace {
    if (!/^pmem\d+$/.test(name)) throw new PmemError('EINVAL', `namespace name "${name}" is not of the form pmemN`);
    if (this.namespaces.has(name)) throw new PmemError('EEXIST', `namespace ${name} already exists`);
    if (!Number.isSafeInteger(size) || size <= 0 || size % (2 << 20) !== 0 || size > NAMESPACE_STRIDE) {
      throw new PmemError('EINVAL', `namespace size ${size} must be a positive multiple of 2 MiB, at most 1 TiB`);
    }
    const ns = new Namespace(name, this.mem, this.namespaces.size * NAMESPACE_STRIDE, size, this.media);
    this.namespaces.set(name, ns);
    this.addBdev(new BlockDevice(name, new PmemDriver(ns, this.faults), 0, size / SECTOR_SIZE, 0));
    return ns;
  }

  createPartitions(disk: string, parts: Array<{ start: number; size: number }>): string[] {
    const whole = this.bdev(disk);
    if (whole.partno !== 0) throw new PmemError('EINVAL', `/dev/${disk} is a partition; partitions go on a whole disk`);
    if (this.bdevs.has(`${disk}p1`)) throw new PmemError('EEXIST', `/dev/${disk} already has a partition table`);
    const names: string[] = [];
    const sorted = [...parts].sort((a, b) => a.start - b.start);
    sorted.forEach((p, i) => {
      if (p.start % SECTOR_SIZE || p.size % SECTOR_SIZE || p.start < SECTOR_SIZE || p.size <= 0) {
        throw new PmemError('EINVAL', `partition at byte ${p.start} size ${p.size}: start and size must be whole sectors, start at least sector 1`);
      }
      if (p.start + p.size > whole.size) throw new PmemError('ENOSPC', `partition at byte ${p.start} size ${p.size} does not fit on /dev/${disk} (${whole.size} bytes)`);
      if (i > 0 && sorted[i - 1].start + sorted[i - 1].size > p.start) throw new PmemError('EINVAL', `partitions at bytes ${sorted[i - 1].start} and ${p.start} overlap`);
    });
    parts.forEach((p, i) => {
      const name = `${disk}p${i + 1}`;
      this.addBdev(new BlockDevice(name, whole.driver, p.start / SECTOR_SIZE, p.size / SECTOR_SIZE, i + 1));
      names.push(name);
    });
    return names;
  }

  bdev(name: string): BlockDevice {
    const b = this.bdevs.get(name.replace(/^\/dev\//, ''));
    if (!b) {
      const known = [...this.bdevs.keys()].join(', ') || 'none yet';
      throw new PmemError('ENODEV', `no block device "${name}" (known: ${known})`);
    }
    return b;
  }

  /** physical address range of a device byte range, checked against the device */
  physRange(dev: string, offset: number, len: number): number {
    const b = this.bdev(dev);
    b.checkRange(offset, len, 'access');
    return b.driver.ns.base + b.diskOffset(offset);
  }

  /** ACPI error injection under a device's byte range, then the ARS notification that adds it to the badblocks list */
  injectPoison(dev: string, offset: number, length: number): void {
    checkPoisonRange(`/dev/${dev.replace(/^\/dev\//, '')}`, offset, length);
    this.injectPhys(this.physRange(dev, offset, length), length);
  }

  /** poison at a physical address range inside one namespace */
  injectPhys(phys: number, length: number): void {
    const ns = [...this.namespaces.values()].find((n) => phys >= n.base && phys + length <= n.base + n.size);
    if (!ns) throw new PmemError('EINVAL', `physical range ${phys}+${length} is not inside one namespace`);
    this.media.inject(phys, length);
    ns.badblocks_populate();
  }

  /** the same devices over a crash image: what the machine looks like when power comes back */
  reboot(image: PersistentMemory): Machine {
    const m = new Machine(this.config, image, this.media.clone());
    for (const [name, ns] of this.namespaces) {
      const nns = new Namespace(name, image, ns.base, ns.size, m.media);
      m.namespaces.set(name, nns);
    }
    for (const [name, b] of this.bdevs) {
      const ns = m.namespaces.get(b.driver.ns.name)!;
      const driver = b.partno === 0 ? new PmemDriver(ns, m.faults) : m.bdevs.get(b.driver.ns.name)!.driver;
      m.addBdev(new BlockDevice(name, driver, b.startSector, b.nrSectors, b.partno));
    }
    return m;
  }
}
