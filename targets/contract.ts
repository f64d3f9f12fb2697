// The Target contract: the one interface the step definitions drive.
// Every argument and result is plain JSON so the process protocol can carry it unchanged:
// a method name is a protocol `op`, its single argument object is `args`.

export type FsType = 'ext2' | 'ext4' | 'xfs';
export const FS_TYPES: readonly FsType[] = ['ext2', 'ext4', 'xfs'];

/** What a target can do beyond the black-box core; `@requires:<capability>` tags name these. */
export type Capability =
  | 'cache-model' // exposes cached/non-temporal stores, clwb/clflush/sfence and enumerates crash states
  | 'white-box' // mapping entries, tags, write-back log, background writeback, schedules
  | 'eadr' // can run the persistence model in eADR mode
  | 'virtio-pmem' // can run as a guest whose pmem is virtio-pmem: a host file, durable only through the flush request
  | 'ext2'
  | 'ext4'
  | 'xfs'
  | 'xfs-realtime'
  | 'raw-block-dax'
  | 'block-driver' // issues rw_bytes / rw_page / make_request bios directly
  | 'map-sync'
  | 'partitions'
  | 'resize'
  | 'freeze'
  | 'schedules' // deterministic interleavings of kernel operations (white-box races)
  | 'fast-reset' // a fresh machine in milliseconds: thousands of generated workloads are affordable
  | 'pmem-trace' // streams its persistent-memory traffic; the suite builds the crash states (protocol section 12)
  | 'reflink' // clone (FICLONE): files share blocks and a write copies a shared block first
  | 'per-file-dax' // dax=inode mounts and setDaxFlag (FS_XFLAG_DAX through FS_IOC_FSSETXATTR)
  | 'poison' // injects uncorrectable media errors (injectPoison) that read(2), faults and writes then meet
  | 'poison-clear' // the platform clears poison that a whole-sector write covers (ACPI's clear-error DSM)
  | 'machine-check' // a load of poisoned media raises a machine check, also through a mapping made before the error
  | 'namespace-size' // a namespace (and a filesystem made on it) is the size the scenario asks for, so filling it is affordable
  | 'dax-shared-disk'; // two DAX users on partitions of one pmem disk: an xfs data section on one, its realtime section on another

export const ALL_CAPABILITIES: readonly Capability[] = [
  'cache-model', 'white-box', 'eadr', 'ext2', 'ext4', 'xfs', 'xfs-realtime', 'raw-block-dax',
  'block-driver', 'map-sync', 'partitions', 'resize', 'freeze', 'schedules', 'fast-reset', 'pmem-trace',
  'per-file-dax', 'poison', 'poison-clear', 'machine-check', 'reflink', 'virtio-pmem', 'namespace-size',
  'dax-shared-disk',
];

export interface Hello {
  name: string;
  version: string;
  capabilities: Capability[];
  /** free text shown in the report's environment, e.g. the variant or the kernel release */
  description?: string;
  /** the kernel release whose promises it keeps (e.g. "6.1.0-28-amd64"); absent: today's kernel, every rule applies */
  kernel?: string;
  /** the platform promise it runs under when nothing configures another (`@profile:` tags); absent: adr */
  profile?: PmemMode;
  /** why it leaves out a capability, a sentence each: a scenario skipped for want of it prints this */
  lacks?: Partial<Record<Capability, string>>;
}

/** Errors cross the contract as an errno name (ENOMEM, EINVAL...) or a signal (SIGBUS, SIGSEGV). */
export type ErrnoName = string;

export class TargetError extends Error {
  constructor(
    readonly errno: ErrnoName,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The implementation could not be driven: died, hung, spoke nonsense. Ends the scenario (exit code 2 class). */
export class ImplementationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImplementationError';
  }
}

/** Bytes travel as lowercase hex so every protocol and report can show them. */
export type Hex = string;

/** persistence profiles: ADR (a fence makes written-back lines durable), eADR (caches too), virtio-pmem (the host's flush request) */
export type PmemMode = 'adr' | 'eadr' | 'virtio-pmem';
export const PMEM_MODES: readonly PmemMode[] = ['adr', 'eadr', 'virtio-pmem'];
export type MapKind = 'pte' | 'pmd';
export type BioFlag = 'REQ_FLUSH' | 'REQ_FUA';
export type DriverPath = 'rw_bytes' | 'rw_page' | 'make_request';

export interface MountOptions {
  fs: FsType;
  dev: string; // e.g. "pmem0" or "pmem0p1"
  dir: string; // mount point, e.g. "/mnt"
  dax: 'always' | 'never' | 'inode';
  rtdev?: string; // xfs realtime device
  ro?: boolean; // MS_RDONLY: nothing on the filesystem may change
  barrier?: boolean; // ext4 barrier=0 when false: no flush request from fsync, sync(2) or the journal commit
}

export interface Stat {
  size: number;
  blocks: number; // 512-byte units, as statx
  isDir: boolean;
  attrDax: boolean; // STATX_ATTR_DAX
}

export interface FsckResult {
  clean: boolean;
  /** messages in the words e2fsck / xfs_repair use */
  messages: string[];
}

/** A predicate checked in crash states after a power failure. Declarative so any target can evaluate it. */
export type CrashCheck =
  | { kind: 'file-holds'; path: string; offset: number; data: Hex }
  | { kind: 'device-holds'; dev: string; offset: number; data: Hex }
  | { kind: 'file-size'; path: string; size: number }
  | { kind: 'exists'; path: string }
  | { kind: 'dir-lists'; path: string; names: string[] }
  /** the extended attribute `name` of `path` has `value`, or (null) is absent */
  | { kind: 'xattr'; path: string; name: string; value: Hex | null }
  | { kind: 'fsck-clean'; dev: string }
  | { kind: 'all'; checks: CrashCheck[] }
  | { kind: 'not'; check: CrashCheck }
  | { kind: 'implies'; if: CrashCheck; then: CrashCheck };

/**
 * How far a crash check looks, set by the scenario (or by a user's rerun, which the harness passes
 * in): travels with the request, so a target in another process sees exactly what the scenario set.
 */
export interface CrashExploration {
  /** states per check before the explorer bounds itself (default 4096); a real system ignores it */
  budget?: number;
  /** check only this crash state id (a rerun of one counterexample) */
  state?: string;
}

/** One cache line of a counterexample, for the report's picture. */
export interface LineReport {
  addr: number; // byte address on the namespace
  dev: string;
  /** `in-host-page-cache`: virtio-pmem, written back and fenced but not yet flushed by the host */
  state: 'durable' | 'written-back-not-fenced' | 'never-written-back' | 'in-host-page-cache';
  expected?: Hex; // the bytes the check wanted in this line (only the compared part)
  found: Hex; // the whole 64-byte line in the counterexample state
  compareOffset?: number; // offset within the line where `expected` starts
}

export interface CrashVerdict {
  ok: boolean;
  /** how the states were covered: per-line proof, all states, a bound, or the one state a real system landed in */
  coverage: 'per-line' | 'exhaustive' | `bounded(${number})` | 'single';
  states: number;
  /** first failing state: a minimal one (fewest lines away from the durable lower bound) */
  counterexample?: {
    stateId: string;
    reason: string;
    lines: LineReport[];
  };
}

export interface MappingEntry {
  index: number; // page index in the file (or device)
  type: 'pte' | 'pmd' | 'page';
  tags: Array<'DIRTY' | 'TOWRITE'>;
}

export interface MappingInfo {
  entries: MappingEntry[];
  nrpages: number;
  nrexceptional: number;
  inodeDirtyPages: boolean; // I_DIRTY_PAGES on the host inode
}

export type WritebackEvent =
  | { kind: 'writeback-line'; dev: string; addr: number; lines: number; insn: 'clwb' | 'clflushopt' | 'clflush' } // `lines` consecutive 64-byte lines from addr
  | { kind: 'fence' }
  | { kind: 'writeback-page'; dev: string; sector: number }; // page-cache page written through the driver

export interface ScheduledTask {
  task: string;
  /** where it stopped, or 'done' */
  at: string;
}

/** The contract. Methods with `?` are optional capabilities; the steps check capabilities first. */
export interface Target {
  hello(): Promise<Hello>;
  /** a fresh machine for one scenario; no state carries over */
  reset(args: { seed: number }): Promise<void>;
  close(): Promise<void>;

  // --- platform and devices ---
  configure?(args: { pmemMode?: PmemMode; tearing?: boolean }): Promise<void>;
  createNamespace(args: { name: string; size: number }): Promise<void>;
  createPartitions?(args: { disk: string; partitions: Array<{ start: number; size: number }> }): Promise<string[]>;
  resizeDevice?(args: { dev: string; size: number }): Promise<void>;
  /** the pmem driver paths (PM-3, PM-4) */
  bio?(args: { dev: string; path: DriverPath; offset: number; data: Hex; flags: BioFlag[] }): Promise<void>;
  /** REQ_FLUSH with no data */
  flushDevice?(args: { dev: string }): Promise<void>;
  /** CPU-level access to a device's memory (cache-model) */
  cpuStore?(args: { dev: string; offset: number; data: Hex; nt: boolean }): Promise<void>;
  cpuFlush?(args: { dev: string; offset: number; length: number; insn: 'clwb' | 'clflushopt' | 'clflush' }): Promise<void>;
  cpuFence?(): Promise<void>;
  /** an uncorrectable media error under whole 512-byte sectors of a device, or of the blocks holding a file's range; it outlasts power loss */
  injectPoison?(args: { path: string; offset: number; length: number }): Promise<void>;
  readDevice(args: { dev: string; offset: number; length: number }): Promise<Hex>;
  writeDevice(args: { dev: string; offset: number; data: Hex }): Promise<void>;

  // --- filesystems ---
  mkfs(args: { fs: FsType; dev: string; rtdev?: string }): Promise<void>;
  mount(args: MountOptions): Promise<void>;
  umount(args: { dir: string }): Promise<void>;
  freeze?(args: { dir: string }): Promise<void>;
  thaw?(args: { dir: string }): Promise<void>;
  /** `rtdev`: the realtime device of an xfs filesystem on `dev` (xfs_repair -r) */
  fsck(args: { dev: string; rtdev?: string }): Promise<FsckResult>;

  create(args: { path: string; realtime?: boolean }): Promise<void>;
  mkdir(args: { path: string }): Promise<void>;
  rename(args: { from: string; to: string }): Promise<void>;
  unlink(args: { path: string }): Promise<void>;
  readdir(args: { path: string }): Promise<string[]>;
  setxattr?(args: { path: string; name: string; value: Hex }): Promise<void>;
  /** the attribute's value; ENODATA when the file has no attribute of that name */
  getxattr?(args: { path: string; name: string }): Promise<Hex>;
  /** FS_IOC_FSSETXATTR setting (`on`) or clearing FS_XFLAG_DAX of a file or directory; under dax=inode the mode follows when the inode is next loaded */
  setDaxFlag?(args: { path: string; on: boolean }): Promise<void>;
  /** FICLONE: the existing file `to` becomes a copy of `from` sharing its blocks (reflink) */
  clone?(args: { from: string; to: string }): Promise<void>;
  write(args: { path: string; offset: number; data: Hex }): Promise<void>;
  read(args: { path: string; offset: number; length: number }): Promise<Hex>;
  truncate(args: { path: string; size: number }): Promise<void>;
  fallocate(args: { path: string; offset: number; length: number; mode: 'allocate' | 'punch-hole' }): Promise<void>;
  fsync(args: { path: string; datasync?: boolean }): Promise<void>;
  sync(): Promise<void>;
  statx(args: { path: string }): Promise<Stat>;

  // --- mappings (files or block devices: path "/dev/pmem0") ---
  mmap(args: { path: string; offset: number; length: number; shared: boolean; sync?: boolean; size?: MapKind }): Promise<{ map: number }>;
  /** `persist`: the application also writes the bytes back itself (clwb + sfence, as libpmem's pmem_persist) */
  store(args: { map: number; offset: number; data: Hex; persist?: boolean }): Promise<void>;
  load(args: { map: number; offset: number; length: number }): Promise<Hex>;
  msync(args: { map: number; offset: number; length: number; sync: boolean }): Promise<void>;
  munmap(args: { map: number }): Promise<void>;

  // --- power ---
  /** power is cut now; afterwards only crash checks and remount are meaningful */
  powerFail(): Promise<void>;
  /** evaluate a predicate in every crash state (or the one state a real system is in) after remounting */
  checkCrash(args: { check: CrashCheck; mounts: MountOptions[] } & CrashExploration): Promise<CrashVerdict>;
  /** bring the machine back in one crash state (the lower bound, or `state`) and remount */
  remount(args: { mounts: MountOptions[]; state?: string }): Promise<{ stateId: string }>;

  // --- white-box ---
  mappingInfo?(args: { path: string }): Promise<MappingInfo>;
  writebackLog?(args: { since?: number }): Promise<{ events: WritebackEvent[]; next: number }>;
  backgroundWriteback?(): Promise<void>;
  /** start an operation that stops at a named point; schedules make races deterministic */
  begin?(args: { op: 'fsync' | 'msync' | 'store' | 'fallocate'; args: Record<string, unknown>; stopAt: string }): Promise<ScheduledTask>;
  resume?(args: { task: string; stopAt?: string }): Promise<ScheduledTask>;
  /** the variant switches the implementation consulted since it started, across resets (the matrix runs a variant only where its switch was read) */
  switchesRead?(): Promise<{ switches: string[] }>;
}

export type TargetOp = Exclude<keyof Target, 'hello' | 'close'>;

/** the capability each optional op belongs to: refusing it is fine only when it is not declared */
export const OP_CAPABILITY: Partial<Record<TargetOp, Capability>> = {
  createPartitions: 'partitions',
  resizeDevice: 'resize',
  bio: 'block-driver',
  flushDevice: 'block-driver',
  cpuStore: 'cache-model',
  cpuFlush: 'cache-model',
  cpuFence: 'cache-model',
  freeze: 'freeze',
  thaw: 'freeze',
  mappingInfo: 'white-box',
  writebackLog: 'white-box',
  backgroundWriteback: 'white-box',
  begin: 'schedules',
  resume: 'schedules',
  injectPoison: 'poison',
  setDaxFlag: 'per-file-dax',
  clone: 'reflink',
};
