// fast-check arbitraries for generated workloads. Offsets and lengths are drawn near every boundary a
// DAX bug hides at: inside a 64-byte line, at a line, a 4 KiB page, one writeback batch (PAGEVEC_SIZE
// pages), a 2 MiB PMD, the file's or the device's end; plus plain random values. Shrinking moves them
// toward small, round numbers, so a failing case prints as the smallest scenario.

import fc from 'fast-check';
import { MAX_FILE } from './promises';
import { FileName, FlushInsn, LINE, MapMode, MiB, Op, PAGE, PAGEVEC_SIZE, PMD, Setup, Slice, TargetKind, Workload } from './workload';

const DELTAS = [0, 1, -1, 63, -63, 64, -64, 65, 4095, -4095];

/** an offset at k units of line/page/batch/PMD, nudged across it, or anywhere below `max` */
export function offsetArb(max: number): fc.Arbitrary<number> {
  const near = fc
    .tuple(fc.constantFrom(PAGE, LINE, PMD, PAGEVEC_SIZE * PAGE), fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1100 })), fc.constantFrom(...DELTAS))
    .map(([u, k, d]) => Math.min(Math.max(0, u * k + d), max - 1));
  return fc.oneof({ weight: 4, arbitrary: near }, { weight: 1, arbitrary: fc.integer({ min: 0, max: max - 1 }) });
}

/** a length: sub-line, about a line, about a page, a batch or more, about a PMD */
export const lengthArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 63 }) },
  { weight: 3, arbitrary: fc.constantFrom(64, 65, 127, 128, 4095, 4096, 4097, 8191, 8192, 8193) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(LINE, PAGE), fc.integer({ min: 1, max: 20 }), fc.integer({ min: -2, max: 2 })).map(([u, k, d]) => Math.max(1, u * k + d)) },
  { weight: 1, arbitrary: fc.constantFrom((PAGEVEC_SIZE + 1) * PAGE, PAGEVEC_SIZE * PAGE + 1, (PAGEVEC_SIZE + 2) * PAGE - 1) },
  { weight: 1, arbitrary: fc.constantFrom(PMD - 1, PMD, PMD + 1, PMD + PAGE - 7) },
);

const END_DELTAS = [0, 1, -1, 1, 63, 65, -63];

/** a byte range whose start and end each sit at (or one off) a line, page, batch or PMD boundary, or anywhere */
export function rangeArb(max: number): fc.Arbitrary<{ off: number; len: number }> {
  const aligned = fc
    .tuple(offsetArb(max), fc.constantFrom(LINE, PAGE, PAGE, PMD, PAGEVEC_SIZE * PAGE), fc.integer({ min: 0, max: 16 }), fc.constantFrom(...END_DELTAS))
    .map(([off, unit, k, d]) => {
      const end = Math.min(max, Math.max(off + 1, (Math.floor(off / unit) + 1 + k) * unit + d));
      return { off, len: end - off };
    });
  const free = fc.tuple(offsetArb(max), lengthArb).map(([off, len]) => ({ off, len }));
  return fc.oneof(aligned, free);
}

const SIZES = [100, PAGE, 5000, PAGEVEC_SIZE * PAGE + 1, (PAGEVEC_SIZE + 3) * PAGE, PMD - PAGE, PMD + 100, 2 * PMD, 3 * MiB + 77];

export function setupArb(kind: TargetKind): fc.Arbitrary<Setup> {
  if (kind === 'raw') return fc.constant({ kind, nsSize: 4 * MiB, startSector: 0, devSize: 4 * MiB, stale: false, sizeA: 0, sizeB: 0, sparseA: false });
  if (kind === 'partition') {
    // odd start sectors, sectors one off a page, and anywhere in the first 4 MiB
    const sector = fc.oneof(fc.constantFrom(1, 7, 8, 9, 63, 127, 2049, 4095, 4097), fc.integer({ min: 1, max: 8191 }));
    return sector.map((startSector) => ({ kind, nsSize: 8 * MiB, startSector, devSize: 4 * MiB, stale: false, sizeA: 0, sizeB: 0, sparseA: false }));
  }
  // a file past 64 KiB starts sparse: writing megabytes of zeros first would cost more than the workload
  return fc
    .record({ stale: fc.boolean(), sizeA: fc.constantFrom(...SIZES), sizeB: fc.constantFrom(0, PAGE, 5000), sparseA: fc.boolean() })
    .map((r) => ({ kind, nsSize: 8 * MiB, startSector: 0, devSize: 8 * MiB, ...r, sparseA: r.sparseA || r.sizeA > 64 * 1024 }));
}

/** what the target can do beyond the core: MAP_SYNC mappings, CPU stores and write-back instructions */
export interface GenCaps {
  mapSync: boolean;
  cacheModel: boolean;
}

function opArbs(kind: TargetKind, slice: Slice, caps: GenCaps): Array<{ weight: number; arbitrary: fc.Arbitrary<Op> }> {
  const device = kind === 'raw' || kind === 'partition';
  const file: fc.Arbitrary<FileName> = device ? fc.constant('dev') : fc.constantFrom<FileName>('A', 'A', 'B');
  const off = offsetArb(device ? 4 * MiB : MAX_FILE);
  const range = rangeArb(device ? 4 * MiB : MAX_FILE);
  const mode: fc.Arbitrary<MapMode> = device || !caps.mapSync ? fc.constantFrom<MapMode>('shared', 'shared', 'private') : fc.constantFrom<MapMode>('shared', 'shared', 'sync', 'private');
  const insn: fc.Arbitrary<FlushInsn> = fc.constantFrom<FlushInsn>('clwb', 'clflushopt', 'clflush');
  const mapped = slice !== 'written';
  const written = slice !== 'mapped';
  const w = (on: boolean, n: number) => (on ? n : 0);
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<Op> }> = [
    { weight: w(written, 4) + 1, arbitrary: fc.tuple(file, range).map(([f, r]) => ({ op: 'write' as const, file: f, ...r })) },
    // appends: size-only metadata changes inside the last block, and ones that end at or cross a block end
    {
      weight: device ? 0 : w(written, 2) + 1,
      arbitrary: fc
        .tuple(file, fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(PAGE - 1, PAGE, PAGE + 1)), fc.constantFrom(0, 0, 0, 1, -1, 63))
        .map(([f, len, atEnd]) => ({ op: 'write' as const, file: f, off: 0, len, atEnd })),
    },
    { weight: w(mapped, 2), arbitrary: fc.record({ op: fc.constant('map' as const), file, mode, pmd: fc.boolean() }) },
    { weight: w(mapped, 6), arbitrary: fc.tuple(file, range, fc.boolean()).map(([f, r, persist]) => ({ op: 'store' as const, file: f, ...r, persist })) },
    {
      weight: w(mapped, 2),
      arbitrary: fc.record({
        op: fc.constant('scatter' as const),
        file,
        page: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
        count: fc.integer({ min: PAGEVEC_SIZE - 2, max: 2 * PAGEVEC_SIZE + 2 }),
        stride: fc.constantFrom(1, 1, 2, 3, 64),
        len: fc.integer({ min: 1, max: 130 }),
      }),
    },
    {
      weight: w(mapped, 4),
      arbitrary: fc.record(
        {
          op: fc.constant('msync' as const),
          file,
          off: fc.oneof(fc.constant(0), offsetArb(device ? 4 * MiB : MAX_FILE)).map((o) => Math.floor(o / PAGE) * PAGE),
          len: lengthArb,
          around: fc.option(fc.constantFrom(0, 0, 1, -1, 63, PAGE), { nil: undefined, freq: 2 }),
        },
        { requiredKeys: ['op', 'file', 'off', 'len'] },
      ),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fsync' as const), file, datasync: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ op: 'sync' as const }) },
  ];
  if (!device) {
    arbs.push(
      { weight: w(written, 2) + 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), file, size: off }) },
      { weight: w(written, 2), arbitrary: fc.tuple(file, range).map(([f, r]) => ({ op: 'punch' as const, file: f, ...r })) },
      { weight: w(written, 2), arbitrary: fc.tuple(file, range).map(([f, r]) => ({ op: 'fallocate' as const, file: f, ...r })) },
      // an unmount writes the journal/log home (checkpoint, AIL push): freed and reused blocks meet there
      { weight: 1, arbitrary: fc.constant({ op: 'remount' as const }) },
    );
  }
  if (kind === 'raw' && caps.cacheModel) {
    arbs.push({
      weight: 3,
      arbitrary: fc
        .record({ off, len: fc.integer({ min: 1, max: 300 }), a: fc.integer({ min: -70, max: 70 }), b: fc.integer({ min: -70, max: 70 }), insn, fence: fc.boolean() })
        .map(({ off: o, len, a, b, insn: i, fence }) => ({ op: 'cpu' as const, off: o, len, flushOff: Math.max(0, o + a), flushLen: Math.max(1, len + b - a), insn: i, fence })),
    });
  }
  return arbs.filter((a) => a.weight > 0);
}

/** a workload of one kind and slice: mapped slices start by mapping, so their stores have somewhere to go */
export function workloadArb(kind: TargetKind, slice: Slice, caps: GenCaps, maxOps = 8): fc.Arbitrary<Workload> {
  const device = kind === 'raw' || kind === 'partition';
  const first: fc.Arbitrary<Op[]> =
    slice === 'written' ? fc.constant([]) : fc.record({ op: fc.constant('map' as const), file: fc.constant<FileName>(device ? 'dev' : 'A'), mode: fc.constantFrom<MapMode>('shared', 'shared', caps.mapSync ? 'sync' : 'shared'), pmd: fc.boolean() }).map((o) => [o as Op]);
  // power fails right after the last persistence point most of the time: a later fsync would hide what it lost
  const file: fc.Arbitrary<FileName> = device ? fc.constant('dev') : fc.constantFrom<FileName>('A', 'A', 'B');
  const msyncAround = fc.record({ op: fc.constant('msync' as const), file, off: fc.constant(0), len: lengthArb, around: fc.constantFrom(0, 0, 1, -1, 63, PAGE), into: fc.boolean() });
  const fsync = fc.record({ op: fc.constant('fsync' as const), file, datasync: fc.boolean() });
  const last: fc.Arbitrary<Op[]> = fc
    .oneof(
      { weight: slice === 'written' ? 0 : 4, arbitrary: msyncAround },
      { weight: 3, arbitrary: fsync },
      { weight: 1, arbitrary: fc.constant({ op: 'sync' as const }) },
    )
    .map((o) => [o as Op]);
  const final = fc.oneof({ weight: 4, arbitrary: last }, { weight: 1, arbitrary: fc.constant<Op[]>([]) });
  return fc
    .record({ setup: setupArb(kind), first, rest: fc.array(fc.oneof(...opArbs(kind, slice, caps)), { minLength: 1, maxLength: maxOps }), final })
    .map(({ setup, first: f, rest, final: z }) => ({ setup, ops: [...f, ...rest, ...z] }));
}
