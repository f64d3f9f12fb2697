// Self-check of the capture (linux/plugin/pmem-trace.c) without the suite: boots a traced machine,
// runs the two probes and prints the events per request.
//
//   npx ts-node --transpile-only linux/trace-probe.ts [ext4|xfs]
//
// Probe 1: a store through a PTE mapping of written blocks, no msync, power failure.
// Probe 2: a store at offset 0 of a PMD mapping, msync of an unrelated page at 3 MiB, power failure.
// In both, some line the store wrote has no write-back (clwb/clflushopt/clflush) followed by a
// fence after its last store, so a crash state loses the store: a capture that shows otherwise
// (a flush of those lines, or no store at all) is broken, and this script exits 1.
import { LinuxMachine } from './qemu';
import { check, runProbes } from './probe-runner';
import type { TraceEvent } from './trace';

const size = (e: { data?: string; zeros?: number }): number => (e.data !== undefined ? e.data.length / 2 : e.zeros ?? 0);

const MiB = 1024 * 1024;

/** events per request, as "op: 12 st, 3 nt, 64 fl, 1 fe" */
function perOp(events: TraceEvent[]): string[] {
  const out: string[] = [];
  let cur = '(between requests)';
  let n: Record<string, number> = {};
  const flushCounts = (): void => {
    const parts = Object.entries(n).map(([k, v]) => `${v} ${k}`);
    if (parts.length) out.push(`  ${cur}: ${parts.join(', ')}`);
    n = {};
  };
  for (const e of events) {
    if (e.k === 'op') {
      flushCounts();
      cur = e.phase === 'begin' ? `#${e.seq} ${e.op}` : '(between requests)';
      continue;
    }
    const key = e.k === 'fl' || e.k === 'fe' ? `${e.k}:${e.insn}` : e.k;
    n[key] = (n[key] ?? 0) + 1;
    if (e.k === 'fl' || e.k === 'st' || e.k === 'nt') n[`${e.k} bytes`] = (n[`${e.k} bytes`] ?? 0) + (e.k === 'fl' ? e.len ?? 64 : size(e));
  }
  flushCounts();
  return out;
}

/**
 * For each line the byte range [devOff, devOff+len) of `dev` covers: is its last store followed by a
 * write-back of the line and then a fence?  (Per-line persistence, x86: clwb/clflushopt and nt
 * stores are ordered by the next sfence/mfence/locked instruction; clflush is ordered by itself.)
 */
function unpersisted(events: TraceEvent[], dev: string, devOff: number, len: number): number[] {
  const lost: number[] = [];
  for (let line = devOff - (devOff % 64); line < devOff + len; line += 64) {
    let state: 'clean' | 'dirty' | 'flushing' = 'clean';
    let stored = false;
    for (const e of events) {
      if ((e.k === 'st' || e.k === 'nt') && e.dev === dev && e.off < line + 64 && e.off + size(e) > line) {
        stored = true;
        state = e.k === 'nt' ? 'flushing' : 'dirty';
      } else if (e.k === 'fl' && e.dev === dev && e.off <= line && line < e.off + (e.len ?? 64) && state === 'dirty') state = e.insn === 'clflush' ? 'clean' : 'flushing';
      else if (e.k === 'fe' && state === 'flushing') state = 'clean';
    }
    if (!stored || state !== 'clean') lost.push(line);
  }
  return lost;
}

async function probe(fs: 'ext4' | 'xfs'): Promise<void> {
  const m = new LinuxMachine({ trace: true, nvdimms: 1, keepWorkDir: !!process.env.KEEP });
  let seq = 0;
  const request = m.request.bind(m);
  m.request = (op: string, args: object = {}) => request(op, args, ++seq); // op markers in the trace
  const t0 = Date.now();
  try {
    const b = await m.boot();
    console.log(`[${fs}] traced boot: ${b.bootMs.toFixed(0)} ms; namespaces ${JSON.stringify([...m.trace!.namespaces])}`);
    const mount = { fs, dev: 'pmem0', dir: '/mnt', dax: 'always' };
    await m.request('mkfs', { fs, dev: 'pmem0' });
    await m.request('mount', mount);
    const setup = m.trace!.take();
    console.log(`[${fs}] mkfs + mount: ${setup.events.length} events (merged runs); plugin totals ${JSON.stringify(m.trace!.stats)}`);

    // probe 1: PTE store into written blocks, no msync
    await m.request('create', { path: '/mnt/a' });
    await m.request('write', { path: '/mnt/a', offset: 0, data: '00'.repeat(8192) });
    await m.request('fsync', { path: '/mnt/a' });
    const ext = (await m.request('extents', { path: '/mnt/a' })) as { offset: number; length: number; dev: string; devOffset: number }[];
    console.log(`[${fs}] /mnt/a extents ${JSON.stringify(ext)}`);
    const { map } = await m.request('mmap', { path: '/mnt/a', offset: 0, length: 8192, shared: true });
    const data = Buffer.from('probe-1').toString('hex');
    await m.request('store', { map, offset: 100, data });
    // probe 2: PMD mapping, store at 0, msync of an unrelated page at 3 MiB
    await m.request('create', { path: '/mnt/p' });
    await m.request('fallocate', { path: '/mnt/p', offset: 0, length: 4 * MiB });
    await m.request('write', { path: '/mnt/p', offset: 0, data: '00'.repeat(64 * 1024) });
    await m.request('fsync', { path: '/mnt/p' });
    const extP = (await m.request('extents', { path: '/mnt/p' })) as { offset: number; length: number; dev: string; devOffset: number }[];
    const pm = await m.request('mmap', { path: '/mnt/p', offset: 0, length: 4 * MiB, shared: true, size: 'pmd' });
    const data2 = Buffer.from('probe-2').toString('hex');
    await m.request('store', { map: pm.map, offset: 0, data: data2 });
    await m.request('store', { map: pm.map, offset: 3 * MiB, data: data2 });
    await m.request('msync', { map: pm.map, offset: 3 * MiB, length: 4096, sync: true });
    const tp = Date.now();
    await m.powerOff();
    const events = m.trace!.take().events;
    console.log(`[${fs}] power off (SIGTERM, last records): ${Date.now() - tp} ms; ${events.length} events; plugin totals ${JSON.stringify(m.trace!.stats)}`);
    for (const l of perOp(events)) console.log(l);

    const where = (e: typeof ext, off: number): number => {
      const x = e.find((x) => off >= x.offset && off < x.offset + x.length);
      if (!x) throw new Error(`no extent holds offset ${off}`);
      return x.devOffset + (off - x.offset);
    };
    const d1 = where(ext, 100);
    const stored1 = events.some((e) => e.k === 'st' && e.off >= d1 - 16 && e.off < d1 + 7 && 'data' in e);
    check(`[${fs}] probe 1: the store through the mapping is in the trace (device offset ${d1})`, stored1);
    const lost1 = unpersisted(events, 'pmem0', d1, 7);
    check(`[${fs}] probe 1: no msync, so some crash state loses the store (lines not persisted: ${lost1.join(', ') || 'none'})`, lost1.length > 0);
    const d2 = where(extP, 0);
    const lost2 = unpersisted(events, 'pmem0', d2, 7);
    check(`[${fs}] probe 2: msync at 3 MiB leaves the store at 0 unpersisted (lines: ${lost2.join(', ') || 'none'})`, lost2.length > 0);
    const d3 = where(extP, 3 * MiB);
    const lost3 = unpersisted(events, 'pmem0', d3, 7);
    check(`[${fs}] probe 2 control: the msync'd store at 3 MiB is persisted`, lost3.length === 0, lost3.join(', '));
  } finally {
    await m.close();
    console.log(`[${fs}] wall ${Date.now() - t0} ms`);
  }
}

runProbes(probe, 'the capture');
