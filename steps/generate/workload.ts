// A generated workload: the machine it starts from and the operations it runs, as plain data the
// property-based generator draws, the promise model replays and the runner drives through the Target.

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const PAGE = 4096;
export const LINE = 64;
export const PMD = 2 * MiB;
/** entries one writeback batch takes (PAGEVEC_SIZE): more dirty pages than this cross a batch */
export const PAGEVEC_SIZE = 14;

/** what the workload runs on: a DAX filesystem, a whole raw namespace, or a partition of one */
export type TargetKind = 'ext2' | 'ext4' | 'xfs' | 'raw' | 'partition';
export const TARGET_KINDS: readonly TargetKind[] = ['ext2', 'ext4', 'xfs', 'raw', 'partition'];

/** the part of the operation space a scenario draws from, so scenarios stay small and shard well */
export type Slice = 'mapped' | 'written' | 'mixed';
export const SLICES: readonly Slice[] = ['mapped', 'written', 'mixed'];

export type MapMode = 'shared' | 'sync' | 'private';
export type FlushInsn = 'clwb' | 'clflushopt' | 'clflush';

export interface Setup {
  kind: TargetKind;
  /** the namespace's size in bytes */
  nsSize: number;
  /** partition start sector on the namespace (kind 'partition') */
  startSector: number;
  /** partition (or raw device) size in bytes */
  devSize: number;
  /** the free space held a pattern from earlier use before mkfs: a new block showing it is stale data */
  stale: boolean;
  /** initial sizes of /A and /B (filesystems), written with zeros and synced */
  sizeA: number;
  sizeB: number;
  /** /A was made by truncate alone: every page a hole until written */
  sparseA: boolean;
}

/** a file of a filesystem, or the device itself on raw kinds */
export type FileName = 'A' | 'B' | 'dev';

export type Op =
  /** `atEnd`: an append, at the file's size at that point moved by that many bytes (`off` is then ignored) */
  | { op: 'write'; file: FileName; off: number; len: number; atEnd?: number }
  | { op: 'map'; file: FileName; mode: MapMode; pmd: boolean }
  | { op: 'store'; file: FileName; off: number; len: number; persist: boolean }
  /** one small store at the start of each of `count` pages, `stride` pages apart: many dirty entries cheaply */
  | { op: 'scatter'; file: FileName; page: number; count: number; stride: number; len: number }
  | { op: 'truncate'; file: FileName; size: number }
  | { op: 'punch'; file: FileName; off: number; len: number }
  | { op: 'fallocate'; file: FileName; off: number; len: number }
  | { op: 'fsync'; file: FileName; datasync: boolean }
  /** `around`: msync what the last store to the file covered, from its page to its end moved by that many
   *  bytes; `into`: to one byte into the store's last page instead (a range ending just past a page boundary) */
  | { op: 'msync'; file: FileName; off: number; len: number; around?: number; into?: boolean }
  | { op: 'sync' }
  /** unmount and mount again (the model fills `unmap`: the files whose mapping goes first); the log is written home */
  | { op: 'remount'; unmap?: FileName[] }
  /** the CPU stores to the raw device, writes back a range with one instruction kind, maybe fences */
  | { op: 'cpu'; off: number; len: number; flushOff: number; flushLen: number; insn: FlushInsn; fence: boolean };

export interface Workload {
  setup: Setup;
  ops: Op[];
}

export function isFs(kind: TargetKind): kind is 'ext2' | 'ext4' | 'xfs' {
  return kind === 'ext2' || kind === 'ext4' || kind === 'xfs';
}

/** the device name the workload's namespace or partition has */
export function devName(s: Setup): string {
  return s.kind === 'partition' ? 'pmem0p1' : 'pmem0';
}

/** the path a file name has on the target: /mnt/A, or /dev/pmem0 for the raw device */
export function pathOf(s: Setup, f: FileName, mnt = '/mnt'): string {
  return f === 'dev' ? `/dev/${devName(s)}` : `${mnt}/${f}`;
}

/** one printable character per operation: its data is that character repeated */
const TAGS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export function tagOf(i: number): string {
  return TAGS[i % TAGS.length];
}

/** the length a mapping of a file gets: the file's size (at least a page); a device's first 4 MiB */
export function mapLength(fileSize: number, isDevice: boolean): number {
  return isDevice ? 4 * MiB : Math.max(fileSize, PAGE);
}
