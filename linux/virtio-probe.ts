// Self-check of the virtio-pmem capture without the suite: boots a traced machine whose pmem is
// virtio-pmem-pci, and shows that each flush request (virtio_pmem_flush's kick of the request
// queue) enters the trace as an `hf` event of that device, in order with the stores.
//
//   node -r ./scripts/register.js linux/virtio-probe.ts [ext4|xfs]
//
// 1. A store through a mapping, then fsync: the fsync request holds an `hf` after the store (the
//    kick comes after the write-back of the store's line and its fence).
// 2. A store, clwb and sfence by the CPU (cpuStore, cpuFlush, cpuFence) with no fsync: no `hf`.
// 3. MAP_SYNC on the virtio-pmem filesystem is refused with EOPNOTSUPP (the region is asynchronous).
// Exits 1 if any of them does not hold: the capture (or the machine) is broken.
import { TargetError } from '../targets/contract';
import { LinuxMachine } from './qemu';
import { check, runProbes } from './probe-runner';
import type { TraceEvent } from './trace';


/** the events of request `op` (by its markers), counted by kind */
function count(events: TraceEvent[]): string {
  const n: Record<string, number> = {};
  for (const e of events) if (e.k !== 'op') n[e.k] = (n[e.k] ?? 0) + 1;
  return Object.entries(n).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing';
}

function requestEvents(events: TraceEvent[], op: string): TraceEvent[] {
  const b = events.findIndex((e) => e.k === 'op' && e.op === op && e.phase === 'begin');
  const end = events.findIndex((e, i) => i > b && e.k === 'op' && e.op === op && e.phase === 'end');
  return b < 0 || end < 0 ? [] : events.slice(b + 1, end);
}

async function probe(fs: 'ext4' | 'xfs'): Promise<void> {
  const m = new LinuxMachine({ trace: true, nvdimms: 1, virtioPmem: true, keepWorkDir: !!process.env.KEEP });
  let seq = 0;
  const names = new Map<number, string>();
  const request = m.request.bind(m);
  m.request = (op: string, args: object = {}, _s?: number) => {
    names.set(++seq, op);
    return request(op, args, seq);
  };
  const t0 = Date.now();
  try {
    const b = await m.boot();
    console.log(`[${fs}] traced virtio-pmem boot: ${b.bootMs.toFixed(0)} ms (${b.restored ? 'restored' : 'booted'}); namespaces ${JSON.stringify([...m.trace!.namespaces])}`);
    const ns = m.trace!.namespaces.get(0);
    check(`[${fs}] the agent announced pmem0's virtio-pci notify area`, !!ns?.kick, JSON.stringify(ns?.kick));
    await m.request('mkfs', { fs, dev: 'pmem0' });
    await m.request('mount', { fs, dev: 'pmem0', dir: '/mnt', dax: 'always' });
    await m.request('create', { path: '/mnt/a' });
    await m.request('write', { path: '/mnt/a', offset: 0, data: '00'.repeat(8192) });
    await m.request('fsync', { path: '/mnt/a' });
    m.trace!.take();
    const ext = (await m.request('extents', { path: '/mnt/a' })) as { offset: number; devOffset: number }[];
    const { map } = (await m.request('mmap', { path: '/mnt/a', offset: 0, length: 8192, shared: true })) as { map: number };
    await m.request('store', { map, offset: 100, data: Buffer.from('virtio-1').toString('hex') });
    await m.request('fsync', { path: '/mnt/a' });
    const ev1 = m.trace!.take().events;
    const fsyncEv = requestEvents(ev1, 'fsync');
    const line = ext[0].devOffset + 64;
    const st = ev1.findIndex((e) => e.k === 'st' && e.dev === 'pmem0' && e.off >= line && e.off < line + 64);
    const fl = ev1.findIndex((e, i) => i > st && e.k === 'fl' && e.off <= line && line < e.off + (e.len ?? 64));
    const fe = ev1.findIndex((e, i) => i > fl && e.k === 'fe');
    const hf = ev1.findIndex((e, i) => i > fe && e.k === 'hf' && e.dev === 'pmem0');
    console.log(`[${fs}] store: ${count(requestEvents(ev1, 'store'))}; fsync: ${count(fsyncEv)}`);
    check(`[${fs}] 1. store then fsync: st (#${st}), its line's write-back (#${fl}), a fence (#${fe}), then the flush request hf (#${hf}), inside the fsync`, st >= 0 && fl > st && fe > fl && hf > fe && fsyncEv.includes(ev1[hf]));

    await m.request('cpuStore', { dev: '/dev/pmem0', offset: 1 << 20, data: Buffer.from('virtio-2').toString('hex'), nt: false });
    await m.request('cpuFlush', { dev: '/dev/pmem0', offset: 1 << 20, length: 8, insn: 'clwb' });
    await m.request('cpuFence', {});
    const ev2 = m.trace!.take().events;
    console.log(`[${fs}] cpuStore + cpuFlush + cpuFence: ${count(ev2)}`);
    check(`[${fs}] 2. store, clwb, sfence, no fsync: written back and fenced, and no flush request`, ev2.some((e) => e.k === 'fl') && ev2.some((e) => e.k === 'fe') && !ev2.some((e) => e.k === 'hf'));

    try {
      await m.request('mmap', { path: '/mnt/a', offset: 0, length: 8192, shared: true, sync: true });
      check(`[${fs}] 3. MAP_SYNC is refused`, false, 'the mapping succeeded');
    } catch (e) {
      check(`[${fs}] 3. MAP_SYNC is refused with EOPNOTSUPP`, e instanceof TargetError && e.errno === 'EOPNOTSUPP', e instanceof Error ? e.message : String(e));
    }
    console.log(`[${fs}] plugin totals ${JSON.stringify(m.trace!.stats)}`);
  } finally {
    await m.close();
    console.log(`[${fs}] wall ${Date.now() - t0} ms`);
  }
}

runProbes(probe, 'the virtio-pmem capture');
